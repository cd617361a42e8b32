import AWSWire
import CloudModel
import Crypto
import Foundation

/// Multipart uploads: parts are files of their own until Complete concatenates them (through a buffer, never whole in
/// memory) into the object's file; the ETag is the MD5 of the parts' MD5s with `-N`.
extension S3Service {
    static let minPartSize: Int64 = 5 * 1024 * 1024

    func createMultipartUpload(_ c: S3Call) throws -> WireResponse {
        let bucket = try existingBucket(c)
        let (headers, meta) = Self.objectHeaders(c.request)
        let algo = c.header("x-amz-checksum-algorithm")?.uppercased()
        if let a = algo, !Self.checksumAlgorithms.contains(a) {
            throw S3Errors.invalidArgument("Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]",
                                           name: "x-amz-checksum-algorithm", value: a)
        }
        let id = files.newName() + files.newName()
        let upload = S3Upload(uploadId: id, bucket: bucket.name, key: c.objectKey, initiated: Date().timeIntervalSince1970,
                              headers: headers, metadata: meta, tags: try Self.headerTags(c.request), checksumAlgorithm: algo,
                              initiator: c.context.principal.arn)
        try store.createUpload(upload)
        var r = Self.xml { w in
            w.open("InitiateMultipartUploadResult", xmlns: Self.xmlns)
            w.element("Bucket", bucket.name)
            w.element("Key", c.objectKey)
            w.element("UploadId", id)
            w.close("InitiateMultipartUploadResult")
        }
        r.headers.append(("x-amz-server-side-encryption", "AES256"))
        if let algo { r.headers.append(("x-amz-checksum-algorithm", algo)) }
        return r
    }

    func partNumber(_ c: S3Call) throws -> Int {
        let text = c.query["partNumber"] ?? ""
        guard let n = Int(text), n >= 1, n <= 10_000 else { throw S3Errors.invalidPartNumber(text) }
        return n
    }

    func existingUpload(_ c: S3Call) throws -> S3Upload {
        let id = c.query["uploadId"] ?? ""
        guard let u = try store.upload(id), u.bucket == c.bucketName, u.key == c.objectKey else {
            _ = try existingBucket(c)
            throw S3Errors.noSuchUpload(id)
        }
        return u
    }

    func uploadPart(_ c: S3Call) throws -> WireResponse {
        let upload = try existingUpload(c)
        let number = try partNumber(c)
        let body = try receive(c)
        guard body.length <= Self.maxObjectSize else { throw S3Errors.entityTooLarge(body.length, max: Self.maxObjectSize) }
        let blob = try files.adopt(try file(of: body))
        let part = S3Part(uploadId: upload.uploadId, number: number, size: body.length, etag: "\"" + Self.hex(body.md5) + "\"",
                          lastModified: Date().timeIntervalSince1970, blob: blob, checksums: body.checksums)
        do {
            if let old = try store.putPart(part) { files.remove([old]) }
        } catch {
            files.remove([blob])
            throw error
        }
        var h: [(String, String)] = [("ETag", part.etag), ("x-amz-server-side-encryption", "AES256")]
        for (algo, v) in part.checksums { h.append(("x-amz-checksum-" + algo.lowercased(), v)) }
        return WireResponse(status: 200, headers: h)
    }

    func uploadPartCopy(_ c: S3Call) throws -> WireResponse {
        let upload = try existingUpload(c)
        let number = try partNumber(c)
        let source = try copySource(c)
        var offset: Int64 = 0, length = source.size
        if let range = c.header("x-amz-copy-source-range") {
            guard range.hasPrefix("bytes="), case let bounds = range.dropFirst(6).split(separator: "-"), bounds.count == 2,
                  let a = Int64(bounds[0]), let b = Int64(bounds[1]), a <= b else {
                throw S3Errors.invalidArgument("The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy",
                                               name: "x-amz-copy-source-range", value: range)
            }
            guard b < source.size else {
                throw S3Errors.invalidArgument("Range specified is not valid for source object of size: \(source.size)",
                                               name: "x-amz-copy-source-range", value: range)
            }
            offset = a
            length = b - a + 1
        }
        let tmp = files.incomingPath()
        if let sourceBlob = source.blob {
            try files.copy(from: files.path(sourceBlob), offset: offset, length: length, appendingTo: tmp)
        } else {
            let bytes = try rowBytes(source)
            guard offset + length <= Int64(bytes.count),
                  FileManager.default.createFile(atPath: tmp, contents: Data(bytes[Int(offset)..<Int(offset + length)])) else {
                throw S3Errors.internalError
            }
        }
        let md5 = try Self.md5(ofFile: tmp)
        let blob = try files.adopt(tmp)
        let part = S3Part(uploadId: upload.uploadId, number: number, size: length, etag: "\"" + Self.hex(md5) + "\"",
                          lastModified: Date().timeIntervalSince1970, blob: blob, checksums: [:])
        do {
            if let old = try store.putPart(part) { files.remove([old]) }
        } catch {
            files.remove([blob])
            throw error
        }
        return Self.xml { w in
            w.open("CopyPartResult", xmlns: Self.xmlns)
            w.element("ETag", part.etag)
            w.element("LastModified", S3Time.iso(part.lastModified))
            w.close("CopyPartResult")
        }
    }

