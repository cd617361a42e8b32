import CloudModel

/// The port S3 keeps its metadata through (buckets, object versions, uploads, parts); `Persistence.SQLiteS3Store`
/// implements it. Every method is one transaction.
public protocol S3MetadataStore: Sendable {
    /// The directory holding `objects/` (bytes) and `incoming/` (uploads being received).
    var root: String { get }
    func bucket(_ name: String) throws -> S3Bucket?
    func buckets() throws -> [S3Bucket]
    func createBucket(_ b: S3Bucket) throws -> S3Bucket?
    @discardableResult func updateBucket(_ name: String, _ change: (inout S3Bucket) throws -> Void) throws -> S3Bucket?
    func deleteBucket(_ name: String) throws -> S3BucketDeletion
    func object(bucket: String, key: String, versionId: String?) throws -> S3Object?
    func putObject(_ o: S3Object, data: [UInt8]?, check: (@Sendable (S3Object?) throws -> Void)?) throws -> [String]
    /// `putObject` without blocking the caller: `completion` runs once the write committed or failed, on a thread of
    /// the store's that it must not block.
    func putObject(_ o: S3Object, data: [UInt8]?, check: (@Sendable (S3Object?) throws -> Void)?,
                   completion: @escaping @Sendable (Result<[String], any Error>) -> Void)
    func objectData(bucket: String, key: String, versionId: String) throws -> [UInt8]?
    func deleteVersion(bucket: String, key: String, versionId: String?) throws -> S3Object?
    func latestObjects(bucket: String, after: String, from: String, limit: Int) throws -> [S3Object]
    func versions(bucket: String, from: String, limit: Int) throws -> [S3Object]
    func updateObject(_ o: S3Object) throws
    func createUpload(_ u: S3Upload) throws
    func upload(_ id: String) throws -> S3Upload?
    func uploads(bucket: String, afterKey: String, afterId: String, limit: Int) throws -> [S3Upload]
    func putPart(_ p: S3Part) throws -> String?
    func parts(uploadId: String) throws -> [S3Part]
    func finishUpload(_ id: String, object: S3Object?) throws -> [String]
    func referencedBlobs() throws -> Set<String>
}
