import CloudModel
import Testing
@testable import DNS

/// Which names resolve where: the zone planned from a `CloudState`.
@Suite struct DNSZoneTests {
    let zone = Fixture.zone(hosts: [.init(name: "www.example.com", address: IPv4Address("203.0.113.10")!)])

    @Test func serviceNamesOfEveryRegionAndTheGlobalOnes() {
        let edge = { (s: String, r: String?) in ServiceEdge.address(service: s, region: r)!.description }
        for (name, service, region) in [
            ("sts.us-east-1.amazonaws.com", "sts", "us-east-1"), ("s3.eu-west-1.amazonaws.com", "s3", "eu-west-1"),
            ("dynamodb.ap-southeast-2.amazonaws.com", "dynamodb", "ap-southeast-2"), ("sqs.mx-central-1.amazonaws.com", "sqs", "mx-central-1"),
            ("sts-fips.us-east-2.amazonaws.com", "sts", "us-east-2"), ("s3.dualstack.us-west-2.amazonaws.com", "s3", "us-west-2"),
            ("lambda.eu-central-1.api.aws", "lambda", "eu-central-1"), ("email.us-east-1.amazonaws.com", "ses", "us-east-1"),
            ("api.ecr.us-east-1.amazonaws.com", "ecr.api", "us-east-1"),
            ("123456789012.dkr.ecr.us-east-1.amazonaws.com", "ecr.dkr", "us-east-1"),
            ("abc123.execute-api.us-east-1.amazonaws.com", "execute-api", "us-east-1"),
            ("s3-external-1.amazonaws.com", "s3", "us-east-1"), ("s3-us-west-2.amazonaws.com", "s3", "us-west-2"),
        ] as [(String, String, String)] {
            #expect(zone.lookup(name, from: .lambdaNetwork).data == [edge(service, region)], "\(name)")
            #expect(zone.lookup(name, from: .vpc("vpc-a")).data == [edge(service, region)], "\(name)")
        }
        for global in ["iam", "sts", "s3"] {
            #expect(zone.lookup("\(global).amazonaws.com", from: .vpc("vpc-b")).data == [edge(global, nil)])
        }
    }

