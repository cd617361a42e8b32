import AWSWire

/// Where Lambda reads a deployment package or layer archive named by `S3Bucket`/`S3Key`/`S3ObjectVersion`: S3,
/// through this port so Lambda does not depend on S3's storage. The read is authorized as the caller's
/// `s3:GetObject`, as Lambda fetches with the caller's credentials on AWS.
public protocol CodeObjectSource: Sendable {
    /// The object's bytes (at most `limit`) and its bucket's region; S3's error (code and message) when it cannot.
    func codeObject(bucket: String, key: String, versionId: String?, limit: Int, context: RequestContext) throws(AWSError)
        -> (bytes: [UInt8], region: String)
}
