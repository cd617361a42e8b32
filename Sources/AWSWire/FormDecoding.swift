/// Decoding of `application/x-www-form-urlencoded` text and URL query strings.
public enum FormDecoding {
    /// Splits `a=1&b=2` into decoded pairs. Malformed escapes are kept literally rather than rejected,
    /// as AWS's front ends do.
    public static func pairs(_ text: String, plusIsSpace: Bool) -> [(String, String)] {
        if text.isEmpty { return [] }
        var out: [(String, String)] = []
        for part in text.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            if let eq = part.firstIndex(of: UInt8(ascii: "=")) {
                out.append((decode(part[part.startIndex..<eq], plusIsSpace), decode(part[part.index(after: eq)...], plusIsSpace)))
            } else {
                out.append((decode(part[...], plusIsSpace), ""))
            }
        }
        return out
    }

    /// Percent-decodes one component.
    public static func decode<S: Collection>(_ bytes: S, _ plusIsSpace: Bool) -> String where S.Element == UInt8 {
        String(decoding: decodeBytes(bytes, plusIsSpace: plusIsSpace), as: UTF8.self)
    }

    /// Percent-decodes one component to raw bytes, so that bytes which are not UTF-8 survive a
    /// decode/encode round trip (SigV4 re-encodes what the client sent).
    public static func decodeBytes<S: Collection>(_ bytes: S, plusIsSpace: Bool) -> [UInt8] where S.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        while i != bytes.endIndex {
            let c = bytes[i]
            if c == UInt8(ascii: "%") {
                let h1 = bytes.index(after: i)
                if h1 != bytes.endIndex {
                    let h2 = bytes.index(after: h1)
                    if h2 != bytes.endIndex, let a = hexValue(bytes[h1]), let b = hexValue(bytes[h2]) {
                        out.append(a << 4 | b)
                        i = bytes.index(after: h2)
                        continue
                    }
                }
                out.append(c)
            } else if c == UInt8(ascii: "+") && plusIsSpace {
                out.append(UInt8(ascii: " "))
            } else {
                out.append(c)
            }
            i = bytes.index(after: i)
        }
        return out
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// Percent-encodes with SigV4's unreserved set (A-Z a-z 0-9 - _ . ~), upper-case hex.
    public static func encode(_ s: String, keepSlash: Bool = false) -> String {
        String(decoding: encodeBytes(s.utf8, keepSlash: keepSlash), as: UTF8.self)
    }

    /// `encode` on raw bytes.
    public static func encodeBytes<S: Sequence>(_ bytes: S, keepSlash: Bool = false) -> [UInt8] where S.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount)
        for b in bytes {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.append(b)
            case UInt8(ascii: "/") where keepSlash:
                out.append(b)
            default:
                out.append(UInt8(ascii: "%"))
                out.append(upperHexDigits[Int(b >> 4)])
                out.append(upperHexDigits[Int(b & 0xF)])
            }
        }
        return out
    }

    static let upperHexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)
}
