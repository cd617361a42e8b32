import AWSWire
import CloudModel
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Objects: put (durable before acknowledged), get and head (ranges, conditions, streamed from the file), delete, copy.
extension S3Service {
    func putObject(_ c: S3Call) throws -> WireResponse {
        let bucket = try existingBucket(c)
        let condition = try Self.writeCondition(c)
        let tags = try Self.headerTags(c.request)
        let body = try receive(c)
        guard body.length <= Self.maxObjectSize else { throw S3Errors.entityTooLarge(body.length, max: Self.maxObjectSize) }
        let (headers, meta) = Self.objectHeaders(c.request)
        let inRow = body.length <= Self.rowBytesLimit
        let data = inRow ? try body.bytes ?? Self.readAll(try file(of: body)) : nil
        if inRow, let path = body.path { unlink(path) }
        let blob = inRow ? nil : try files.adopt(try file(of: body))
        var o = S3Object(bucket: bucket.name, key: c.objectKey, versionId: Self.newVersionId(bucket), size: body.length,
                         etag: "\"" + Self.hex(body.md5) + "\"", lastModified: Date().timeIntervalSince1970, headers: headers,
                         metadata: meta, checksums: body.checksums, tags: tags, blob: blob)
        o.checksumType = body.checksums.isEmpty ? nil : "FULL_OBJECT"
        if c.mayDefer, let data {
            return deferredCommit(o, data: data, condition: condition, bucket: bucket, c)
        }
        try commit(o, data: data, condition: condition)
        notify("ObjectCreated:Put", bucket: bucket, object: o, c.context)
        return WireResponse(status: 200, headers: writeHeaders(o, bucket))
    }

    /// A small PUT from an event loop: its row goes to the store's committer, and the answer (or the error, such as a
    /// failed condition) is delivered once that transaction committed. No file is involved (the bytes are in the row).
    private func deferredCommit(_ o: S3Object, data: [UInt8], condition: (@Sendable (S3Object?) throws -> Void)?,
                                bucket: S3Bucket, _ c: S3Call) -> WireResponse {
        var placeholder = WireResponse(status: 200)
        let headers = writeHeaders(o, bucket)
        placeholder.deferred = DeferredResponse { [self] deliver in
            store.putObject(o, data: data, check: condition) { result in
                switch result {
                case .success(let freed):
                    self.files.remove(freed)
                    if bucket.notification != nil {
                        // Off the committer's thread: the event goes through Lambda's queue, a write of its own.
                        DispatchQueue.global().async { self.notify("ObjectCreated:Put", bucket: bucket, object: o, c.context) }
                    }
                    deliver(WireResponse(status: 200, headers: headers))
                case .failure(let error):
                    deliver(self.failure(error, c))
                }
            }
        }
        return placeholder
    }

    /// Makes `o` the key's latest version (with `data`, its bytes, when it keeps them in its row); its file is removed
    /// if the commit is refused, the replaced version's after.
    func commit(_ o: S3Object, data: [UInt8]?, condition: (@Sendable (S3Object?) throws -> Void)?) throws {
        let freed: [String]
        do {
            freed = try store.putObject(o, data: data, check: condition)
        } catch {
            if let blob = o.blob { files.remove([blob]) }
            throw error
        }
        files.remove(freed)
    }

    func writeHeaders(_ o: S3Object, _ b: S3Bucket) -> [(String, String)] {
        var h: [(String, String)] = [("ETag", o.etag), ("x-amz-server-side-encryption", "AES256")]
        if b.versioning != nil { h.append(("x-amz-version-id", o.versionId)) }
        for algo in Self.checksumAlgorithms { if let v = o.checksums[algo] { h.append(("x-amz-checksum-" + algo.lowercased(), v)) } }
        if let t = o.checksumType, !o.checksums.isEmpty { h.append(("x-amz-checksum-type", t)) }
        return h
    }

