import AWSWire
import CloudModel
import Crypto
import Foundation

/// What an upload's body turned out to be once checked against what the request said of it: its bytes when small,
/// else the file in `incoming/` holding them.
struct ReceivedBody {
    var path: String?
    var bytes: [UInt8]?
    var length: Int64
    var md5: [UInt8]
    /// The checksums to keep with the object (those the request named), base64 by algorithm.
    var checksums: [String: String]
}

extension S3Service {
    static let checksumAlgorithms = ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"]

    /// The length of each algorithm's digest in bytes.
    static func digestLength(_ algo: String) -> Int {
        switch algo {
        case "CRC32", "CRC32C": 4
        case "CRC64NVME": 8
        case "SHA1": 20
        default: 32
        }
    }

    /// The upload's bytes (in memory when small, else in a file of `incoming/`), checked against Content-MD5, the
    /// decoded length and the named checksums (header or trailer).
    func receive(_ c: S3Call) throws -> ReceivedBody {
        var body: StreamedBody
        if let s = c.request.streamed {
            body = s
        } else {
            body = StreamedBody(path: "", length: Int64(c.request.body.count), md5: Array(Insecure.MD5.hash(data: c.request.body)),
                                bytes: c.request.body)
            for algo in Self.checksumAlgorithms where c.header("x-amz-checksum-" + algo.lowercased()) != nil
                || c.header("x-amz-sdk-checksum-algorithm")?.uppercased() == algo {
                body.checksums[algo] = Self.checksum(algo, c.request.body)
            }
        }
        if let declared = c.header("x-amz-decoded-content-length"), Int64(declared) != body.length { throw S3Errors.incompleteBody }
        if let md5 = c.header("content-md5") {
            guard let d = Data(base64Encoded: md5), d.count == 16 else { throw S3Errors.invalidDigest(md5) }
            guard Array(d) == body.md5 else { throw S3Errors.badDigest(expected: md5, computed: Base64.encode(body.md5)) }
        }
        var kept: [String: String] = [:]
        for algo in Self.checksumAlgorithms {
            let name = "x-amz-checksum-" + algo.lowercased()
            guard let computed = body.checksums[algo] else { continue }
            if let stated = c.header(name) ?? body.trailers[name] {
                guard let d = Data(base64Encoded: stated), d.count == Self.digestLength(algo) else {
                    throw S3Errors.invalidChecksum(algo)
                }
                guard stated == computed else { throw S3Errors.badChecksum(algo.lowercased()) }
            }
            kept[algo] = computed
        }
        return ReceivedBody(path: body.bytes == nil ? body.path : nil, bytes: body.bytes, length: body.length, md5: body.md5,
                            checksums: kept)
    }

    /// A received body as a file of `incoming/` (written out when it was held in memory).
    func file(of body: ReceivedBody) throws -> String {
        if let path = body.path { return path }
        let path = files.incomingPath()
        guard FileManager.default.createFile(atPath: path, contents: Data(body.bytes ?? [])) else { throw S3Errors.internalError }
        return path
    }

    static func readAll(_ path: String) throws -> [UInt8] {
        guard let d = FileManager.default.contents(atPath: path) else { throw S3Errors.internalError }
        return Array(d)
    }

    /// Objects up to this size keep their bytes in their row: one commit makes them durable, no file is created.
    static let rowBytesLimit: Int64 = 64 * 1024

    /// The bytes of a version kept in its row (`blob` nil).
    func rowBytes(_ o: S3Object) throws -> [UInt8] {
        guard let bytes = try store.objectData(bucket: o.bucket, key: o.key, versionId: o.versionId) else {
            throw S3Errors.noSuchKey(o.key)
        }
        return bytes
    }

    static func checksum(_ algo: String, _ bytes: [UInt8]) -> String {
        switch algo {
        case "CRC32": var c = CRC32(); c.update(bytes); return Base64.encode(c.bigEndianBytes)
        case "CRC32C": var c = CRC32(castagnoli: true); c.update(bytes); return Base64.encode(c.bigEndianBytes)
        case "CRC64NVME": var c = CRC64NVME(); c.update(bytes); return Base64.encode(c.bigEndianBytes)
        case "SHA1": return Base64.encode(Array(Insecure.SHA1.hash(data: bytes)))
        default: return Base64.encode(Array(SHA256.hash(data: bytes)))
        }
    }

