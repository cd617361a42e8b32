/// An IPv4 address as a 32-bit number, so CIDR math is integer math.
public struct IPv4Address: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var value: UInt32

    public init(_ value: UInt32) { self.value = value }

    /// Parses dotted-quad text strictly: four decimal octets 0-255, no leading `+`, no empty parts.
    public init?(_ text: some StringProtocol) {
        var parts: [UInt32] = []
        var cur: UInt32 = 0
        var digits = 0
        for b in text.utf8 {
            if b == UInt8(ascii: ".") {
                guard digits > 0 else { return nil }
                parts.append(cur); cur = 0; digits = 0
            } else if b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") {
                cur = cur * 10 + UInt32(b - UInt8(ascii: "0"))
                digits += 1
                guard digits <= 3, cur <= 255 else { return nil }
            } else {
                return nil
            }
        }
        guard digits > 0 else { return nil }
        parts.append(cur)
        guard parts.count == 4 else { return nil }
        value = parts[0] << 24 | parts[1] << 16 | parts[2] << 8 | parts[3]
    }

    public var description: String {
        "\(value >> 24).\(value >> 16 & 0xFF).\(value >> 8 & 0xFF).\(value & 0xFF)"
    }

    public static func < (a: IPv4Address, b: IPv4Address) -> Bool { a.value < b.value }

    public init(from decoder: any Decoder) throws {
        let s = try decoder.singleValueContainer().decode(String.self)
        guard let a = IPv4Address(s) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad IPv4 \(s)"))
        }
        self = a
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// An IPv4 CIDR block (`10.0.1.0/24`).
public struct IPv4CIDR: Hashable, Sendable, Codable, CustomStringConvertible {
    public var address: IPv4Address
    public var prefixLength: Int

    public init(address: IPv4Address, prefixLength: Int) {
        self.address = address
        self.prefixLength = prefixLength
    }

    /// Parses `a.b.c.d/n`; `strict` also demands that no host bits are set (as EC2 does for VPCs and subnets).
    public init?(_ text: some StringProtocol, strict: Bool = false) {
        guard let slash = text.firstIndex(of: "/") else { return nil }
        let lenText = text[text.index(after: slash)...]
        guard !lenText.isEmpty, lenText.count <= 2, lenText.allSatisfy({ $0.isASCII && $0.isNumber }),
              let len = Int(lenText), (0...32).contains(len),
              let addr = IPv4Address(text[text.startIndex..<slash]) else { return nil }
        let c = IPv4CIDR(address: addr, prefixLength: len)
        if strict && c.network != addr { return nil }
        self = c
    }

    public var mask: UInt32 { prefixLength == 0 ? 0 : UInt32.max << UInt32(32 - prefixLength) }
    public var network: IPv4Address { IPv4Address(address.value & mask) }
    public var broadcast: IPv4Address { IPv4Address(network.value | ~mask) }
    /// Number of addresses in the block.
    public var size: UInt64 { UInt64(1) << UInt64(32 - prefixLength) }

    /// The block with host bits cleared.
    public var normalized: IPv4CIDR { IPv4CIDR(address: network, prefixLength: prefixLength) }

    public func contains(_ a: IPv4Address) -> Bool { a.value & mask == network.value }

    public func contains(_ other: IPv4CIDR) -> Bool {
        other.prefixLength >= prefixLength && contains(other.network)
    }

    public func overlaps(_ other: IPv4CIDR) -> Bool { contains(other.network) || other.contains(network) }

    /// The n-th address of the block (0 = network address).
    public func address(at offset: UInt32) -> IPv4Address { IPv4Address(network.value &+ offset) }

    public var description: String { "\(network)/\(prefixLength)" }

    public init(from decoder: any Decoder) throws {
        let s = try decoder.singleValueContainer().decode(String.self)
        guard let c = IPv4CIDR(s) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad CIDR \(s)"))
        }
        self = c
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// EC2's address accounting for a subnet: the first four and the last address are reserved
/// (network, VPC router `.1`, DNS `.2`, future use `.3`, broadcast).
public enum SubnetAddressing {
    public static let reservedCount = 5

    /// The assignable host offsets of a subnet: 4 ..< size-1.
    public static func assignableRange(_ cidr: IPv4CIDR) -> Range<UInt32> {
        let size = UInt32(truncatingIfNeeded: cidr.size)
        return 4..<(size - 1)
    }

    /// AvailableIpAddressCount = size − 5 − addresses in use.
    public static func available(_ cidr: IPv4CIDR, inUse: Int) -> Int {
        max(0, Int(cidr.size) - reservedCount - inUse)
    }

    /// The lowest free assignable address, or nil when the subnet is full.
    public static func firstFree(_ cidr: IPv4CIDR, used: Set<IPv4Address>) -> IPv4Address? {
        for off in assignableRange(cidr) {
            let a = cidr.address(at: off)
            if !used.contains(a) { return a }
        }
        return nil
    }

    /// The VPC router's address in a subnet (`.1` of the block).
    public static func routerAddress(_ cidr: IPv4CIDR) -> IPv4Address { cidr.address(at: 1) }
}
