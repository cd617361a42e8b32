import CloudModel
import Testing
@testable import DNS

/// What the responder does with queries it does not serve, EDNS, and answers too big for UDP.
@Suite struct DNSResponderTests {
    let zone = Fixture.zone()

    func rcode(_ bytes: [UInt8]?) -> UInt16? {
        guard let bytes, let m = try? DNSMessageReader.parse(bytes) else { return nil }
        let ext = m.additional.first { $0.type == DNSType.opt }.map { UInt16(EDNSOptions($0).extendedRcode) << 4 } ?? 0
        return ext | UInt16(m.header.rcode)
    }

    @Test func refusesWhatItDoesNotServe() {
        #expect(rcode(zone.respond(query("sts.amazonaws.com", qclass: 3), from: .lambdaNetwork)) == DNSRcode.refused)
        #expect(rcode(zone.respond(query("amazonaws.com", type: DNSType.axfr), from: .lambdaNetwork, over: .tcp)) == DNSRcode.refused)
        #expect(rcode(zone.respond(query("sts.amazonaws.com", opcode: 2), from: .lambdaNetwork)) == DNSRcode.notImplemented)
        #expect(rcode(zone.respond(query("sts.amazonaws.com", type: DNSType.maila), from: .lambdaNetwork)) == DNSRcode.notImplemented)
        #expect(rcode(zone.respond(query("sts.amazonaws.com", edns: EDNSOptions(udpPayloadSize: 1232, version: 1)),
                                   from: .lambdaNetwork)) == DNSRcode.badVersion)
    }

    @Test func malformedQueriesGetFormerrWithTheirID() throws {
        // Two questions.
        var two = query("sts.amazonaws.com")
        two[5] = 2
        two += two[12...]
        let reply = try #require(zone.respond(two, from: .lambdaNetwork))
        #expect(reply[0...1] == [0x12, 0x34] && rcode(reply) == DNSRcode.formatError)
        // Garbage after a valid header.
        let garbage = hex("beef 0100 0001 0000 0000 0000 ff")
        let g = try #require(zone.respond(garbage, from: .lambdaNetwork))
        #expect(hexString(g) == "beef8181000000000000" + "0000")
        // Two OPT records.
        var twoOpt = query("sts.amazonaws.com", edns: EDNSOptions(udpPayloadSize: 1232))
        twoOpt[11] = 2
        twoOpt += EDNSOptions(udpPayloadSize: 1232).record.encoded
        #expect(rcode(zone.respond(twoOpt, from: .lambdaNetwork)) == DNSRcode.formatError)
    }

    @Test func responsesAndRuntsAreNotAnswered() {
        var response = query("sts.amazonaws.com")
        response[2] |= 0x80
        #expect(zone.respond(response, from: .lambdaNetwork) == nil)
        #expect(zone.respond([0x12, 0x34, 0x01], from: .lambdaNetwork) == nil)
    }

    @Test func largeAnswersAreTruncatedOnUDPAndWholeOnTCP() throws {
        let many = (1...40).map { IPv4Address("10.0.9.\($0)")! }
        let z = Fixture.zone(overrides: [.init(vpcId: "vpc-a", names: ["big.example"], addresses: many)])
        let udp = try DNSMessageReader.parse(try #require(z.respond(query("big.example"), from: .vpc("vpc-a"))))
        #expect(udp.header.isTruncated && udp.answers.isEmpty && udp.questions.count == 1)
        let edns = try DNSMessageReader.parse(try #require(z.respond(query("big.example", edns: EDNSOptions(udpPayloadSize: 1232)),
                                                                    from: .vpc("vpc-a"))))
        #expect(!edns.header.isTruncated && edns.answers.count == 40)
        let tcp = try DNSMessageReader.parse(try #require(z.respond(query("big.example"), from: .vpc("vpc-a"), over: .tcp)))
        #expect(!tcp.header.isTruncated && tcp.answers.count == 40)
    }

    @Test func ednsAnswerCopiesDOAndAdvertisesOurSize() throws {
        let reply = try #require(zone.respond(query("sts.amazonaws.com", edns: EDNSOptions(udpPayloadSize: 512, dnssecOK: true)),
                                              from: .lambdaNetwork))
        let m = try DNSMessageReader.parse(reply)
        let opt = try #require(m.additional.first)
        #expect(EDNSOptions(opt) == EDNSOptions(udpPayloadSize: 1232, dnssecOK: true))
    }
}

extension DNSRecord {
    var encoded: [UInt8] { var w = DNSMessageWriter(); w.record(self); return w.bytes }
}
