/// CRC-64/NVME (reflected polynomial 0x9A6C9329AC4BC9B5, all-ones start and final XOR), computed incrementally: S3's
/// `x-amz-checksum-crc64nvme`, the checksum S3 keeps of whole objects. Slicing-by-8 tables, as `CRC32`.
public struct CRC64NVME: Sendable {
    public static let polynomial: UInt64 = 0x9A6C_9329_AC4B_C9B5
    private static let tables = makeTables()
    private var crc: UInt64 = ~0

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var c = crc
        Self.tables.withUnsafeBufferPointer { t in
            var i = 0
            let n = bytes.count
            while i + 8 <= n {
                var word: UInt64 = 0
                for k in 0..<8 { word |= UInt64(bytes[i + k]) << (8 * UInt64(k)) }
                let x = c ^ word
                c = t[7 * 256 + Int(x & 0xFF)] ^ t[6 * 256 + Int((x >> 8) & 0xFF)]
                    ^ t[5 * 256 + Int((x >> 16) & 0xFF)] ^ t[4 * 256 + Int((x >> 24) & 0xFF)]
                    ^ t[3 * 256 + Int((x >> 32) & 0xFF)] ^ t[2 * 256 + Int((x >> 40) & 0xFF)]
                    ^ t[1 * 256 + Int((x >> 48) & 0xFF)] ^ t[Int(x >> 56)]
                i += 8
            }
            while i < n {
                c = t[Int((c ^ UInt64(bytes[i])) & 0xFF)] ^ (c >> 8)
                i += 1
            }
        }
        crc = c
    }

    public mutating func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { update($0) } }

    public var value: UInt64 { ~crc }

    /// Big-endian bytes, as S3 base64-encodes them.
    public var bigEndianBytes: [UInt8] { (0..<8).map { UInt8((value >> (8 * UInt64(7 - $0))) & 0xFF) } }

    static func makeTables() -> [UInt64] { slicingTables(polynomial) }
}
