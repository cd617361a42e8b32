import CloudModel
import Testing
@testable import DNS

/// Exact bytes of queries and answers, written out by hand from RFC 1035's layout.
@Suite struct DNSWireGoldenTests {
    let zone = Fixture.zone()
    let stsQuestion = "03737473 0975732d656173742d31 09616d617a6f6e617773 03636f6d 00 0001 0001"

    @Test func stubQueryEncodesAsRFC1035Says() {
        #expect(hexString(query("sts.us-east-1.amazonaws.com")) == hexString(hex("1234 0100 0001 0000 0000 0000" + stsQuestion)))
    }

    @Test func serviceNameAnswersTheEdgeWithTheOwnerCompressedToTheQuestion() throws {
        let reply = try #require(zone.respond(query("sts.us-east-1.amazonaws.com"), from: .lambdaNetwork))
        // QR RD RA, one answer: owner = pointer to offset 12, A IN, TTL 60, 198.18.14.3 (us-east-1 is slot 14, sts index 2).
        #expect(hexString(reply) == hexString(hex("1234 8180 0001 0001 0000 0000" + stsQuestion
            + "c00c 0001 0001 0000003c 0004 c6120e03")))
    }

    @Test func nxdomainCarriesTheRootSOAAndEchoesOPT() throws {
        let q = query(id: 0xabcd, "nope.example", edns: EDNSOptions(udpPayloadSize: 4096))
        #expect(hexString(q) == hexString(hex("abcd 0100 0001 0000 0000 0001 046e6f7065 076578616d706c65 00 0001 0001"
            + "00 0029 1000 00000000 0000")))
        let reply = try #require(zone.respond(q, from: .lambdaNetwork))
        // RCODE 3; SOA owned by the root; its mailbox's `lambda-vpc.internal` points at the primary's (offset 44);
        // serial 1, refresh 3600, retry 600, expire 86400, minimum 5; our OPT advertises 1232.
        #expect(hexString(reply) == hexString(hex("abcd 8183 0001 0000 0001 0001"
            + "046e6f7065 076578616d706c65 00 0001 0001"
            + "00 0006 0001 00000005 0039"
            + "026e73 0a6c616d6264612d767063 08696e7465726e616c 00"
            + "0a686f73746d6173746572 c02c"
            + "00000001 00000e10 00000258 00015180 00000005"
            + "00 0029 04d0 00000000 0000")))
    }

    @Test func bucketNameIsACNAMEOfItsRegionalEndpointBothCompressed() throws {
        let reply = try #require(zone.respond(query(id: 1, "b.s3.us-east-1.amazonaws.com"), from: .lambdaNetwork))
        let question = "0162 027333 0975732d656173742d31 09616d617a6f6e617773 03636f6d 00 0001 0001"
        // The CNAME's target is the question's suffix at offset 14; so is the A record's owner. s3 is index 6.
        #expect(hexString(reply) == hexString(hex("0001 8180 0001 0002 0000 0000" + question
            + "c00c 0005 0001 0000003c 0002 c00e"
            + "c00e 0001 0001 0000003c 0004 c6120e07")))
    }

    @Test func ptrOfAnInterfaceInsideItsVPC() throws {
        let reply = try #require(zone.respond(query(id: 2, "4.1.0.10.in-addr.arpa", type: DNSType.ptr), from: .vpc("vpc-a")))
        #expect(hexString(reply) == hexString(hex("0002 8180 0001 0001 0000 0000"
            + "0134 0131 0130 023130 07696e2d61646472 0461727061 00 000c 0001"
            + "c00c 000c 0001 0000003c 001a 0b69702d31302d302d312d34 03656332 08696e7465726e616c 00")))
    }

    @Test func answerKeepsTheCaseTheClientAsked() throws {
        let reply = try #require(zone.respond(query("STS.Us-East-1.AmazonAWS.com"), from: .lambdaNetwork))
        let m = try DNSMessageReader.parse(reply)
        #expect(m.questions[0].name.description == "STS.Us-East-1.AmazonAWS.com.")
        #expect(m.answers.map(\.data) == [.address([198, 18, 14, 3])])
    }

    @Test func aaaaRecordsEncodeSixteenBytes() {
        let name = DNSName("v6.example")!
        var w = DNSMessageWriter()
        w.record(.aaaa(name, Array(repeating: 0, count: 15) + [1], ttl: 5))
        #expect(hexString(w.bytes) == hexString(hex("027636 076578616d706c65 00 001c 0001 00000005 0010 00000000000000000000000000000001")))
    }

    @Test func readerFollowsPointersAndRefusesLoopsAndForwardJumps() throws {
        let reply = try #require(zone.respond(query(id: 1, "b.s3.us-east-1.amazonaws.com"), from: .lambdaNetwork))
        let m = try DNSMessageReader.parse(reply)
        #expect(m.answers[0].data == .name(DNSName("s3.us-east-1.amazonaws.com")!))
        #expect(m.answers[1].name.key == "s3.us-east-1.amazonaws.com")

        // A question whose name points at itself, and one that points forward.
        let header = "0001 0100 0001 0000 0000 0000"
        #expect(throws: DNSWireError.badPointer) { try DNSMessageReader.parse(hex(header + "c00c 0001 0001")) }
        #expect(throws: DNSWireError.badPointer) { try DNSMessageReader.parse(hex(header + "c00e 0001 0001 00")) }
        #expect(throws: DNSWireError.badLabelType) { try DNSMessageReader.parse(hex(header + "4000 0001 0001")) }
        #expect(throws: DNSWireError.truncated) { try DNSMessageReader.parse(hex(header + "0361")) }
        #expect(throws: DNSWireError.trailingBytes) { try DNSMessageReader.parse(hex(header + "00 0001 0001 ff")) }
        // 128 labels of one byte = 257 octets: longer than any name may be.
        #expect(throws: DNSWireError.nameTooLong) {
            try DNSMessageReader.parse(hex(header + String(repeating: "0161", count: 128) + "00 0001 0001"))
        }
    }
}
