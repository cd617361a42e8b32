/// Encodes DNS messages, compressing every name against the names already written (RFC 1035 §4.1.4): a suffix
/// seen before, in any case, becomes a pointer to its first occurrence.
public struct DNSMessageWriter {
    public private(set) var bytes: [UInt8] = []
    /// Offsets of name suffixes already written, by their `DNSName.key`; only offsets a pointer can reach.
    private var suffixes: [String: Int] = [:]

    public init() { bytes.reserveCapacity(512) }

    /// The message, with the header's counts taken from its sections.
    public static func encode(_ m: DNSMessage) -> [UInt8] {
        var w = DNSMessageWriter()
        var h = m.header
        h.questionCount = UInt16(m.questions.count)
        h.answerCount = UInt16(m.answers.count)
        h.authorityCount = UInt16(m.authority.count)
        h.additionalCount = UInt16(m.additional.count)
        w.header(h)
        for q in m.questions { w.question(q) }
        for r in m.answers + m.authority + m.additional { w.record(r) }
        return w.bytes
    }

    public mutating func header(_ h: DNSHeader) {
        for v in [h.id, h.flags, h.questionCount, h.answerCount, h.authorityCount, h.additionalCount] { u16(v) }
    }

    public mutating func question(_ q: DNSQuestion) {
        name(q.name); u16(q.type); u16(q.qclass)
    }

    public mutating func record(_ r: DNSRecord) {
        name(r.name); u16(r.type); u16(r.rclass); u32(r.ttl)
        let lengthAt = bytes.count
        u16(0)
        switch r.data {
        case .address(let a), .raw(let a): bytes += a
        case .name(let n): name(n)
        case .soa(let s):
            name(s.primary); name(s.mailbox)
            for v in [s.serial, s.refresh, s.retry, s.expire, s.minimum] { u32(v) }
        }
        let length = bytes.count - lengthAt - 2
        bytes[lengthAt] = UInt8(length >> 8); bytes[lengthAt + 1] = UInt8(length & 0xFF)
    }

    public mutating func name(_ n: DNSName) {
        for i in 0..<n.labels.count {
            let key = DNSName.text(Array(n.labels[i...]), lower: true)
            if let at = suffixes[key] {
                u16(0xC000 | UInt16(at))
                return
            }
            if bytes.count < 0x4000 { suffixes[key] = bytes.count }
            bytes.append(UInt8(n.labels[i].count))
            bytes += n.labels[i]
        }
        bytes.append(0)
    }

    mutating func u16(_ v: UInt16) { bytes.append(UInt8(v >> 8)); bytes.append(UInt8(v & 0xFF)) }
    mutating func u32(_ v: UInt32) { u16(UInt16(v >> 16)); u16(UInt16(v & 0xFFFF)) }
}
