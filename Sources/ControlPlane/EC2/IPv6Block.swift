import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An IPv6 CIDR block as EC2 validates it: 16 address bytes and a prefix length, written back in canonical form.
struct IPv6Block: Equatable, Sendable {
    var bytes: [UInt8]
    var prefixLength: Int

    /// Parses `addr/len`; nil when either part is malformed.
    init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let len = Int(parts[1]), (0...128).contains(len), parts[1].allSatisfy(\.isNumber) else { return nil }
        var raw = in6_addr()
        guard inet_pton(AF_INET6, String(parts[0]), &raw) == 1 else { return nil }
        bytes = withUnsafeBytes(of: &raw) { Array($0) }
        prefixLength = len
    }

    init(bytes: [UInt8], prefixLength: Int) { self.bytes = bytes; self.prefixLength = prefixLength }

    /// True when no bit beyond the prefix is set.
    var isNetwork: Bool { (0..<128).allSatisfy { $0 < prefixLength || !bit($0) } }

    /// True when `other` lies inside this block.
    func contains(_ other: IPv6Block) -> Bool {
        other.prefixLength >= prefixLength && (0..<prefixLength).allSatisfy { bit($0) == other.bit($0) }
    }

    func overlaps(_ other: IPv6Block) -> Bool { contains(other) || other.contains(self) }

    private func bit(_ i: Int) -> Bool { bytes[i / 8] & (0x80 >> UInt8(i % 8)) != 0 }

    /// Canonical text (RFC 5952, as inet_ntop writes it): what EC2 answers whatever spelling it was given.
    var description: String {
        var raw = in6_addr()
        withUnsafeMutableBytes(of: &raw) { dst in for (i, b) in bytes.enumerated() { dst[i] = b } }
        var buf = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        _ = inet_ntop(AF_INET6, &raw, &buf, socklen_t(buf.count))
        return String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) + "/\(prefixLength)"
    }
}

/// Hands out VPC IPv6 blocks the way Amazon's pool looks: `2600:1f18:XXXX:XX00::/56`, each used by one VPC only.
enum AmazonIpv6Pool {
    static func allocate(taken: Set<String>) -> String {
        while true {
            let block = IPv6Block(bytes: [0x26, 0x00, 0x1f, 0x18, UInt8.random(in: 0x10...0xff), UInt8.random(in: 0...0xff),
                                          UInt8.random(in: 0x01...0xff), 0] + Array(repeating: 0, count: 8), prefixLength: 56)
            let text = block.description
            if !taken.contains(text) { return text }
        }
    }
}
