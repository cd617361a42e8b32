/// CRC-32 (IEEE 802.3, zlib's) and CRC-32C (Castagnoli), computed incrementally: S3's `x-amz-checksum-crc32` and
/// `-crc32c`. Slicing-by-8 tables, so a large body costs about a byte per cycle, not eight.
public struct CRC32: Sendable {
    /// The reflected polynomials.
    public static let ieeePolynomial: UInt32 = 0xEDB8_8320
    public static let castagnoliPolynomial: UInt32 = 0x82F6_3B78

    private static let ieeeTables = makeTables(ieeePolynomial)
    private static let castagnoliTables = makeTables(castagnoliPolynomial)

    private let tables: [UInt32]
    private var crc: UInt32 = 0xFFFF_FFFF

    public init(castagnoli: Bool = false) { tables = castagnoli ? Self.castagnoliTables : Self.ieeeTables }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var c = crc
        tables.withUnsafeBufferPointer { t in
            var i = 0
            let n = bytes.count
            while i + 8 <= n {
                let lo = UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24
                let hi = UInt32(bytes[i + 4]) | UInt32(bytes[i + 5]) << 8 | UInt32(bytes[i + 6]) << 16 | UInt32(bytes[i + 7]) << 24
                let x = c ^ lo
                c = t[7 * 256 + Int(x & 0xFF)] ^ t[6 * 256 + Int((x >> 8) & 0xFF)]
                    ^ t[5 * 256 + Int((x >> 16) & 0xFF)] ^ t[4 * 256 + Int(x >> 24)]
                    ^ t[3 * 256 + Int(hi & 0xFF)] ^ t[2 * 256 + Int((hi >> 8) & 0xFF)]
                    ^ t[1 * 256 + Int((hi >> 16) & 0xFF)] ^ t[Int(hi >> 24)]
                i += 8
            }
            while i < n {
                c = t[Int((c ^ UInt32(bytes[i])) & 0xFF)] ^ (c >> 8)
                i += 1
            }
        }
        crc = c
    }

    public mutating func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { update($0) } }

    public var value: UInt32 { crc ^ 0xFFFF_FFFF }

    /// Big-endian bytes, as S3 base64-encodes them.
    public var bigEndianBytes: [UInt8] {
        let v = value
        return [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
    }

    static func makeTables(_ poly: UInt32) -> [UInt32] { slicingTables(poly) }
}

/// The eight 256-entry tables of a reflected CRC computed eight bytes at a time (slicing-by-8), for any width.
func slicingTables<T: FixedWidthInteger & UnsignedInteger>(_ poly: T) -> [T] {
    var t = [T](repeating: 0, count: 8 * 256)
    for i in 0..<256 {
        var c = T(i)
        for _ in 0..<8 { c = (c & 1) != 0 ? (c >> 1) ^ poly : c >> 1 }
        t[i] = c
    }
    for k in 1..<8 {
        for i in 0..<256 {
            let prev = t[(k - 1) * 256 + i]
            t[k * 256 + i] = (prev >> 8) ^ t[Int(prev & 0xFF)]
        }
    }
    return t
}
