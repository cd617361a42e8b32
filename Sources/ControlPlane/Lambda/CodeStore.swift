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

/// The minimal zip check Lambda's "Could not unzip" stands for: a local file header at the start (or an
/// empty archive) and an end-of-central-directory record near the end.
public enum ZipArchive {
    /// Lambda's limit on a deployment package's unzipped size: 250 MB.
    public static let unzippedLimit = 262_144_000

    /// The sum of the uncompressed sizes the central directory declares (zip64 sizes included), read without
    /// inflating anything; nil when the directory cannot be read. A zip bomb that declares its sizes is refused by
    /// this before a byte is unpacked.
    public static func declaredUnzippedSize(_ b: [UInt8]) -> UInt64? {
        func u16(_ i: Int) -> UInt64? { i >= 0 && i + 2 <= b.count ? UInt64(b[i]) | UInt64(b[i + 1]) << 8 : nil }
        func u32(_ i: Int) -> UInt64? {
            guard let lo = u16(i), let hi = u16(i + 2) else { return nil }
            return lo | hi << 16
        }
        func u64(_ i: Int) -> UInt64? {
            guard let lo = u32(i), let hi = u32(i + 4) else { return nil }
            return lo | hi << 32
        }
        guard b.count >= 22 else { return nil }
        var eocd = b.count - 22
        let lowest = max(0, b.count - 22 - 65535)
        while eocd >= lowest && u32(eocd) != 0x0605_4b50 { eocd -= 1 }
        guard eocd >= lowest, var entries = u16(eocd + 10), var offset = u32(eocd + 16) else { return nil }
        if entries == 0xFFFF || offset == 0xFFFF_FFFF {
            // The zip64 end record, found through its locator just before the classic one.
            guard u32(eocd - 20) == 0x0706_4b50, let at = u64(eocd - 12), at < UInt64(b.count),
                  u32(Int(at)) == 0x0606_4b50, let n = u64(Int(at) + 32), let o = u64(Int(at) + 48) else { return nil }
            entries = n; offset = o
        }
        var total: UInt64 = 0
        var i = Int(clamping: offset)
        for _ in 0..<entries {
            guard u32(i) == 0x0201_4b50, var size = u32(i + 24), let nameLength = u16(i + 28), let extraLength = u16(i + 30),
                  let commentLength = u16(i + 32) else { return nil }
            if size == 0xFFFF_FFFF {
                // The zip64 extra field (id 1) holds the real size first.
                var e = i + 46 + Int(nameLength)
                let end = e + Int(extraLength)
                while e + 4 <= end, let id = u16(e), let length = u16(e + 2) {
                    if id == 1, let real = u64(e + 4) { size = real; break }
                    e += 4 + Int(length)
                }
            }
            total = total.addingReportingOverflow(size).overflow ? UInt64.max : total + size
            i += 46 + Int(nameLength) + Int(extraLength) + Int(commentLength)
        }
        return total
    }

    public static func looksValid(_ b: [UInt8]) -> Bool {
        guard b.count >= 22 else { return false }
        let startsWithEntry = b[0] == 0x50 && b[1] == 0x4B && b[2] == 0x03 && b[3] == 0x04
        let emptyArchive = b[0] == 0x50 && b[1] == 0x4B && b[2] == 0x05 && b[3] == 0x06
        guard startsWithEntry || emptyArchive else { return false }
        // The EOCD is 22 bytes plus a comment of up to 65535 bytes.
        let lowest = max(0, b.count - 22 - 65535)
        var i = b.count - 22
        while i >= lowest {
            if b[i] == 0x50 && b[i + 1] == 0x4B && b[i + 2] == 0x05 && b[i + 3] == 0x06 { return true }
            i -= 1
        }
        return false
    }
}
