import Foundation

/// Readers for the typed condition values: numbers, dates, IP ranges, base64 bytes.
enum ConditionValues {
    static func number(_ s: String) -> Double? {
        guard !s.isEmpty, let d = Double(s), d.isFinite else { return nil }
        return d
    }

    /// Seconds since the epoch from ISO 8601 (`2024-01-02`, `2024-01-02T03:04:05Z`, `...05.123+02:00`)
    /// or from an epoch number (`1704164645`).
    static func date(_ s: String) -> Double? {
        if let n = Double(s), s.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }),
           !s.contains("-") || s.hasPrefix("-") {
            return n
        }
        let b = Array(s.utf8)
        var i = 0
        func digits(_ n: Int) -> Int? {
            guard i + n <= b.count else { return nil }
            var v = 0
            for k in 0..<n {
                let c = b[i + k]
                guard c >= 0x30 && c <= 0x39 else { return nil }
                v = v * 10 + Int(c - 0x30)
            }
            i += n
            return v
        }
        func expect(_ c: Character) -> Bool {
            guard i < b.count, b[i] == c.asciiValue! else { return false }
            i += 1
            return true
        }
        guard let y = digits(4), expect("-"), let mo = digits(2), expect("-"), let d = digits(2),
              (1...12).contains(mo), (1...31).contains(d) else { return nil }
        var h = 0, mi = 0, sec = 0.0, offset = 0
        if i < b.count {
            guard b[i] == UInt8(ascii: "T") || b[i] == UInt8(ascii: "t") || b[i] == UInt8(ascii: " ") else { return nil }
            i += 1
            guard let hh = digits(2), expect(":"), let mm = digits(2), hh < 24, mm < 60 else { return nil }
            h = hh; mi = mm
            if expect(":") {
                guard let ss = digits(2), ss < 61 else { return nil }
                sec = Double(ss)
                if expect(".") {
                    let start = i
                    while i < b.count, b[i] >= 0x30 && b[i] <= 0x39 { i += 1 }
                    guard i > start, let frac = Double("0." + String(decoding: b[start..<i], as: UTF8.self)) else { return nil }
                    sec += frac
                }
            }
            if i < b.count {
                if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
                    i += 1
                } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
                    let sign = b[i] == UInt8(ascii: "-") ? -1 : 1
                    i += 1
                    guard let oh = digits(2) else { return nil }
                    _ = expect(":")
                    guard let om = digits(2) else { return nil }
                    offset = sign * (oh * 3600 + om * 60)
                } else {
                    return nil
                }
            }
        }
        guard i == b.count else { return nil }
        return Double(daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 - offset) + sec
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func base64(_ s: String) -> [UInt8]? { Data(base64Encoded: s).map { Array($0) } }

    /// Compares two strings folding ASCII letters, without allocating.
    static func equalsIgnoringASCIICase(_ a: String, _ b: String) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        return zip(a.utf8, b.utf8).allSatisfy { Glob.fold($0) == Glob.fold($1) }
    }
}

/// An IPv4 or IPv6 range (`10.0.0.0/8`, `2001:db8::/32`; a bare address is a single-address range).
struct IPRange: Sendable, Equatable {
    let bytes: [UInt8]
    let prefix: Int

    init?(_ s: String) {
        var addr = Substring(s)
        var prefix: Int?
        var slash: String.Index?
        var hasColon = false
        var i = s.utf8.startIndex
        while i != s.utf8.endIndex {
            let b = s.utf8[i]
            if b == UInt8(ascii: "/") && slash == nil { slash = i }
            if b == UInt8(ascii: ":") { hasColon = true }
            i = s.utf8.index(after: i)
        }
        if let slash {
            addr = s[..<slash]
            guard let p = Int(s[s.index(after: slash)...]) else { return nil }
            prefix = p
        }
        guard let b = hasColon ? IPRange.ipv6(addr) : IPRange.ipv4(addr) else { return nil }
        let maxBits = b.count * 8
        let p = prefix ?? maxBits
        guard (0...maxBits).contains(p) else { return nil }
        bytes = b
        self.prefix = p
    }

    /// A dotted-quad IPv4 address without a prefix, as a number; nil for anything else (each part one to three
    /// digits, at most 255).
    static func ipv4Address(_ s: String) -> UInt32? { ipv4Value(s.utf8) }

    private static func ipv4Value<S: Sequence>(_ utf8: S) -> UInt32? where S.Element == UInt8 {
        var address: UInt32 = 0
        var value: UInt32 = 0
        var digits = 0
        var dots = 0
        for b in utf8 {
            if b == UInt8(ascii: ".") {
                guard digits > 0, dots < 3 else { return nil }
                address = address << 8 | value
                value = 0
                digits = 0
                dots += 1
            } else if b >= 0x30 && b <= 0x39 {
                value = value * 10 + UInt32(b - 0x30)
                digits += 1
                guard digits <= 3, value <= 255 else { return nil }
            } else {
                return nil
            }
        }
        guard digits > 0, dots == 3 else { return nil }
        return address << 8 | value
    }

    /// `contains` for a single IPv4 address (as `ipv4Address` gives it).
    func contains(ipv4 address: UInt32) -> Bool {
        guard bytes.count == 4 else { return false }
        let mine = UInt32(bytes[0]) << 24 | UInt32(bytes[1]) << 16 | UInt32(bytes[2]) << 8 | UInt32(bytes[3])
        let mask: UInt32 = prefix == 0 ? 0 : ~UInt32(0) << UInt32(32 - prefix)
        return mine & mask == address & mask
    }

    func contains(_ other: IPRange) -> Bool {
        guard other.bytes.count == bytes.count, other.prefix >= prefix else { return false }
        var bits = prefix
        var k = 0
        while bits > 0 {
            let mask: UInt8 = bits >= 8 ? 0xFF : ~(0xFF >> UInt8(bits))
            if bytes[k] & mask != other.bytes[k] & mask { return false }
            bits -= 8
            k += 1
        }
        return true
    }

    static func ipv4(_ s: Substring) -> [UInt8]? {
        ipv4Value(s.utf8).map { [UInt8($0 >> 24), UInt8($0 >> 16 & 0xFF), UInt8($0 >> 8 & 0xFF), UInt8($0 & 0xFF)] }
    }

    static func ipv6(_ s: Substring) -> [UInt8]? {
        let halves = s.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ text: String) -> [UInt8]? {
            if text.isEmpty { return [] }
            var out: [UInt8] = []
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            for (n, p) in parts.enumerated() {
                if n == parts.count - 1, p.contains(".") {
                    guard let v4 = ipv4(p) else { return nil }
                    out += v4
                    continue
                }
                guard (1...4).contains(p.count), let v = UInt16(p, radix: 16) else { return nil }
                out += [UInt8(v >> 8), UInt8(v & 0xFF)]
            }
            return out
        }
        guard let head = groups(halves[0]) else { return nil }
        if halves.count == 1 { return head.count == 16 ? head : nil }
        guard let tail = groups(halves[1]), head.count + tail.count <= 14 else { return nil }
        return head + [UInt8](repeating: 0, count: 16 - head.count - tail.count) + tail
    }
}