    static func md5(ofFile path: String) throws -> [UInt8] {
        guard let h = FileHandle(forReadingAtPath: path) else { throw S3Errors.internalError }
        defer { try? h.close() }
        var md5 = Insecure.MD5()
        while let chunk = try h.read(upToCount: 1 << 20), !chunk.isEmpty { md5.update(data: chunk) }
        return Array(md5.finalize())
    }

    static func crc64(ofFile path: String) throws -> String {
        guard let h = FileHandle(forReadingAtPath: path) else { throw S3Errors.internalError }
        defer { try? h.close() }
        var crc = CRC64NVME()
        while let chunk = try h.read(upToCount: 1 << 20), !chunk.isEmpty { crc.update(Array(chunk)) }
        return Base64.encode(crc.bigEndianBytes)
    }

    func completeMultipartUpload(_ c: S3Call) throws -> WireResponse {
        let bucket = try existingBucket(c)
        let upload = try existingUpload(c)
        let condition = try Self.writeCondition(c)
        let doc = try document(c, root: "CompleteMultipartUpload")
        let requested = doc.all("Part")
        guard !requested.isEmpty else { throw S3Errors.malformedXML }
        let stored = Dictionary(uniqueKeysWithValues: try store.parts(uploadId: upload.uploadId).map { ($0.number, $0) })
        var chosen: [S3Part] = []
        var previous = 0
        for p in requested {
            guard let n = p.value("PartNumber").flatMap(Int.init), let etag = p.value("ETag") else { throw S3Errors.malformedXML }
            guard n > previous else { throw S3Errors.invalidPartOrder }
            previous = n
            guard let part = stored[n], Self.etagMatches(etag, part.etag) else { throw S3Errors.invalidPart(n, etag: etag) }
            chosen.append(part)
        }
        for part in chosen.dropLast() where part.size < Self.minPartSize { throw S3Errors.entityTooSmall(part.size) }
        // The object's file: the parts' bytes one after another.
        let tmp = files.incomingPath()
        _ = FileManager.default.createFile(atPath: tmp, contents: nil)
        var md5s: [UInt8] = []
        for part in chosen {
            try files.copy(from: files.path(part.blob), offset: 0, length: nil, appendingTo: tmp)
            let hex = part.etag.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            md5s += stride(from: 0, to: hex.count, by: 2).compactMap {
                UInt8(hex[hex.index(hex.startIndex, offsetBy: $0)..<hex.index(hex.startIndex, offsetBy: $0 + 2)], radix: 16)
            }
        }
        let etag = "\"" + Self.hex(Insecure.MD5.hash(data: md5s)) + "-\(chosen.count)\""
        var checksums: [String: String] = [:]
        if upload.checksumAlgorithm == "CRC64NVME" {
            // CRC-64/NVME is kept of the whole object (FULL_OBJECT), never composed from the parts'.
            checksums["CRC64NVME"] = try Self.crc64(ofFile: tmp)
        } else if let algo = upload.checksumAlgorithm {
            // COMPOSITE: the checksum of the parts' checksums, with the part count.
            var digests: [UInt8] = []
            for part in chosen {
                guard let v = part.checksums[algo], let d = Data(base64Encoded: v) else { digests = []; break }
                digests += d
            }
            if !digests.isEmpty { checksums[algo] = Self.checksum(algo, digests) + "-\(chosen.count)" }
        }
        let blob = try files.adopt(tmp)
        var o = S3Object(bucket: bucket.name, key: upload.key, versionId: Self.newVersionId(bucket),
                         size: chosen.reduce(0) { $0 + $1.size }, etag: etag, lastModified: Date().timeIntervalSince1970,
                         headers: upload.headers, metadata: upload.metadata, checksums: checksums, tags: upload.tags, blob: blob)
        o.partsCount = chosen.count
        o.checksumType = checksums.isEmpty ? nil : upload.checksumAlgorithm == "CRC64NVME" ? "FULL_OBJECT" : "COMPOSITE"
        do {
            try condition?(try store.object(bucket: bucket.name, key: upload.key, versionId: nil))
            files.remove(try store.finishUpload(upload.uploadId, object: o))
        } catch {
            files.remove([blob])
            throw error
        }
        notify("ObjectCreated:CompleteMultipartUpload", bucket: bucket, object: o, c.context)
        var r = Self.xml { w in
            w.open("CompleteMultipartUploadResult", xmlns: Self.xmlns)
            w.element("Location", "http://\(bucket.name).s3.amazonaws.com/\(FormDecoding.encode(upload.key, keepSlash: true))")
            w.element("Bucket", bucket.name)
            w.element("Key", upload.key)
            w.element("ETag", etag)
            for algo in Self.checksumAlgorithms { w.element("Checksum" + algo, checksums[algo]) }
            if let t = o.checksumType { w.element("ChecksumType", t) }
            w.close("CompleteMultipartUploadResult")
        }
        r.headers.append(("x-amz-server-side-encryption", "AES256"))
        if bucket.versioning != nil { r.headers.append(("x-amz-version-id", o.versionId)) }
        return r
    }