    /// The headers S3 keeps with an object and returns on GET.
    static let storedHeaders = ["content-type", "content-encoding", "content-disposition", "cache-control", "content-language",
                                "expires", "x-amz-website-redirect-location", "x-amz-storage-class"]

    static func objectHeaders(_ r: WireRequest) -> (headers: [String: String], metadata: [String: String]) {
        var headers: [String: String] = [:]
        var meta: [String: String] = [:]
        for (name, value) in r.headers {
            if name.hasPrefix("x-amz-meta-") {
                let k = String(name.dropFirst("x-amz-meta-".count))
                meta[k] = meta[k].map { $0 + "," + value } ?? value
            } else if storedHeaders.contains(name) {
                if name == "content-encoding" {
                    // aws-chunked is the transfer's framing, not the object's encoding.
                    let rest = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { $0 != "aws-chunked" }
                    if !rest.isEmpty { headers[name] = rest.joined(separator: ",") }
                } else {
                    headers[name] = value
                }
            }
        }
        return (headers, meta)
    }

    /// `x-amz-tagging: k1=v1&k2=v2`.
    static func headerTags(_ r: WireRequest) throws -> [S3Tag] {
        guard let text = r.header("x-amz-tagging"), !text.isEmpty else { return [] }
        var tags: [S3Tag] = []
        for (k, v) in FormDecoding.pairs(text, plusIsSpace: true) {
            guard !k.isEmpty, k.count <= 128, v.count <= 256 else { throw S3Errors.invalidTag("The TagKey you have provided is invalid") }
            if tags.contains(where: { $0.key == k }) { throw S3Errors.invalidTag("Cannot provide multiple Tags with the same key") }
            tags.append(S3Tag(key: k, value: v))
        }
        guard tags.count <= 10 else { throw S3Errors.invalidTag("Object tags cannot be greater than 10") }
        return tags
    }

    /// A new version id for a bucket with versioning enabled, else `null`.
    static func newVersionId(_ b: S3Bucket) -> String {
        guard b.versioning == "Enabled" else { return "null" }
        // 64 symbols: six bits each, ten from each of four 64-bit draws (one getrandom call per draw).
        var g = SystemRandomNumberGenerator()
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz._".utf8)
        var out = [UInt8]()
        out.reserveCapacity(32)
        while out.count < 32 {
            let word: UInt64 = g.next()
            for i in 0..<min(10, 32 - out.count) { out.append(alphabet[Int((word >> UInt64(6 * i)) & 63)]) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Conditional writes: `If-None-Match: *` refuses an existing key, `If-Match` needs the current ETag; nil when the
    /// request has neither (the commit then need not read the current version).
    static func writeCondition(_ c: S3Call) throws -> (@Sendable (S3Object?) throws -> Void)? {
        let ifNoneMatch = c.header("if-none-match"), ifMatch = c.header("if-match")
        if ifNoneMatch == nil && ifMatch == nil { return nil }
        if let v = ifNoneMatch, v.trimmingCharacters(in: .whitespaces) != "*" { throw S3Errors.notImplemented("If-None-Match") }
        let key = c.objectKey
        return { current in
            let live = current.flatMap { $0.isDeleteMarker ? nil : $0 }
            if ifNoneMatch != nil, live != nil { throw S3Errors.preconditionFailed("If-None-Match") }
            if let m = ifMatch {
                guard let live else { throw S3Errors.noSuchKey(key) }
                guard etagMatches(m, live.etag) else { throw S3Errors.preconditionFailed("If-Match") }
            }
        }
    }

    /// True when an If-Match/If-None-Match list names `etag` (or is `*`).
    static func etagMatches(_ list: String, _ etag: String) -> Bool {
        let bare = etag.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        for item in list.split(separator: ",") {
            let t = item.trimmingCharacters(in: .whitespaces)
            if t == "*" { return true }
            let v = (t.hasPrefix("W/") ? String(t.dropFirst(2)) : t).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            if v == bare { return true }
        }
        return false
    }
}
