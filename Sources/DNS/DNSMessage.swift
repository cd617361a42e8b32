/// A DNS message (RFC 1035 §4): the header and its four sections. `DNSMessageReader` parses one,
/// `DNSMessageWriter` encodes one with name compression.
public struct DNSMessage: Sendable, Equatable {
    public var header: DNSHeader
    public var questions: [DNSQuestion]
    public var answers: [DNSRecord]
    public var authority: [DNSRecord]
    public var additional: [DNSRecord]

    public init(header: DNSHeader, questions: [DNSQuestion] = [], answers: [DNSRecord] = [],
                authority: [DNSRecord] = [], additional: [DNSRecord] = []) {
        self.header = header; self.questions = questions; self.answers = answers
        self.authority = authority; self.additional = additional
    }
}

/// The 12-byte header; the section counts are those read, and are recomputed when written.
public struct DNSHeader: Sendable, Equatable {
    public var id: UInt16
    /// QR, Opcode, AA, TC, RD, RA, Z, AD, CD and RCODE as on the wire.
    public var flags: UInt16
    public var questionCount: UInt16 = 0
    public var answerCount: UInt16 = 0
    public var authorityCount: UInt16 = 0
    public var additionalCount: UInt16 = 0

    public init(id: UInt16, flags: UInt16) { self.id = id; self.flags = flags }

    public var isResponse: Bool { get { bit(15) } set { set(15, newValue) } }
    public var opcode: UInt8 { UInt8((flags >> 11) & 0xF) }
    public var isAuthoritative: Bool { get { bit(10) } set { set(10, newValue) } }
    public var isTruncated: Bool { get { bit(9) } set { set(9, newValue) } }
    public var recursionDesired: Bool { get { bit(8) } set { set(8, newValue) } }
    public var recursionAvailable: Bool { get { bit(7) } set { set(7, newValue) } }
    public var checkingDisabled: Bool { get { bit(4) } set { set(4, newValue) } }
    /// The low four bits of the response code (EDNS carries the upper eight).
    public var rcode: UInt8 {
        get { UInt8(flags & 0xF) }
        set { flags = (flags & ~0xF) | UInt16(newValue & 0xF) }
    }

    private func bit(_ n: UInt16) -> Bool { flags & (1 << n) != 0 }
    private mutating func set(_ n: UInt16, _ on: Bool) { if on { flags |= 1 << n } else { flags &= ~(1 << n) } }
}

/// One entry of the question section.
public struct DNSQuestion: Sendable, Equatable {
    public var name: DNSName
    public var type: UInt16
    public var qclass: UInt16
    public init(name: DNSName, type: UInt16, qclass: UInt16 = DNSClass.internet) { self.name = name; self.type = type; self.qclass = qclass }
}

/// One resource record. An OPT pseudo-record (EDNS) keeps its fields as the wire has them: `rclass` is the
/// sender's UDP payload size and `ttl` packs the extended RCODE, version and flags (see `EDNSOptions`).
public struct DNSRecord: Sendable, Equatable {
    public var name: DNSName
    public var type: UInt16
    public var rclass: UInt16
    public var ttl: UInt32
    public var data: DNSRecordData

    public init(name: DNSName, type: UInt16, rclass: UInt16 = DNSClass.internet, ttl: UInt32, data: DNSRecordData) {
        self.name = name; self.type = type; self.rclass = rclass; self.ttl = ttl; self.data = data
    }

    public static func a(_ name: DNSName, _ address: [UInt8], ttl: UInt32) -> DNSRecord {
        DNSRecord(name: name, type: DNSType.a, ttl: ttl, data: .address(address))
    }
    public static func aaaa(_ name: DNSName, _ address: [UInt8], ttl: UInt32) -> DNSRecord {
        DNSRecord(name: name, type: DNSType.aaaa, ttl: ttl, data: .address(address))
    }
    public static func cname(_ name: DNSName, _ target: DNSName, ttl: UInt32) -> DNSRecord {
        DNSRecord(name: name, type: DNSType.cname, ttl: ttl, data: .name(target))
    }
    public static func ptr(_ name: DNSName, _ target: DNSName, ttl: UInt32) -> DNSRecord {
        DNSRecord(name: name, type: DNSType.ptr, ttl: ttl, data: .name(target))
    }
}

