/// Generates identifiers in AWS's shapes (`vpc-` + 17 hex digits, `ela-attach-` + 17, ...).
public enum ResourceID {
    /// A new id with the given prefix and `digits` random lower-case hex digits.
    public static func make(_ prefix: String, digits: Int = 17) -> String {
        var g = SystemRandomNumberGenerator()
        return make(prefix, digits: digits, using: &g)
    }

    public static func make<G: RandomNumberGenerator>(_ prefix: String, digits: Int = 17, using g: inout G) -> String {
        let hex = Array("0123456789abcdef")
        var s = prefix + "-"
        for _ in 0..<digits { s.append(hex[Int(g.next() & 0xF)]) }
        return s
    }

    /// True when `id` is `prefix-` followed by hex digits (AWS accepts 8 or 17).
    public static func isWellFormed(_ id: String, prefix: String) -> Bool {
        guard id.hasPrefix(prefix + "-") else { return false }
        let rest = id.dropFirst(prefix.count + 1)
        return (rest.count == 8 || rest.count == 17) && rest.allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }

    /// A MAC address for an ENI, locally administered (0x02 first octet).
    public static func macAddress() -> String {
        var g = SystemRandomNumberGenerator()
        let bytes = [UInt8(0x02)] + (0..<5).map { _ in UInt8.random(in: 0...255, using: &g) }
        return bytes.map { b in
            let h = String(b, radix: 16)
            return h.count == 1 ? "0" + h : h
        }.joined(separator: ":")
    }
}
