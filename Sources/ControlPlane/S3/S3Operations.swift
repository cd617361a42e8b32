import AWSWire
import IAMPolicy

/// One row of S3's operation table: botocore's operation name, the HTTP method, what the path addresses (the service,
/// a bucket or an object), the query subresource and/or header that select it, the IAM action and the handler.
/// The resource authorized is the bucket's or object's ARN (`arn:aws:s3:::bucket[/key]`), `*` for the service.
/// Nothing reaches a handler except through a row, after its action is allowed.
struct S3Operation: Sendable {
    enum Target: Sendable { case service, bucket, object }
    typealias Handler = @Sendable (S3Service, S3Call) throws -> WireResponse

    let name: String
    let method: String
    let target: Target
    let subresource: String?
    let header: String?
    let action: String
    /// True when the handler authorizes each item it acts on (DeleteObjects: `s3:DeleteObject` per key, as AWS),
    /// instead of the row authorizing the bucket once.
    let itemized: Bool
    /// Condition keys the operation's request adds (`s3:prefix` for listings).
    let keys: @Sendable (S3Call, inout ConditionContext) -> Void
    let handler: Handler

    init(_ name: String, _ method: String, _ target: Target, sub: String? = nil, header: String? = nil, action: String,
         itemized: Bool = false, keys: @escaping @Sendable (S3Call, inout ConditionContext) -> Void = { _, _ in }, _ handler: @escaping Handler) {
        self.name = name
        self.method = method
        self.target = target
        self.subresource = sub
        self.header = header
        self.action = action
        self.itemized = itemized
        self.keys = keys
        self.handler = handler
    }

    func resource(_ c: S3Call) -> String {
        switch target {
        case .service: return "*"
        case .bucket: return c.bucketArn
        case .object: return c.objectArn
        }
    }
}

/// S3's operation table: every operation this server answers, by botocore's names.
enum S3Operations {
    static let listKeys: @Sendable (S3Call, inout ConditionContext) -> Void = { c, k in
        k.set("s3:prefix", c.query["prefix"] ?? "")
        if let d = c.query["delimiter"] { k.set("s3:delimiter", d) }
        if let m = c.query["max-keys"] { k.set("s3:max-keys", m) }
    }