    func abortMultipartUpload(_ c: S3Call) throws -> WireResponse {
        let upload = try existingUpload(c)
        files.remove(try store.finishUpload(upload.uploadId, object: nil))
        return WireResponse(status: 204)
    }

    func listParts(_ c: S3Call) throws -> WireResponse {
        let upload = try existingUpload(c)
        let maxParts = try c.intQuery("max-parts", default: 1000, max: 1000)
        let marker = try c.intQuery("part-number-marker", default: 0)
        let all = try store.parts(uploadId: upload.uploadId).filter { $0.number > marker }
        let page = Array(all.prefix(maxParts))
        let truncated = all.count > page.count
        return Self.xml { w in
            w.open("ListPartsResult", xmlns: Self.xmlns)
            w.element("Bucket", upload.bucket)
            w.element("Key", upload.key)
            w.element("UploadId", upload.uploadId)
            w.element("PartNumberMarker", marker)
            if let last = page.last { w.element("NextPartNumberMarker", last.number) }
            w.element("MaxParts", maxParts)
            w.element("IsTruncated", truncated)
            for p in page {
                w.element("Part") { e in
                    e.element("PartNumber", p.number)
                    e.element("LastModified", S3Time.iso(p.lastModified))
                    e.element("ETag", p.etag)
                    e.element("Size", String(p.size))
                    for algo in Self.checksumAlgorithms { e.element("Checksum" + algo, p.checksums[algo]) }
                }
            }
            w.element("Initiator") { i in i.element("ID", upload.initiator); i.element("DisplayName", "lambda-vpc") }
            owner(&w)
            w.element("StorageClass", "STANDARD")
            w.element("ChecksumAlgorithm", upload.checksumAlgorithm)
            w.close("ListPartsResult")
        }
    }

    func listMultipartUploads(_ c: S3Call) throws -> WireResponse {
        _ = try existingBucket(c)
        let maxUploads = try c.intQuery("max-uploads", default: 1000, max: 1000)
        let keyMarker = c.query["key-marker"] ?? "", idMarker = c.query["upload-id-marker"] ?? ""
        let prefix = c.query["prefix"] ?? ""
        let rows = try store.uploads(bucket: c.bucketName, afterKey: keyMarker, afterId: idMarker, limit: 100_000)
            .filter { $0.key.hasPrefix(prefix) }
        let page = Array(rows.prefix(maxUploads))
        let truncated = rows.count > page.count
        return Self.xml { w in
            w.open("ListMultipartUploadsResult", xmlns: Self.xmlns)
            w.element("Bucket", c.bucketName)
            w.element("KeyMarker", keyMarker)
            w.element("UploadIdMarker", idMarker)
            if truncated, let last = page.last {
                w.element("NextKeyMarker", last.key)
                w.element("NextUploadIdMarker", last.uploadId)
            }
            if !prefix.isEmpty { w.element("Prefix", prefix) }
            w.element("MaxUploads", maxUploads)
            w.element("IsTruncated", truncated)
            for u in page {
                w.element("Upload") { e in
                    e.element("Key", u.key)
                    e.element("UploadId", u.uploadId)
                    e.element("Initiator") { i in i.element("ID", u.initiator); i.element("DisplayName", "lambda-vpc") }
                    owner(&e)
                    e.element("StorageClass", "STANDARD")
                    e.element("Initiated", S3Time.iso(u.initiated))
                    e.element("ChecksumAlgorithm", u.checksumAlgorithm)
                }
            }
            w.close("ListMultipartUploadsResult")
        }
    }
}
