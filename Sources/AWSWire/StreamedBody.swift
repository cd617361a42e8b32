/// A request body the server took as it arrived (S3 object uploads): the bytes of a small one, else the file a larger
/// one was written to; how long the decoded payload is, and its digests, computed on the way.
public struct StreamedBody: Sendable {
    /// The file holding the decoded payload (aws-chunked framing removed); empty (no file exists) when `bytes` holds it.
    public var path: String
    /// The decoded payload when it was small enough to stay in memory.
    public var bytes: [UInt8]?
    public var length: Int64
    public var md5: [UInt8]
    /// Lower-case hex SHA-256 of the payload, when asked for (a stated hex `x-amz-content-sha256`).
    public var sha256Hex: String?
    /// Base64 digests by algorithm name (`CRC32`, `CRC32C`, `CRC64NVME`, `SHA1`, `SHA256`), those asked for.
    public var checksums: [String: String]
    /// aws-chunked trailers (names lower-cased), e.g. `x-amz-checksum-crc32`.
    public var trailers: [String: String]
    /// Set when the encoding was broken or a chunk signature did not verify; the request must be refused.
    public var failure: StreamedBodyFailure?

    public init(path: String, length: Int64, md5: [UInt8], sha256Hex: String? = nil, checksums: [String: String] = [:],
                trailers: [String: String] = [:], failure: StreamedBodyFailure? = nil, bytes: [UInt8]? = nil) {
        self.path = path
        self.bytes = bytes
        self.length = length
        self.md5 = md5
        self.sha256Hex = sha256Hex
        self.checksums = checksums
        self.trailers = trailers
        self.failure = failure
    }
}

/// Why a streamed body cannot be used.
public enum StreamedBodyFailure: Error, Sendable, Equatable {
    case encoding(String)
    case chunkSignature
    case io(String)
}