    static let table: [S3Operation] = [
        .init("ListBuckets", "GET", .service, action: "s3:ListAllMyBuckets") { s, c in try s.listBuckets(c) },
        .init("CreateBucket", "PUT", .bucket, action: "s3:CreateBucket") { s, c in try s.createBucket(c) },
        .init("HeadBucket", "HEAD", .bucket, action: "s3:ListBucket") { s, c in try s.headBucket(c) },
        .init("DeleteBucket", "DELETE", .bucket, action: "s3:DeleteBucket") { s, c in try s.deleteBucket(c) },
        .init("GetBucketLocation", "GET", .bucket, sub: "location", action: "s3:GetBucketLocation") { s, c in try s.getBucketLocation(c) },
        .init("ListObjects", "GET", .bucket, action: "s3:ListBucket", keys: listKeys) { s, c in try s.listObjects(c, v2: false) },
        .init("ListObjectsV2", "GET", .bucket, sub: "list-type", action: "s3:ListBucket", keys: listKeys) { s, c in
            try s.listObjects(c, v2: true)
        },
        .init("ListObjectVersions", "GET", .bucket, sub: "versions", action: "s3:ListBucketVersions", keys: listKeys) { s, c in
            try s.listObjectVersions(c)
        },
        .init("PutBucketVersioning", "PUT", .bucket, sub: "versioning", action: "s3:PutBucketVersioning") { s, c in try s.putBucketVersioning(c) },
        .init("GetBucketVersioning", "GET", .bucket, sub: "versioning", action: "s3:GetBucketVersioning") { s, c in try s.getBucketVersioning(c) },
        .init("PutBucketTagging", "PUT", .bucket, sub: "tagging", action: "s3:PutBucketTagging") { s, c in try s.putBucketTagging(c) },
        .init("GetBucketTagging", "GET", .bucket, sub: "tagging", action: "s3:GetBucketTagging") { s, c in try s.getBucketTagging(c) },
        .init("DeleteBucketTagging", "DELETE", .bucket, sub: "tagging", action: "s3:PutBucketTagging") { s, c in try s.deleteBucketTagging(c) },
        .init("PutBucketPolicy", "PUT", .bucket, sub: "policy", action: "s3:PutBucketPolicy") { s, c in try s.putBucketPolicy(c) },
        .init("GetBucketPolicy", "GET", .bucket, sub: "policy", action: "s3:GetBucketPolicy") { s, c in try s.getBucketPolicy(c) },
        .init("DeleteBucketPolicy", "DELETE", .bucket, sub: "policy", action: "s3:DeleteBucketPolicy") { s, c in try s.deleteBucketPolicy(c) },
        .init("PutPublicAccessBlock", "PUT", .bucket, sub: "publicAccessBlock", action: "s3:PutBucketPublicAccessBlock") { s, c in
            try s.putDocument(c, \.publicAccessBlock, root: "PublicAccessBlockConfiguration")
        },
        .init("GetPublicAccessBlock", "GET", .bucket, sub: "publicAccessBlock", action: "s3:GetBucketPublicAccessBlock") { s, c in
            try s.getDocument(c, \.publicAccessBlock, missing: S3Errors.noSuchConfiguration(
                "NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found", bucket: c.bucketName))
        },
        .init("DeletePublicAccessBlock", "DELETE", .bucket, sub: "publicAccessBlock", action: "s3:PutBucketPublicAccessBlock") { s, c in
            try s.deleteDocument(c, \.publicAccessBlock)
        },
        .init("PutBucketEncryption", "PUT", .bucket, sub: "encryption", action: "s3:PutEncryptionConfiguration") { s, c in
            try s.putDocument(c, \.encryption, root: "ServerSideEncryptionConfiguration")
        },
        .init("GetBucketEncryption", "GET", .bucket, sub: "encryption", action: "s3:GetEncryptionConfiguration") { s, c in
            try s.getDocument(c, \.encryption, missing: nil)
        },
        .init("DeleteBucketEncryption", "DELETE", .bucket, sub: "encryption", action: "s3:PutEncryptionConfiguration") { s, c in
            try s.deleteDocument(c, \.encryption)
        },
        .init("PutBucketNotificationConfiguration", "PUT", .bucket, sub: "notification", action: "s3:PutBucketNotification") { s, c in
            try s.putBucketNotification(c)
        },
        .init("GetBucketNotificationConfiguration", "GET", .bucket, sub: "notification", action: "s3:GetBucketNotification") { s, c in
            try s.getDocument(c, \.notification, missing: nil)
        },
        .init("ListMultipartUploads", "GET", .bucket, sub: "uploads", action: "s3:ListBucketMultipartUploads") { s, c in
            try s.listMultipartUploads(c)
        },
        .init("DeleteObjects", "POST", .bucket, sub: "delete", action: "s3:DeleteObject", itemized: true) { s, c in try s.deleteObjects(c) },
        .init("PutObject", "PUT", .object, action: "s3:PutObject") { s, c in try s.putObject(c) },
        .init("CopyObject", "PUT", .object, header: "x-amz-copy-source", action: "s3:PutObject") { s, c in try s.copyObject(c) },
        .init("GetObject", "GET", .object, action: "s3:GetObject") { s, c in try s.getObject(c) },
        .init("HeadObject", "HEAD", .object, action: "s3:GetObject") { s, c in try s.getObject(c) },
        .init("DeleteObject", "DELETE", .object, action: "s3:DeleteObject") { s, c in try s.deleteObject(c) },
        .init("PutObjectTagging", "PUT", .object, sub: "tagging", action: "s3:PutObjectTagging") { s, c in try s.putObjectTagging(c) },
        .init("GetObjectTagging", "GET", .object, sub: "tagging", action: "s3:GetObjectTagging") { s, c in try s.getObjectTagging(c) },
        .init("DeleteObjectTagging", "DELETE", .object, sub: "tagging", action: "s3:DeleteObjectTagging") { s, c in
            try s.deleteObjectTagging(c)
        },
        .init("CreateMultipartUpload", "POST", .object, sub: "uploads", action: "s3:PutObject") { s, c in try s.createMultipartUpload(c) },
        .init("UploadPart", "PUT", .object, sub: "uploadId", action: "s3:PutObject") { s, c in try s.uploadPart(c) },
        .init("UploadPartCopy", "PUT", .object, sub: "uploadId", header: "x-amz-copy-source", action: "s3:PutObject") { s, c in
            try s.uploadPartCopy(c)
        },
        .init("CompleteMultipartUpload", "POST", .object, sub: "uploadId", action: "s3:PutObject") { s, c in
            try s.completeMultipartUpload(c)
        },
        .init("AbortMultipartUpload", "DELETE", .object, sub: "uploadId", action: "s3:AbortMultipartUpload") { s, c in
            try s.abortMultipartUpload(c)
        },
        .init("ListParts", "GET", .object, sub: "uploadId", action: "s3:ListMultipartUploadParts") { s, c in try s.listParts(c) },
    ]

    /// Query keys that name a subresource S3 has but this server does not serve: answered NotImplemented rather than
    /// taken for the plain operation (a GET `?acl` is not a listing).
    static let unservedSubresources: Set<String> = [
        "acl", "cors", "website", "logging", "lifecycle", "replication", "requestPayment", "accelerate", "analytics",
        "inventory", "metrics", "intelligent-tiering", "object-lock", "ownershipControls", "legal-hold", "retention",
        "restore", "select", "torrent", "attributes", "policyStatus",
    ]

    /// The row for a request: the method and target must match; among those, the row naming the most of the request's
    /// subresource and header wins, and a row naming one the request lacks never does.
    static func resolve(method: String, target: S3Operation.Target, query: [String: String], headers: WireRequest) -> S3Operation? {
        var best: (S3Operation, Int)?
        for op in table where op.method == method && op.target == target {
            var score = 0
            if let sub = op.subresource { guard query[sub] != nil else { continue }; score += 2 }
            if let h = op.header { guard headers.header(h) != nil else { continue }; score += 1 }
            if best == nil || score > best!.1 { best = (op, score) }
        }
        return best?.0
    }
}
