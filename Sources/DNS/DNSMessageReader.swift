/// Parses DNS messages from untrusted bytes: every length is checked, compression pointers must point backwards
/// (so they cannot loop) and names stay within 255 octets. Throws `DNSWireError`, never traps.
public struct DNSMessageReader {
    let bytes: [UInt8]
    var offset = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// The whole message; trailing bytes after the last counted record are refused.
    public static func parse(_ bytes: [UInt8]) throws(DNSWireError) -> DNSMessage {
        var r = DNSMessageReader(bytes)
        var m = DNSMessage(header: try r.header())
        for _ in 0..<m.header.questionCount { m.questions.append(try r.question()) }
        for _ in 0..<m.header.answerCount { m.answers.append(try r.record()) }
        for _ in 0..<m.header.authorityCount { m.authority.append(try r.record()) }
        for _ in 0..<m.header.additionalCount { m.additional.append(try r.record()) }
        guard r.offset == bytes.count else { throw .trailingBytes }
        return m
    }

    public mutating func header() throws(DNSWireError) -> DNSHeader {
        var h = DNSHeader(id: try u16(), flags: try u16())
        h.questionCount = try u16(); h.answerCount = try u16(); h.authorityCount = try u16(); h.additionalCount = try u16()
        return h
    }

    public mutating func question() throws(DNSWireError) -> DNSQuestion {
        DNSQuestion(name: try name(), type: try u16(), qclass: try u16())
    }

    public mutating func record() throws(DNSWireError) -> DNSRecord {
        let owner = try name()
        let type = try u16(), rclass = try u16(), ttl = try u32()
        let length = Int(try u16())
        guard offset + length <= bytes.count else { throw .truncated }
        let end = offset + length
        let data: DNSRecordData
        switch type {
        case DNSType.a, DNSType.aaaa:
            guard length == (type == DNSType.a ? 4 : 16) else { throw .badRecordData }
            data = .address(Array(bytes[offset..<end]))
            offset = end
        case DNSType.cname, DNSType.ptr, DNSType.ns:
            data = .name(try name())
        case DNSType.soa:
            data = .soa(DNSSOA(primary: try name(), mailbox: try name(), serial: try u32(), refresh: try u32(),
                               retry: try u32(), expire: try u32(), minimum: try u32()))
        default:
            data = .raw(Array(bytes[offset..<end]))
            offset = end
        }
        guard offset == end else { throw .badRecordData }
        return DNSRecord(name: owner, type: type, rclass: rclass, ttl: ttl, data: data)
    }

    /// A possibly compressed name (RFC 1035 §4.1.4). A pointer must point before the pointer itself, so every
    /// jump goes strictly backwards and the walk ends.
    public mutating func name() throws(DNSWireError) -> DNSName {
        var labels: [[UInt8]] = []
        var length = 1
        var position = offset
        var resume: Int?
        while true {
            guard position < bytes.count else { throw .truncated }
            let b = bytes[position]
            switch b & 0xC0 {
            case 0x00:
                if b == 0 {
                    offset = resume ?? position + 1
                    return DNSName(labels: labels)
                }
                let n = Int(b)
                guard position + 1 + n <= bytes.count else { throw .truncated }
                length += 1 + n
                guard length <= DNSName.maxWireLength else { throw .nameTooLong }
                labels.append(Array(bytes[(position + 1)..<(position + 1 + n)]))
                position += 1 + n
            case 0xC0:
                guard position + 1 < bytes.count else { throw .truncated }
                let target = Int(b & 0x3F) << 8 | Int(bytes[position + 1])
                guard target < position else { throw .badPointer }
                if resume == nil { resume = position + 2 }
                position = target
            default:
                // 0x40 and 0x80: extended and binary labels, obsolete (RFC 6891 §5).
                throw .badLabelType
            }
        }
    }

    mutating func u16() throws(DNSWireError) -> UInt16 {
        guard offset + 2 <= bytes.count else { throw .truncated }
        defer { offset += 2 }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    mutating func u32() throws(DNSWireError) -> UInt32 {
        UInt32(try u16()) << 16 | UInt32(try u16())
    }
}

/// Why bytes are not a DNS message.
public enum DNSWireError: Error, Equatable, Sendable {
    case truncated
    case trailingBytes
    case nameTooLong
    case badPointer
    case badLabelType
    case badRecordData
}