/// Record data: the kinds this server writes, and opaque bytes for everything it only reads.
public enum DNSRecordData: Sendable, Equatable {
    /// A (4 bytes) or AAAA (16 bytes).
    case address([UInt8])
    /// CNAME, PTR or NS: one domain name.
    case name(DNSName)
    case soa(DNSSOA)
    case raw([UInt8])
}

/// The fields of an SOA record (RFC 1035 §3.3.13); `minimum` is the negative-answer TTL (RFC 2308).
public struct DNSSOA: Sendable, Equatable {
    public var primary: DNSName
    public var mailbox: DNSName
    public var serial: UInt32
    public var refresh: UInt32
    public var retry: UInt32
    public var expire: UInt32
    public var minimum: UInt32
    public init(primary: DNSName, mailbox: DNSName, serial: UInt32, refresh: UInt32, retry: UInt32, expire: UInt32, minimum: UInt32) {
        self.primary = primary; self.mailbox = mailbox; self.serial = serial
        self.refresh = refresh; self.retry = retry; self.expire = expire; self.minimum = minimum
    }
}

/// RR types (RFC 1035, 3596, 6891, 1995/5936).
public enum DNSType {
    public static let a: UInt16 = 1
    public static let ns: UInt16 = 2
    public static let cname: UInt16 = 5
    public static let soa: UInt16 = 6
    public static let ptr: UInt16 = 12
    public static let mx: UInt16 = 15
    public static let txt: UInt16 = 16
    public static let aaaa: UInt16 = 28
    public static let opt: UInt16 = 41
    public static let ixfr: UInt16 = 251
    public static let axfr: UInt16 = 252
    public static let mailb: UInt16 = 253
    public static let maila: UInt16 = 254
    public static let any: UInt16 = 255
}

/// RR classes.
public enum DNSClass {
    public static let internet: UInt16 = 1
    public static let any: UInt16 = 255
}

/// Response codes; those above 15 need EDNS (RFC 6891 §6.1.3).
public enum DNSRcode {
    public static let noError: UInt16 = 0
    public static let formatError: UInt16 = 1
    public static let serverFailure: UInt16 = 2
    public static let nameError: UInt16 = 3
    public static let notImplemented: UInt16 = 4
    public static let refused: UInt16 = 5
    public static let badVersion: UInt16 = 16
}

/// The EDNS fields an OPT record carries (RFC 6891 §6.1.3).
public struct EDNSOptions: Sendable, Equatable {
    public var udpPayloadSize: UInt16
    public var extendedRcode: UInt8
    public var version: UInt8
    /// DNSSEC OK: a resolver copies it into its answer (RFC 3225 §3).
    public var dnssecOK: Bool

    public init(udpPayloadSize: UInt16, extendedRcode: UInt8 = 0, version: UInt8 = 0, dnssecOK: Bool = false) {
        self.udpPayloadSize = udpPayloadSize; self.extendedRcode = extendedRcode; self.version = version; self.dnssecOK = dnssecOK
    }

    public init(_ record: DNSRecord) {
        udpPayloadSize = record.rclass
        extendedRcode = UInt8(record.ttl >> 24)
        version = UInt8((record.ttl >> 16) & 0xFF)
        dnssecOK = record.ttl & 0x8000 != 0
    }

    /// The OPT pseudo-record, without options.
    public var record: DNSRecord {
        let ttl = UInt32(extendedRcode) << 24 | UInt32(version) << 16 | (dnssecOK ? 0x8000 : 0)
        return DNSRecord(name: .root, type: DNSType.opt, rclass: udpPayloadSize, ttl: ttl, data: .raw([]))
    }
}