    @Test func virtualHostedBucketsAreCNAMEsOfTheirEndpoint() {
        #expect(zone.lookup("my.dotted.bucket.s3.us-east-2.amazonaws.com", from: .lambdaNetwork).data
            == ["CNAME s3.us-east-2.amazonaws.com.", ServiceEdge.address(service: "s3", region: "us-east-2")!.description])
        #expect(zone.lookup("bucket.s3.amazonaws.com", from: .lambdaNetwork).data
            == ["CNAME s3.amazonaws.com.", ServiceEdge.address(service: "s3", region: nil)!.description])
        #expect(zone.lookup("bucket.s3.amazonaws.com", DNSType.cname, from: .lambdaNetwork).data == ["CNAME s3.amazonaws.com."])
    }

    @Test func unknownNamesAreNXDOMAINAndNamesWithoutThatTypeAreNODATA() {
        for name in ["nope.example", "sts.nowhere-1.amazonaws.com", "nosuchservice.us-east-1.amazonaws.com", "other.example.com",
                     "ip-10-9-9-9.ec2.internal", "sts.us-east-1.amazonaws.com.evil"] {
            let a = zone.answer(DNSQuestion(name: DNSName(name)!, type: DNSType.a), from: .lambdaNetwork)
            #expect(a.rcode == DNSRcode.nameError && a.answers.isEmpty && a.authority.first?.type == DNSType.soa, "\(name)")
        }
        // The SOA is the closest apex's.
        let soa = zone.answer(DNSQuestion(name: DNSName("nosuch.us-east-1.amazonaws.com")!, type: DNSType.a), from: .lambdaNetwork).authority
        #expect(soa.map(\.name.key) == ["amazonaws.com"])
        // AAAA of a service name, MX of a host, empty non-terminals (above a service, above a host): the name exists,
        // the type does not.
        for (name, type) in [("sts.us-east-1.amazonaws.com", DNSType.aaaa), ("www.example.com", DNSType.mx),
                             ("us-east-1.amazonaws.com", DNSType.a), ("example.com", DNSType.a)] {
            let a = zone.answer(DNSQuestion(name: DNSName(name)!, type: type), from: .lambdaNetwork)
            #expect(a.rcode == DNSRcode.noError && a.answers.isEmpty && a.authority.count == 1, "\(name)")
        }
    }

    @Test func privateNamesResolveOnlyInsideTheirVPCWithHostnames() {
        #expect(zone.lookup("ip-10-0-1-4.ec2.internal", from: .vpc("vpc-a")).data == ["10.0.1.4"])
        #expect(zone.lookup("IP-10-0-1-4.EC2.INTERNAL", from: .vpc("vpc-a")).data == ["10.0.1.4"])
        #expect(zone.lookup("ip-10-0-1-4.ec2.internal", from: .vpc("vpc-b")).rcode == DNSRcode.nameError)
        #expect(zone.lookup("ip-10-0-1-4.ec2.internal", from: .lambdaNetwork).rcode == DNSRcode.nameError)
        #expect(zone.lookup("4.1.0.10.in-addr.arpa", DNSType.ptr, from: .vpc("vpc-a")).data == ["PTR ip-10-0-1-4.ec2.internal."])
        #expect(zone.lookup("4.1.0.10.in-addr.arpa", DNSType.ptr, from: .vpc("vpc-b")).rcode == DNSRcode.nameError)
        // vpc-c has enableDnsHostnames off.
        #expect(zone.lookup("ip-10-2-1-4.ec2.internal", from: .vpc("vpc-c")).rcode == DNSRcode.nameError)
        // Outside us-east-1 the domain is REGION.compute.internal.
        let west = Fixture.zone(region: "eu-west-1")
        #expect(west.lookup("ip-10-0-1-4.eu-west-1.compute.internal", from: .vpc("vpc-a")).data == ["10.0.1.4"])
        #expect(west.lookup("ip-10-0-1-4.ec2.internal", from: .vpc("vpc-a")).rcode == DNSRcode.nameError)
    }

    @Test func resolverServesOnlyVPCsWithDNSSupport() {
        #expect(zone.serves(.vpc("vpc-a")) && zone.serves(.vpc("vpc-c")) && zone.serves(.lambdaNetwork))
        #expect(!zone.serves(.vpc("vpc-d")) && !zone.serves(.vpc("vpc-unknown")))
    }

    @Test func internetHostsResolveEverywhere() {
        for view in [DNSView.lambdaNetwork, .vpc("vpc-a"), .vpc("vpc-c")] {
            #expect(zone.lookup("www.example.com", from: view).data == ["203.0.113.10"])
            #expect(zone.lookup("WWW.Example.COM.", from: view).data == ["203.0.113.10"])
        }
    }

    @Test func endpointOverridesWinInsideTheirVPCOnly() {
        let z = Fixture.zone(overrides: [.init(vpcId: "vpc-a", names: ["sqs.us-east-1.amazonaws.com", "*.vpce-1.sqs.us-east-1.vpce.amazonaws.com"],
                                               addresses: [IPv4Address("10.0.1.50")!, IPv4Address("10.0.2.50")!])])
        #expect(z.lookup("sqs.us-east-1.amazonaws.com", from: .vpc("vpc-a")).data == ["10.0.1.50", "10.0.2.50"])
        #expect(z.lookup("sqs.us-east-1.amazonaws.com", from: .vpc("vpc-b")).data
            == [ServiceEdge.address(service: "sqs", region: "us-east-1")!.description])
        #expect(z.lookup("us-east-1a.vpce-1.sqs.us-east-1.vpce.amazonaws.com", from: .vpc("vpc-a")).data == ["10.0.1.50", "10.0.2.50"])
        #expect(z.lookup("us-east-1a.vpce-1.sqs.us-east-1.vpce.amazonaws.com", from: .vpc("vpc-b")).rcode == DNSRcode.nameError)
    }
}