    /// The version a read addresses: the latest, or `versionId`'s; a delete marker answers as S3 does.
    func readableVersion(_ c: S3Call) throws -> S3Object {
        let versionId = c.query["versionId"]
        guard let o = try store.object(bucket: c.bucketName, key: c.objectKey, versionId: versionId) else {
            _ = try existingBucket(c)
            if let versionId {
                if versionId != "null" && versionId.count != 32 {
                    throw S3Errors.invalidArgument("Invalid version id specified", name: "versionId", value: versionId)
                }
                throw S3Errors.noSuchVersion(c.objectKey, versionId)
            }
            throw S3Errors.noSuchKey(c.objectKey)
        }
        if o.isDeleteMarker {
            var e = versionId == nil ? S3Errors.noSuchKey(c.objectKey) : S3Errors.methodNotAllowed
            e.extraFields["DeleteMarker"] = "true"
            throw e
        }
        return o
    }

    /// Bodies up to this size are read into the response; larger ones are sent from the file.
    static let inlineReadLimit: Int64 = 64 * 1024

    func getObject(_ c: S3Call) throws -> WireResponse {
        let o: S3Object
        do { o = try readableVersion(c) } catch let e as AWSError where e.extraFields["DeleteMarker"] != nil {
            var r = render(e, c.context, head: c.isHead)
            r.headers.append(("x-amz-delete-marker", "true"))
            throw EarlyResponse(response: r)
        }
        var headers: [(String, String)] = [("ETag", o.etag), ("Last-Modified", S3Time.http(o.lastModified)), ("Accept-Ranges", "bytes"),
                                           ("x-amz-server-side-encryption", "AES256")]
        if let notModified = try readCondition(c, o) {
            return WireResponse(status: notModified, headers: headers)
        }
        headers.append(("Content-Type", o.headers["content-type"] ?? "binary/octet-stream"))
        for (k, v) in o.headers.sorted(by: { $0.key < $1.key }) where k != "content-type" { headers.append((k, v)) }
        for (k, v) in o.metadata.sorted(by: { $0.key < $1.key }) { headers.append(("x-amz-meta-" + k, v)) }
        if o.versionId != "null" { headers.append(("x-amz-version-id", o.versionId)) }
        if !o.tags.isEmpty { headers.append(("x-amz-tagging-count", String(o.tags.count))) }
        if let n = o.partsCount, c.query["partNumber"] != nil { headers.append(("x-amz-mp-parts-count", String(n))) }
        // Presigned GETs may override the response headers.
        for (q, h) in [("response-content-type", "Content-Type"), ("response-content-disposition", "content-disposition"),
                       ("response-content-encoding", "content-encoding"), ("response-content-language", "content-language"),
                       ("response-cache-control", "cache-control"), ("response-expires", "expires")] {
            if let v = c.query[q] {
                headers.removeAll { $0.0.lowercased() == h.lowercased() }
                headers.append((h, v))
            }
        }
        var offset: Int64 = 0, length = o.size, status = 200
        if let range = c.header("range"), let (start, end) = try Self.byteRange(range, size: o.size) {
            offset = start
            length = end - start + 1
            status = 206
            headers.append(("Content-Range", "bytes \(start)-\(end)/\(o.size)"))
        } else if c.header("x-amz-checksum-mode")?.uppercased() == "ENABLED" {
            for algo in Self.checksumAlgorithms { if let v = o.checksums[algo] { headers.append(("x-amz-checksum-" + algo.lowercased(), v)) } }
            if let t = o.checksumType, !o.checksums.isEmpty { headers.append(("x-amz-checksum-type", t)) }
        }
        var response = WireResponse(status: status, headers: headers)
        if c.isHead {
            response.declaredLength = length
            return response
        }
        guard let blob = o.blob else {
            let bytes = try rowBytes(o)
            guard offset + length <= Int64(bytes.count) else { throw S3Errors.internalError }
            response.body = Array(bytes[Int(offset)..<Int(offset + length)])
            return response
        }
        let fd = files.openForReading(blob)
        // The version was replaced between the read of its row and the open: answer as if it were already gone.
        guard fd >= 0 else { throw S3Errors.noSuchKey(c.objectKey) }
        if length <= Self.inlineReadLimit {
            // A small body costs less read into the response than handed to the transport as a file region.
            defer { close(fd) }
            var bytes = [UInt8](repeating: 0, count: Int(length))
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, Int(length), off_t(offset)) }
            guard n == Int(length) else { throw S3Errors.internalError }
            response.body = bytes
            return response
        }
        response.file = ResponseFile(descriptor: fd, offset: offset, length: length)
        return response
    }

    /// The status a conditional read answers with instead of the object (304 or 412), nil to send it.
    func readCondition(_ c: S3Call, _ o: S3Object) throws -> Int? {
        let ifMatch = c.header("if-match"), ifNoneMatch = c.header("if-none-match")
        if let m = ifMatch, !Self.etagMatches(m, o.etag) { throw S3Errors.preconditionFailed("If-Match") }
        if ifMatch == nil, let t = c.header("if-unmodified-since").flatMap(S3Time.parse), o.lastModified.rounded(.down) > t {
            throw S3Errors.preconditionFailed("If-Unmodified-Since")
        }
        if let m = ifNoneMatch, Self.etagMatches(m, o.etag) { return 304 }
        if ifNoneMatch == nil, let t = c.header("if-modified-since").flatMap(S3Time.parse), o.lastModified.rounded(.down) <= t {
            return 304
        }
        return nil
    }

    /// `bytes=a-b`, `bytes=a-`, `bytes=-n` → inclusive (start, end); nil for a header S3 ignores (several ranges,
    /// not bytes, unreadable); InvalidRange when it starts past the end.
    static func byteRange(_ text: String, size: Int64) throws -> (Int64, Int64)? {
        let t = text.trimmingCharacters(in: .whitespaces)
        guard t.hasPrefix("bytes="), !t.contains(",") else { return nil }
        let spec = t.dropFirst(6)
        guard let dash = spec.firstIndex(of: "-") else { return nil }
        let a = spec[..<dash].trimmingCharacters(in: .whitespaces), b = spec[spec.index(after: dash)...].trimmingCharacters(in: .whitespaces)
        if a.isEmpty {
            guard let n = Int64(b), n >= 0 else { return nil }
            if n == 0 || size == 0 { throw S3Errors.invalidRange(size: size, range: t) }
            return (max(0, size - n), size - 1)
        }
        guard let start = Int64(a), start >= 0 else { return nil }
        var end = size - 1
        if !b.isEmpty {
            guard let e = Int64(b), e >= start else { return nil }
            end = min(e, size - 1)
        }
        if start >= size { throw S3Errors.invalidRange(size: size, range: t) }
        return (start, end)
    }

    func deleteObject(_ c: S3Call) throws -> WireResponse {
        let bucket = try existingBucket(c)
        let (deleted, headers) = try delete(bucket: bucket, key: c.objectKey, versionId: c.query["versionId"])
        if let deleted { notifyRemoval(deleted, versioned: c.query["versionId"] == nil, bucket: bucket, c.context) }
        return WireResponse(status: 204, headers: headers)
    }

    /// `ObjectRemoved:DeleteMarkerCreated` when a delete made a marker, `ObjectRemoved:Delete` when it removed bytes.
    func notifyRemoval(_ deleted: S3Object, versioned: Bool, bucket: S3Bucket, _ ctx: RequestContext) {
        notify(deleted.isDeleteMarker && versioned ? "ObjectRemoved:DeleteMarkerCreated" : "ObjectRemoved:Delete",
               bucket: bucket, object: deleted, ctx)
    }

    /// Deletes a key (a delete marker in a versioned bucket) or one version; answers the headers S3 sends.
    func delete(bucket: S3Bucket, key: String, versionId: String?) throws -> (deleted: S3Object?, headers: [(String, String)]) {
        if let versionId {
            let removed = try store.deleteVersion(bucket: bucket.name, key: key, versionId: versionId)
            if let blob = removed?.blob { files.remove([blob]) }
            var h: [(String, String)] = [("x-amz-version-id", versionId)]
            if removed?.isDeleteMarker == true { h.append(("x-amz-delete-marker", "true")) }
            return (removed, h)
        }
        if bucket.versioning != nil {
            let marker = S3Object(bucket: bucket.name, key: key, versionId: Self.newVersionId(bucket), isDeleteMarker: true,
                                  lastModified: Date().timeIntervalSince1970)
            try commit(marker, data: nil, condition: nil)
            return (marker, [("x-amz-version-id", marker.versionId), ("x-amz-delete-marker", "true")])
        }
        let removed = try store.deleteVersion(bucket: bucket.name, key: key, versionId: "null")
        if let blob = removed?.blob { files.remove([blob]) }
        return (removed, [])
    }

    func deleteObjects(_ c: S3Call) throws -> WireResponse {
        let bucket = try existingBucket(c)
        let doc = try document(c, root: "Delete")
        let quiet = doc.value("Quiet") == "true"
        let objects = doc.all("Object")
        guard !objects.isEmpty, objects.count <= 1000 else { throw S3Errors.malformedXML }
        var results: [(key: String, version: String?, error: AWSError?, marker: String?)] = []
        for o in objects {
            guard let key = o.child("Key")?.text else { throw S3Errors.malformedXML }
            let version = o.value("VersionId")
            do {
                try authorize(c, "s3:DeleteObject", "arn:aws:s3:::\(bucket.name)/\(key)", bucket: bucket.name)
                let (deleted, _) = try delete(bucket: bucket, key: key, versionId: version)
                if let deleted { notifyRemoval(deleted, versioned: version == nil, bucket: bucket, c.context) }
                results.append((key, version, nil, deleted?.isDeleteMarker == true ? deleted?.versionId : nil))
            } catch let e as AWSError {
                results.append((key, version, e, nil))
            }
        }
        return Self.xml { w in
            w.open("DeleteResult", xmlns: Self.xmlns)
            for r in results {
                if let e = r.error {
                    w.element("Error") { x in
                        x.element("Key", r.key); x.element("VersionId", r.version); x.element("Code", e.code); x.element("Message", e.message)
                    }
                } else if !quiet {
                    w.element("Deleted") { x in
                        x.element("Key", r.key)
                        x.element("VersionId", r.version)
                        if let m = r.marker { x.element("DeleteMarker", true); x.element("DeleteMarkerVersionId", m) }
                    }
                }
            }
            w.close("DeleteResult")
        }
    }

    /// `x-amz-copy-source`: `[/]bucket/key[?versionId=V]`, percent-encoded.
    func copySource(_ c: S3Call) throws -> S3Object {
        guard var text = c.header("x-amz-copy-source") else { throw S3Errors.invalidCopySource() }
        var versionId: String?
        if let q = text.range(of: "?versionId=") {
            versionId = String(text[q.upperBound...])
            text = String(text[..<q.lowerBound])
        }
        guard var decoded = text.removingPercentEncoding else { throw S3Errors.invalidCopySource() }
        if decoded.hasPrefix("/") { decoded.removeFirst() }
        guard let slash = decoded.firstIndex(of: "/") else { throw S3Errors.invalidCopySource() }
        let bucket = String(decoded[..<slash]), key = String(decoded[decoded.index(after: slash)...])
        guard !key.isEmpty else { throw S3Errors.invalidCopySource() }
        try authorize(c, "s3:GetObject", "arn:aws:s3:::\(bucket)/\(key)", bucket: bucket)
        guard let o = try store.object(bucket: bucket, key: key, versionId: versionId) else {
            guard try store.bucket(bucket) != nil else { throw S3Errors.noSuchBucket(bucket) }
            throw versionId.map { S3Errors.noSuchVersion(key, $0) } ?? S3Errors.noSuchKey(key)
        }
        if o.isDeleteMarker { throw versionId == nil ? S3Errors.noSuchKey(key) : S3Errors.invalidCopySource() }
        if let m = c.header("x-amz-copy-source-if-match"), !Self.etagMatches(m, o.etag) {
            throw S3Errors.preconditionFailed("x-amz-copy-source-If-Match")
        }
        if let m = c.header("x-amz-copy-source-if-none-match"), Self.etagMatches(m, o.etag) {
            throw S3Errors.preconditionFailed("x-amz-copy-source-If-None-Match")
        }
        return o
    }

    func copyObject(_ c: S3Call) throws -> WireResponse {
        let bucket = try existingBucket(c)
        let source = try copySource(c)
        let replaceMeta = c.header("x-amz-metadata-directive")?.uppercased() == "REPLACE"
        let replaceTags = c.header("x-amz-tagging-directive")?.uppercased() == "REPLACE"
        if source.bucket == bucket.name && source.key == c.objectKey && !replaceMeta && c.header("x-amz-storage-class") == nil
            && c.header("x-amz-website-redirect-location") == nil && c.header("x-amz-server-side-encryption") == nil {
            throw S3Errors.copyToItself()
        }
        let condition = try Self.writeCondition(c)
        // Bytes kept in the source's row are copied into the new row; a file is shared by a hard link.
        let data = source.blob == nil ? try rowBytes(source) : nil
        let blob = try source.blob.map { try files.duplicate($0) }
        var o = source
        o.bucket = bucket.name
        o.key = c.objectKey
        o.versionId = Self.newVersionId(bucket)
        o.blob = blob
        o.lastModified = Date().timeIntervalSince1970
        if replaceMeta { (o.headers, o.metadata) = Self.objectHeaders(c.request) }
        if replaceTags { o.tags = try Self.headerTags(c.request) }
        try commit(o, data: data, condition: condition)
        notify("ObjectCreated:Copy", bucket: bucket, object: o, c.context)
        var headers = writeHeaders(o, bucket)
        headers.removeAll { $0.0 == "ETag" }
        if source.versionId != "null" { headers.append(("x-amz-copy-source-version-id", source.versionId)) }
        var response = Self.xml { w in
            w.open("CopyObjectResult", xmlns: Self.xmlns)
            w.element("ETag", o.etag)
            w.element("LastModified", S3Time.iso(o.lastModified))
            for algo in Self.checksumAlgorithms { w.element("Checksum" + algo, o.checksums[algo]) }
            w.close("CopyObjectResult")
        }
        response.headers += headers
        return response
    }

    // MARK: object tagging

    func taggedVersion(_ c: S3Call) throws -> S3Object { try readableVersion(c) }

    func putObjectTagging(_ c: S3Call) throws -> WireResponse {
        var o = try taggedVersion(c)
        let tags = try Self.readTags(try document(c, root: "Tagging"))
        guard tags.count <= 10 else { throw S3Errors.invalidTag("Object tags cannot be greater than 10") }
        o.tags = tags
        try store.updateObject(o)
        return WireResponse(status: 200, headers: o.versionId == "null" ? [] : [("x-amz-version-id", o.versionId)])
    }

    func getObjectTagging(_ c: S3Call) throws -> WireResponse {
        let o = try taggedVersion(c)
        var r = Self.tagSet(o.tags)
        if o.versionId != "null" { r.headers.append(("x-amz-version-id", o.versionId)) }
        return r
    }

    func deleteObjectTagging(_ c: S3Call) throws -> WireResponse {
        var o = try taggedVersion(c)
        o.tags = []
        try store.updateObject(o)
        return WireResponse(status: 204, headers: o.versionId == "null" ? [] : [("x-amz-version-id", o.versionId)])
    }
}

/// A complete answer an operation gives instead of its result (a delete marker's 404 with its headers).
struct EarlyResponse: Error {
    var response: WireResponse
}
