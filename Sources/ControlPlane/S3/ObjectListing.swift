import AWSWire
import CloudModel
import Foundation

/// ListObjects (V1 and V2) and ListObjectVersions: prefix, delimiter (common prefixes), pagination by marker,
/// start-after or continuation token, `encoding-type=url`.
extension S3Service {
    /// A key past every key that starts with `prefix` (a common prefix's keys are skipped at once): U+10FFFF
    /// sorts after any character a key may hold in UTF-8 byte order.
    static func pastPrefix(_ prefix: String) -> String { prefix + "\u{10FFFF}" }

    struct Listing {
        var contents: [S3Object] = []
        var prefixes: [String] = []
        var truncated = false
        /// Where the next page starts (exclusive), for the token or NextMarker.
        var resumeAfter: String?
        var lastReturned: String?
    }

    func list(bucket: String, prefix: String, delimiter: String, after: String, maxKeys: Int) throws -> Listing {
        var out = Listing()
        var cursor = after
        var seenPrefix: String?
        guard maxKeys > 0 else { return out }
        scan: while true {
            let batch = try store.latestObjects(bucket: bucket, after: cursor, from: prefix, limit: 1000)
            if batch.isEmpty { break }
            for o in batch {
                guard o.key.hasPrefix(prefix) else { break scan }
                if !delimiter.isEmpty, let r = o.key.dropFirst(prefix.count).range(of: delimiter) {
                    let common = prefix + o.key.dropFirst(prefix.count)[..<r.upperBound]
                    if common == seenPrefix { continue }
                    if out.contents.count + out.prefixes.count == maxKeys { out.truncated = true; break scan }
                    out.prefixes.append(common)
                    seenPrefix = common
                    out.lastReturned = common
                    out.resumeAfter = Self.pastPrefix(common)
                    cursor = Self.pastPrefix(common)
                    continue scan
                }
                if out.contents.count + out.prefixes.count == maxKeys { out.truncated = true; break scan }
                out.contents.append(o)
                out.lastReturned = o.key
                out.resumeAfter = o.key
                cursor = o.key
            }
            if batch.count < 1000 { break }
        }
        return out
    }

    func listObjects(_ c: S3Call, v2: Bool) throws -> WireResponse {
        _ = try existingBucket(c)
        let prefix = c.query["prefix"] ?? "", delimiter = c.query["delimiter"] ?? ""
        let maxKeys = try c.intQuery("max-keys", default: 1000, max: 1000)
        let urlEncoding = c.query["encoding-type"]
        if let e = urlEncoding, e != "url" {
            throw S3Errors.invalidArgument("Invalid Encoding Method specified in Request", name: "encoding-type", value: e)
        }
        func enc(_ s: String) -> String { urlEncoding == "url" ? FormDecoding.encode(s, keepSlash: true) : s }
        var after = ""
        let token = c.query["continuation-token"]
        if v2 {
            if let token {
                guard let data = Data(base64Encoded: token), let text = String(data: data, encoding: .utf8) else {
                    throw S3Errors.invalidContinuationToken
                }
                after = text
            } else if let sa = c.query["start-after"] {
                after = sa
            }
        } else {
            after = c.query["marker"] ?? ""
        }
        let l = try list(bucket: c.bucketName, prefix: prefix, delimiter: delimiter, after: after, maxKeys: maxKeys)
        let root = v2 ? "ListBucketResult" : "ListBucketResult"
        return Self.xml { w in
            w.open(root, xmlns: Self.xmlns)
            w.element("Name", c.bucketName)
            w.element("Prefix", enc(prefix))
            if v2 {
                w.element("KeyCount", l.contents.count + l.prefixes.count)
                if let token { w.element("ContinuationToken", token) }
                if let sa = c.query["start-after"] { w.element("StartAfter", enc(sa)) }
                if l.truncated, let next = l.resumeAfter { w.element("NextContinuationToken", Base64.encode(Array(next.utf8))) }
            } else {
                w.element("Marker", enc(c.query["marker"] ?? ""))
                if l.truncated && !delimiter.isEmpty, let last = l.lastReturned { w.element("NextMarker", enc(last)) }
            }
            w.element("MaxKeys", maxKeys)
            if !delimiter.isEmpty { w.element("Delimiter", enc(delimiter)) }
            if let e = urlEncoding { w.element("EncodingType", e) }
            w.element("IsTruncated", l.truncated)
            for o in l.contents {
                w.element("Contents") { e in
                    e.element("Key", enc(o.key))
                    e.element("LastModified", S3Time.iso(o.lastModified))
                    e.element("ETag", o.etag)
                    for algo in Self.checksumAlgorithms where o.checksums[algo] != nil { e.element("ChecksumAlgorithm", algo) }
                    if let t = o.checksumType, !o.checksums.isEmpty { e.element("ChecksumType", t) }
                    e.element("Size", String(o.size))
                    if !v2 || c.query["fetch-owner"] == "true" { owner(&e) }
                    e.element("StorageClass", o.headers["x-amz-storage-class"] ?? "STANDARD")
                }
            }
            for p in l.prefixes { w.element("CommonPrefixes") { e in e.element("Prefix", enc(p)) } }
            w.close(root)
        }
    }

