import Crypto
import Foundation
import Synchronization

/// Where function zips live, addressed by the hex SHA-256 of their bytes (a port: Persistence has the file implementation).
public protocol CodeStore: Sendable {
    /// Stores `zip` under `sha256Hex` (storing the same content again does nothing) and holds it against removal as
    /// unreferenced until `release`: the caller commits the record that references it in between.
    func put(_ zip: [UInt8], sha256Hex: String) throws
    /// Ends the hold of one successful `put`.
    func release(sha256Hex: String)
    /// The zip stored under `sha256Hex`, or nil.
    func get(sha256Hex: String) throws -> [UInt8]?
}

/// A CodeStore in memory, for tests.
public final class InMemoryCodeStore: CodeStore {
    private let blobs = Mutex<[String: [UInt8]]>([:])
    public init() {}
    public func put(_ zip: [UInt8], sha256Hex: String) throws { blobs.withLock { $0[sha256Hex] = zip } }
    public func release(sha256Hex: String) {}
    public func get(sha256Hex: String) throws -> [UInt8]? { blobs.withLock { $0[sha256Hex] } }
}

/// A deployment package's identity as Lambda reports it (base64) and as the code store files it (hex).
public struct CodeDigest: Sendable, Equatable {
    public var base64: String
    public var hex: String
    public var size: Int

    public init(of bytes: [UInt8]) {
        let d = Array(SHA256.hash(data: bytes))
        base64 = Data(d).base64EncodedString()
        let digits = Array("0123456789abcdef".utf8)
        var h: [UInt8] = []
        h.reserveCapacity(64)
        for b in d { h.append(digits[Int(b >> 4)]); h.append(digits[Int(b & 0xF)]) }
        hex = String(decoding: h, as: UTF8.self)
        size = bytes.count
    }
}
