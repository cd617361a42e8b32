/// `Fn::Cidr`: consecutive IPv4 blocks carved from the start of a block.
enum Cidr {
    static func subnets(_ block: String, count: Int, hostBits: Int) throws(TemplateError) -> [String] {
        let parts = block.split(separator: "/")
        let octets = parts.first.map { $0.split(separator: ".").compactMap { UInt32($0) } } ?? []
        guard parts.count == 2, octets.count == 4, octets.allSatisfy({ $0 < 256 }), let prefix = Int(parts[1]), (0...32).contains(prefix) else {
            throw .template("Fn::Cidr requires a valid IPv4 CIDR block, not \(block)")
        }
        let newPrefix = 32 - hostBits
        guard (1...256).contains(count), hostBits >= 0, newPrefix >= prefix, newPrefix <= 32 else {
            throw .template("Fn::Cidr cannot carve \(count) blocks of \(hostBits) host bits from \(block)")
        }
        let available = 1 << (newPrefix - prefix)
        guard count <= available else { throw .template("Fn::Cidr cannot carve \(count) blocks of \(hostBits) host bits from \(block)") }
        let base = octets.reduce(UInt32(0)) { $0 << 8 | $1 } & (prefix == 0 ? 0 : ~UInt32(0) << (32 - prefix))
        let size = UInt64(1) << UInt64(hostBits)
        return (0..<count).map { i in
            let a = UInt32(truncatingIfNeeded: UInt64(base) + UInt64(i) * size)
            return "\(a >> 24).\(a >> 16 & 255).\(a >> 8 & 255).\(a & 255)/\(newPrefix)"
        }
    }
}