    func listObjectVersions(_ c: S3Call) throws -> WireResponse {
        _ = try existingBucket(c)
        let prefix = c.query["prefix"] ?? "", delimiter = c.query["delimiter"] ?? ""
        let maxKeys = try c.intQuery("max-keys", default: 1000, max: 1000)
        let keyMarker = c.query["key-marker"] ?? "", versionMarker = c.query["version-id-marker"] ?? ""
        // Versions from the key marker on, in key order, newest first; those up to the version marker skipped.
        var entries: [S3Object] = []
        var prefixes: [String] = []
        var truncated = false
        let from = max(prefix, keyMarker)
        var skipping = !keyMarker.isEmpty
        // One read of the versions' rows (metadata only, bounded): a local bucket's versions fit.
        var lastPrefix: String?
        for o in try store.versions(bucket: c.bucketName, from: from, limit: 100_000) {
            guard o.key.hasPrefix(prefix) else { break }
            if skipping {
                if o.key == keyMarker {
                    if !versionMarker.isEmpty && o.versionId == versionMarker { skipping = false }
                    continue
                }
                skipping = false
            }
            if !delimiter.isEmpty, let r = o.key.dropFirst(prefix.count).range(of: delimiter) {
                let common = prefix + o.key.dropFirst(prefix.count)[..<r.upperBound]
                if common == lastPrefix { continue }
                if entries.count + prefixes.count == maxKeys { truncated = true; break }
                prefixes.append(common)
                lastPrefix = common
                continue
            }
            if entries.count + prefixes.count == maxKeys { truncated = true; break }
            entries.append(o)
        }
        // Which version is latest is the store's to say (a page may start inside a key's versions).
        var latest: [String: String] = [:]
        for key in Set(entries.map(\.key)) {
            latest[key] = try store.object(bucket: c.bucketName, key: key, versionId: nil)?.versionId
        }
        return Self.xml { w in
            w.open("ListVersionsResult", xmlns: Self.xmlns)
            w.element("Name", c.bucketName)
            w.element("Prefix", prefix)
            w.element("KeyMarker", keyMarker)
            w.element("VersionIdMarker", versionMarker)
            if truncated, let last = entries.last {
                w.element("NextKeyMarker", last.key)
                w.element("NextVersionIdMarker", last.versionId)
            }
            w.element("MaxKeys", maxKeys)
            if !delimiter.isEmpty { w.element("Delimiter", delimiter) }
            w.element("IsTruncated", truncated)
            for o in entries {
                let isLatest = latest[o.key] == o.versionId
                w.element(o.isDeleteMarker ? "DeleteMarker" : "Version") { e in
                    e.element("Key", o.key)
                    e.element("VersionId", o.versionId)
                    e.element("IsLatest", isLatest)
                    e.element("LastModified", S3Time.iso(o.lastModified))
                    if !o.isDeleteMarker {
                        e.element("ETag", o.etag)
                        e.element("Size", String(o.size))
                        e.element("StorageClass", "STANDARD")
                    }
                    owner(&e)
                }
            }
            for p in prefixes { w.element("CommonPrefixes") { e in e.element("Prefix", p) } }
            w.close("ListVersionsResult")
        }
    }
}
