import CloudModel
import Foundation
@testable import DNS

/// Hex with spaces and newlines ignored, for golden byte strings.
func hex(_ text: String) -> [UInt8] {
    let digits = Array(text.filter { $0.isHexDigit })
    return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16)! }
}

func hexString(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

/// A query as a stub resolver sends it: RD set, one question, optionally an OPT record.
func query(id: UInt16 = 0x1234, _ name: String, type: UInt16 = DNSType.a, qclass: UInt16 = DNSClass.internet,
           edns: EDNSOptions? = nil, opcode: UInt16 = 0) -> [UInt8] {
    var h = DNSHeader(id: id, flags: 0x0100 | opcode << 11)
    h.recursionDesired = true
    return DNSMessageWriter.encode(DNSMessage(header: h, questions: [DNSQuestion(name: DNSName(name)!, type: type, qclass: qclass)],
                                              additional: edns.map { [$0.record] } ?? []))
}

enum Fixture {
    static let epoch = Date(timeIntervalSince1970: 0)

    static func vpc(_ id: String, _ cidr: String, hostnames: Bool? = true, support: Bool? = nil) -> Vpc {
        var v = Vpc(id: id, cidrBlock: IPv4CIDR(cidr)!, cidrAssociationId: "vpc-cidr-assoc-" + id, instanceTenancy: "default",
                    isDefault: false, dhcpOptionsId: "dopt-1", ownerId: "123456789012", tags: [], createdAt: epoch)
        v.dnsHostnames = hostnames
        v.dnsSupport = support
        return v
    }

    static func eni(_ id: String, vpc: String, _ ip: String) -> NetworkInterface {
        NetworkInterface(id: id, subnetId: "subnet-" + vpc, vpcId: vpc, availabilityZone: "us-east-1a",
                         privateIpAddress: IPv4Address(ip)!, macAddress: "02:00:00:00:00:01", groupIds: [],
                         interfaceType: "interface", description: "", requesterId: nil, requesterManaged: false,
                         status: "in-use", sourceDestCheck: true, attachment: nil, ownerId: "123456789012", tags: [], createdAt: epoch)
    }

    /// Two VPCs with hostnames (A: 10.0.0.0/16 holding 10.0.1.4, B: 10.1.0.0/16 holding 10.1.1.4), one without
    /// (C: 10.2.0.0/16 holding 10.2.1.4) and one without DNS support (D).
    static func state() -> CloudState {
        var s = CloudState()
        for v in [vpc("vpc-a", "10.0.0.0/16"), vpc("vpc-b", "10.1.0.0/16"), vpc("vpc-c", "10.2.0.0/16", hostnames: nil),
                  vpc("vpc-d", "10.3.0.0/16", support: false)] { s.vpcs[v.id] = v }
        for e in [eni("eni-a", vpc: "vpc-a", "10.0.1.4"), eni("eni-b", vpc: "vpc-b", "10.1.1.4"), eni("eni-c", vpc: "vpc-c", "10.2.1.4")] {
            s.networkInterfaces[e.id] = e
        }
        return s
    }

    static func zone(region: String = "us-east-1", hosts: [DNSZone.InternetHost] = [], overrides: [DNSZone.Override] = []) -> DNSZone {
        DNSZone.plan(partitions: [.init(region: region, state: state())], internetHosts: hosts, overrides: overrides)
    }
}

extension DNSZone {
    /// Answers raw query bytes as the listener of `view` does.
    func respond(_ bytes: [UInt8], from view: DNSView, over transport: DNSResponder.Transport = .udp) -> [UInt8]? {
        DNSResponder.respond(to: bytes, over: transport) { answer($0, from: view) }
    }

    /// The A addresses (dotted) of `name`, or the rcode when there are none.
    func lookup(_ name: String, _ type: UInt16 = DNSType.a, from view: DNSView) -> (rcode: UInt16, data: [String]) {
        let a = answer(DNSQuestion(name: DNSName(name)!, type: type), from: view)
        return (a.rcode, a.answers.map { r in
            switch r.data {
            case .address(let b): return b.map(String.init).joined(separator: ".")
            case .name(let n): return (r.type == DNSType.cname ? "CNAME " : "PTR ") + n.description
            default: return "?"
            }
        })
    }
}
