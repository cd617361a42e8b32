import Foundation

/// An S3 bucket's record: its global name, its region, and its configuration documents. Buckets live in S3's own
/// store (not `CloudState`): the namespace is global and objects are too many to hold in memory.
public struct S3Bucket: Codable, Sendable, Equatable {
    public var name: String
    public var region: String
    public var owner: String
    public var created: Double
    /// nil (never enabled), `Enabled` or `Suspended`.
    public var versioning: String?
    public var tags: [S3Tag]?
    public var policy: String?
    /// Configuration documents kept as the XML the client sent (re-served as is).
    public var publicAccessBlock: String?
    public var encryption: String?
    public var notification: String?

    public init(name: String, region: String, owner: String, created: Double) {
        self.name = name
        self.region = region
        self.owner = owner
        self.created = created
    }
}

/// A tag of a bucket or an object.
public struct S3Tag: Codable, Sendable, Equatable {
    public var key: String
    public var value: String
    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// One version of an object (the only one, `null`, in a bucket without versioning), or a delete marker.
public struct S3Object: Codable, Sendable, Equatable {
    public var bucket: String
    public var key: String
    public var versionId: String
    public var isDeleteMarker: Bool
    public var size: Int64
    /// Quoted, as S3 sends it: `"md5hex"` or `"md5hex-N"` for a multipart upload.
    public var etag: String
    public var lastModified: Double
    /// Content-Type, Content-Encoding, Content-Disposition, Cache-Control, Content-Language, Expires as sent.
    public var headers: [String: String]
    /// `x-amz-meta-*` without the prefix, names lower-cased.
    public var metadata: [String: String]
    /// Base64 digests by algorithm (`CRC32`, `CRC32C`, `SHA1`, `SHA256`); for multipart, of the parts' digests.
    public var checksums: [String: String]
    public var tags: [S3Tag]
    /// The file under the data dir's `s3/objects/` holding the bytes (nil for a delete marker).
    public var blob: String?
    /// Number of parts when completed from a multipart upload.
    public var partsCount: Int?
    /// The checksum kind: `FULL_OBJECT` or `COMPOSITE` (multipart).
    public var checksumType: String?

    public init(bucket: String, key: String, versionId: String = "null", isDeleteMarker: Bool = false, size: Int64 = 0,
                etag: String = "", lastModified: Double, headers: [String: String] = [:], metadata: [String: String] = [:],
                checksums: [String: String] = [:], tags: [S3Tag] = [], blob: String? = nil) {
        self.bucket = bucket
        self.key = key
        self.versionId = versionId
        self.isDeleteMarker = isDeleteMarker
        self.size = size
        self.etag = etag
        self.lastModified = lastModified
        self.headers = headers
        self.metadata = metadata
        self.checksums = checksums
        self.tags = tags
        self.blob = blob
    }
}

/// A multipart upload in progress: what CreateMultipartUpload fixed for the object to be.
public struct S3Upload: Codable, Sendable, Equatable {
    public var uploadId: String
    public var bucket: String
    public var key: String
    public var initiated: Double
    public var headers: [String: String]
    public var metadata: [String: String]
    public var tags: [S3Tag]
    public var checksumAlgorithm: String?
    public var initiator: String

    public init(uploadId: String, bucket: String, key: String, initiated: Double, headers: [String: String],
                metadata: [String: String], tags: [S3Tag], checksumAlgorithm: String?, initiator: String) {
        self.uploadId = uploadId
        self.bucket = bucket
        self.key = key
        self.initiated = initiated
        self.headers = headers
        self.metadata = metadata
        self.tags = tags
        self.checksumAlgorithm = checksumAlgorithm
        self.initiator = initiator
    }
}

/// One uploaded part of a multipart upload.
public struct S3Part: Codable, Sendable, Equatable {
    public var uploadId: String
    public var number: Int
    public var size: Int64
    /// Quoted MD5 hex of the part.
    public var etag: String
    public var lastModified: Double
    public var blob: String
    public var checksums: [String: String]

    public init(uploadId: String, number: Int, size: Int64, etag: String, lastModified: Double, blob: String,
                checksums: [String: String]) {
        self.uploadId = uploadId
        self.number = number
        self.size = size
        self.etag = etag
        self.lastModified = lastModified
        self.blob = blob
        self.checksums = checksums
    }
}

/// What the S3 store refuses on its own (checked inside its transactions).
public enum S3StoreError: Error, Sendable {
    case noSuchBucket
    case noSuchUpload
}

/// The outcome of deleting a bucket.
public enum S3BucketDeletion: Sendable { case deleted, missing, notEmpty }
