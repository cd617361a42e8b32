/// Turns one query's bytes into the answer's bytes (pure): checks the query as a resolver must, asks `lookup` for
/// the records of its one question, and fits the answer to the transport. Queries it does not serve get FORMERR
/// (malformed, not exactly one question, a second OPT), NOTIMP (an opcode other than QUERY, MAILA/MAILB),
/// REFUSED (a class other than IN, zone transfers) or BADVERS (EDNS version above 0).
public enum DNSResponder {
    /// The largest UDP answer this server sends to an EDNS client (the 2020 DNS flag day's figure: no IP
    /// fragmentation on any usual path); without EDNS, RFC 1035's 512.
    public static let maxUDPPayload: UInt16 = 1232
    public static let classicUDPPayload = 512

    public enum Transport: Sendable { case udp, tcp }

    /// Nil when nothing should be sent back: fewer than 12 bytes, or a message that is itself a response
    /// (answering those invites loops between servers).
    public static func respond(to query: [UInt8], over transport: Transport,
                               lookup: (DNSQuestion) -> DNSAnswer) -> [UInt8]? {
        var reader = DNSMessageReader(query)
        guard let header = try? reader.header(), !header.isResponse else { return nil }
        var reply = DNSHeader(id: header.id, flags: 0)
        reply.isResponse = true
        reply.recursionDesired = header.recursionDesired
        reply.recursionAvailable = true
        reply.checkingDisabled = header.checkingDisabled
        reply.flags |= UInt16(header.opcode) << 11

        guard let message = try? DNSMessageReader.parse(query) else {
            reply.rcode = UInt8(DNSRcode.formatError)
            return DNSMessageWriter.encode(DNSMessage(header: reply))
        }
        let opts = message.additional.filter { $0.type == DNSType.opt }
        let edns = opts.first.map(EDNSOptions.init)
        var out = DNSMessage(header: reply, questions: message.questions)
        func finish(_ rcode: UInt16) -> [UInt8] {
            out.header.rcode = UInt8(rcode & 0xF)
            if let edns {
                out.additional.append(EDNSOptions(udpPayloadSize: maxUDPPayload, extendedRcode: UInt8(rcode >> 4),
                                                  dnssecOK: edns.dnssecOK).record)
            }
            return fit(out, limit: limit(transport, edns))
        }

        guard header.opcode == 0 else { return finish(DNSRcode.notImplemented) }
        guard message.questions.count == 1, opts.count <= 1, opts.allSatisfy({ $0.name.labels.isEmpty }) else {
            out.questions = message.questions.count == 1 ? message.questions : []
            return finish(DNSRcode.formatError)
        }
        if let edns, edns.version > 0 { return finish(DNSRcode.badVersion) }
        let q = message.questions[0]
        switch q.type {
        case DNSType.opt: return finish(DNSRcode.formatError)
        case DNSType.axfr, DNSType.ixfr: return finish(DNSRcode.refused)
        case DNSType.maila, DNSType.mailb: return finish(DNSRcode.notImplemented)
        default: break
        }
        guard q.qclass == DNSClass.internet || q.qclass == DNSClass.any else { return finish(DNSRcode.refused) }
        let answer = lookup(q)
        out.answers = answer.answers
        out.authority = answer.authority
        return finish(answer.rcode)
    }

    /// The payload limit: 64 KiB on TCP, the client's EDNS size capped at ours on UDP, 512 without EDNS.
    static func limit(_ transport: Transport, _ edns: EDNSOptions?) -> Int {
        if transport == .tcp { return 65535 }
        guard let edns else { return classicUDPPayload }
        return max(classicUDPPayload, min(Int(edns.udpPayloadSize), Int(maxUDPPayload)))
    }

    /// The message if it fits, else the header with TC set, the question and the OPT record: the client retries
    /// over TCP (RFC 7766).
    static func fit(_ m: DNSMessage, limit: Int) -> [UInt8] {
        let full = DNSMessageWriter.encode(m)
        if full.count <= limit { return full }
        var cut = DNSMessage(header: m.header, questions: m.questions, additional: m.additional.filter { $0.type == DNSType.opt })
        cut.header.isTruncated = true
        return DNSMessageWriter.encode(cut)
    }
}

/// What a zone answers to one question.
public struct DNSAnswer: Sendable, Equatable {
    /// Up to 12 bits; the responder splits it between the header and the OPT record.
    public var rcode: UInt16
    public var answers: [DNSRecord]
    public var authority: [DNSRecord]

    public init(rcode: UInt16 = DNSRcode.noError, answers: [DNSRecord] = [], authority: [DNSRecord] = []) {
        self.rcode = rcode; self.answers = answers; self.authority = authority
    }
}
