/// A domain name as its labels, each the bytes a client sent (case kept): the root has none. Matching is by
/// `key`, the lower-cased presentation form, so `STS.us-east-1.AmazonAWS.com` finds the same records.
public struct DNSName: Hashable, Sendable, CustomStringConvertible {
    public var labels: [[UInt8]]

    /// At most 255 octets on the wire (RFC 1035 §2.3.4), labels 1 to 63 octets.
    public static let maxWireLength = 255
    public static let maxLabelLength = 63
    public static let root = DNSName(labels: [])

    public init(labels: [[UInt8]]) { self.labels = labels }

    /// From dotted text (`sts.us-east-1.amazonaws.com`, a final dot allowed, `.` or "" for the root); nil when a
    /// label is empty or too long, or the whole is too long. Only plain names: no escapes.
    public init?(_ text: String) {
        var t = Substring(text)
        if t.hasSuffix(".") { t = t.dropLast() }
        if t.isEmpty { self.labels = []; return }
        let labels = t.split(separator: ".", omittingEmptySubsequences: false).map { Array($0.utf8) }
        guard labels.allSatisfy({ !$0.isEmpty && $0.count <= Self.maxLabelLength }) else { return nil }
        self.labels = labels
        guard wireLength <= Self.maxWireLength else { return nil }
    }

    /// Octets on the wire without compression: a length byte per label, the labels, the root's zero byte.
    public var wireLength: Int { labels.reduce(1) { $0 + 1 + $1.count } }

    /// Lower-case presentation form without the final dot ("" for the root): what zones are keyed by. A dot or
    /// an unprintable byte inside a label is escaped, so a single label `a.b` never matches the two labels `a`, `b`.
    public var key: String { Self.text(labels, lower: true) }

    /// Presentation form with the final dot (`example.com.`, `.` for the root).
    public var description: String { labels.isEmpty ? "." : Self.text(labels, lower: false) + "." }

    /// The name without its first `n` labels.
    public func dropping(_ n: Int) -> DNSName { DNSName(labels: Array(labels.dropFirst(n))) }

    static func text(_ labels: [[UInt8]], lower: Bool) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(labels.reduce(0) { $0 + $1.count + 1 })
        for (i, label) in labels.enumerated() {
            if i > 0 { out.append(0x2E) }
            for var b in label {
                if lower, b >= 0x41, b <= 0x5A { b |= 0x20 }
                switch b {
                case 0x2E, 0x5C:
                    out.append(0x5C); out.append(b)
                case 0x21...0x7E:
                    out.append(b)
                default:
                    out.append(0x5C)
                    out.append(0x30 + b / 100); out.append(0x30 + (b / 10) % 10); out.append(0x30 + b % 10)
                }
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
