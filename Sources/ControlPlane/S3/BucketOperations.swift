import AWSWire
import CloudModel
import Foundation
import IAMPolicy

/// Buckets: create (name and location rules), head, list, delete, location.
extension S3Service {
    func listBuckets(_ c: S3Call) throws -> WireResponse {
        let all = try store.buckets()
        return Self.xml { w in
            w.open("ListAllMyBucketsResult", xmlns: Self.xmlns)
            w.element("Buckets") { bs in
                for b in all {
                    bs.element("Bucket") { e in
                        e.element("Name", b.name)
                        e.element("CreationDate", S3Time.iso(b.created))
                        e.element("BucketRegion", b.region)
                    }
                }
            }
            owner(&w)
            w.close("ListAllMyBucketsResult")
        }
    }

    /// S3's bucket naming rules (general purpose buckets).
    static func isValidBucketName(_ n: String) -> Bool {
        let u = Array(n.utf8)
        guard u.count >= 3, u.count <= 63 else { return false }
        func alnum(_ c: UInt8) -> Bool { (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) }
        guard alnum(u.first!), alnum(u.last!) else { return false }
        guard u.allSatisfy({ alnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") }) else { return false }
        if n.contains("..") || n.contains(".-") || n.contains("-.") { return false }
        let parts = n.split(separator: ".")
        if parts.count == 4 && parts.allSatisfy({ UInt8($0) != nil }) { return false }
        for prefix in ["xn--", "sthree-", "amzn-s3-demo-"] where n.hasPrefix(prefix) { return false }
        for suffix in ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"] where n.hasSuffix(suffix) { return false }
        return true
    }

    func createBucket(_ c: S3Call) throws -> WireResponse {
        let name = c.bucketName
        guard Self.isValidBucketName(name) else { throw S3Errors.invalidBucketName(name) }
        var constraint: String?
        let body = try smallBody(c)
        if !body.isEmpty {
            guard let doc = XMLElement.parse(body), doc.localName == "CreateBucketConfiguration" else { throw S3Errors.malformedXML }
            constraint = doc.value("LocationConstraint").flatMap { $0.isEmpty ? nil : $0 }
        }
        let region: String
        if let constraint {
            // `EU` is the historical name of eu-west-1.
            let named = constraint == "EU" ? "eu-west-1" : constraint
            guard AWSRegions.region(named: named) != nil, named != "us-east-1" else {
                throw S3Errors.invalidLocationConstraint(constraint)
            }
            if c.signedRegion != "us-east-1" && named != c.signedRegion { throw S3Errors.illegalLocationConstraint(constraint) }
            region = named
        } else {
            if c.signedRegion != "us-east-1" { throw S3Errors.illegalLocationConstraint(nil) }
            region = "us-east-1"
        }
        let bucket = S3Bucket(name: name, region: region, owner: accountId, created: Date().timeIntervalSince1970)
        if let existing = try store.createBucket(bucket) {
            // us-east-1 answers a repeated create by its owner with success, every other region with 409.
            guard existing.region == "us-east-1" && region == "us-east-1" else { throw S3Errors.bucketAlreadyOwnedByYou(name) }
        }
        let location = region == "us-east-1" ? "/" + name : "http://\(name).s3.amazonaws.com/"
        return WireResponse(status: 200, headers: [("Location", location)])
    }

    func headBucket(_ c: S3Call) throws -> WireResponse {
        let b = try existingBucket(c)
        return WireResponse(status: 200, headers: [("x-amz-bucket-region", b.region), ("x-amz-access-point-alias", "false")])
    }

    func deleteBucket(_ c: S3Call) throws -> WireResponse {
        switch try store.deleteBucket(c.bucketName) {
        case .missing: throw S3Errors.noSuchBucket(c.bucketName)
        case .notEmpty: throw S3Errors.bucketNotEmpty(c.bucketName)
        case .deleted: return WireResponse(status: 204)
        }
    }

    func getBucketLocation(_ c: S3Call) throws -> WireResponse {
        let b = try existingBucket(c)
        return Self.xml { w in
            w.open("LocationConstraint", xmlns: Self.xmlns)
            if b.region != "us-east-1" { w.appendEscaped(b.region) }
            w.close("LocationConstraint")
        }
    }

    // MARK: versioning

    func putBucketVersioning(_ c: S3Call) throws -> WireResponse {
        _ = try existingBucket(c)
        let doc = try document(c, root: "VersioningConfiguration")
        let status = doc.value("Status")
        guard status == nil || status == "Enabled" || status == "Suspended" else { throw S3Errors.malformedXML }
        try store.updateBucket(c.bucketName) { b in
            if let status { b.versioning = status }
        }
        return WireResponse(status: 200)
    }

    func getBucketVersioning(_ c: S3Call) throws -> WireResponse {
        let b = try existingBucket(c)
        return Self.xml { w in
            w.open("VersioningConfiguration", xmlns: Self.xmlns)
            w.element("Status", b.versioning)
            w.close("VersioningConfiguration")
        }
    }

    // MARK: tagging

    static func readTags(_ doc: XMLElement) throws -> [S3Tag] {
        guard let set = doc.child("TagSet") else { throw S3Errors.malformedXML }
        var tags: [S3Tag] = []
        for t in set.all("Tag") {
            guard let k = t.child("Key")?.text, let v = t.child("Value")?.text else { throw S3Errors.malformedXML }
            guard k.count <= 128, v.count <= 256, !k.isEmpty else { throw S3Errors.invalidTag("The TagKey you have provided is invalid") }
            if tags.contains(where: { $0.key == k }) { throw S3Errors.invalidTag("Cannot provide multiple Tags with the same key") }
            tags.append(S3Tag(key: k, value: v))
        }
        return tags
    }

    static func tagSet(_ tags: [S3Tag]) -> WireResponse {
        xml { w in
            w.open("Tagging", xmlns: xmlns)
            w.element("TagSet") { s in
                for t in tags { s.element("Tag") { e in e.element("Key", t.key); e.element("Value", t.value) } }
            }
            w.close("Tagging")
        }
    }

    func putBucketTagging(_ c: S3Call) throws -> WireResponse {
        _ = try existingBucket(c)
        let tags = try Self.readTags(try document(c, root: "Tagging"))
        guard tags.count <= 50 else { throw S3Errors.invalidTag("Bucket tag count cannot be greater than 50") }
        try store.updateBucket(c.bucketName) { $0.tags = tags }
        return WireResponse(status: 204)
    }

    func getBucketTagging(_ c: S3Call) throws -> WireResponse {
        let b = try existingBucket(c)
        guard let tags = b.tags, !tags.isEmpty else {
            throw S3Errors.noSuchConfiguration("NoSuchTagSet", "The TagSet does not exist", bucket: b.name)
        }
        return Self.tagSet(tags)
    }

    func deleteBucketTagging(_ c: S3Call) throws -> WireResponse {
        guard try store.updateBucket(c.bucketName, { $0.tags = nil }) != nil else { throw S3Errors.noSuchBucket(c.bucketName) }
        return WireResponse(status: 204)
    }

    // MARK: policy

    func putBucketPolicy(_ c: S3Call) throws -> WireResponse {
        _ = try existingBucket(c)
        let text = String(decoding: try smallBody(c), as: UTF8.self)
        do { _ = try PolicyDocument.parse(text, kind: .resource) } catch { throw S3Errors.malformedPolicy(error.message) }
        try store.updateBucket(c.bucketName) { $0.policy = text }
        return WireResponse(status: 204)
    }

    func getBucketPolicy(_ c: S3Call) throws -> WireResponse {
        let b = try existingBucket(c)
        guard let policy = b.policy else {
            throw S3Errors.noSuchConfiguration("NoSuchBucketPolicy", "The bucket policy does not exist", bucket: b.name)
        }
        return WireResponse(status: 200, headers: [("Content-Type", "application/json")], body: Array(policy.utf8))
    }

    func deleteBucketPolicy(_ c: S3Call) throws -> WireResponse {
        guard try store.updateBucket(c.bucketName, { $0.policy = nil }) != nil else { throw S3Errors.noSuchBucket(c.bucketName) }
        return WireResponse(status: 204)
    }

    // MARK: configuration documents kept as sent

    func putDocument(_ c: S3Call, _ field: WritableKeyPath<S3Bucket, String?>, root: String) throws -> WireResponse {
        _ = try existingBucket(c)
        _ = try document(c, root: root)
        let text = String(decoding: try smallBody(c), as: UTF8.self)
        try store.updateBucket(c.bucketName) { $0[keyPath: field] = text }
        return WireResponse(status: 200)
    }

    /// `missing`: the error when none was set; nil serves the default (SSE-S3 encryption, an empty notification
    /// configuration), as AWS does.
    func getDocument(_ c: S3Call, _ field: KeyPath<S3Bucket, String?>, missing: AWSError?) throws -> WireResponse {
        let b = try existingBucket(c)
        if let text = b[keyPath: field] {
            return WireResponse(status: 200, headers: [("Content-Type", "application/xml")], body: Array(text.utf8))
        }
        if let missing { throw missing }
        if field == \S3Bucket.encryption {
            return Self.xml { w in
                w.open("ServerSideEncryptionConfiguration", xmlns: Self.xmlns)
                w.element("Rule") { r in
                    r.element("ApplyServerSideEncryptionByDefault") { d in d.element("SSEAlgorithm", "AES256") }
                    r.element("BucketKeyEnabled", false)
                }
                w.close("ServerSideEncryptionConfiguration")
            }
        }
        return Self.xml { w in w.open("NotificationConfiguration", xmlns: Self.xmlns); w.close("NotificationConfiguration") }
    }

    func deleteDocument(_ c: S3Call, _ field: WritableKeyPath<S3Bucket, String?>) throws -> WireResponse {
        guard try store.updateBucket(c.bucketName, { $0[keyPath: field] = nil }) != nil else { throw S3Errors.noSuchBucket(c.bucketName) }
        return WireResponse(status: 204)
    }
}
