// libFuzzer target: a DNS query as the VPC resolver's listeners read it (UDP and TCP), through the message
// reader, the responder's checks, a zone lookup (private names, a wildcard override, an internet host, AWS service
// names with CNAMEs) and the writer. The answer must parse back.
import CloudModel
@testable import DNS
import Foundation

let zone: DNSZone = {
    var s = CloudState()
    var v = Vpc(id: "vpc-a", cidrBlock: IPv4CIDR("10.0.0.0/16")!, cidrAssociationId: "c", instanceTenancy: "default",
                isDefault: true, dhcpOptionsId: "d", ownerId: "123456789012", tags: [], createdAt: Date(timeIntervalSince1970: 0))
    v.dnsHostnames = true
    s.vpcs[v.id] = v
    s.networkInterfaces["eni-a"] = NetworkInterface(
        id: "eni-a", subnetId: "subnet-a", vpcId: "vpc-a", availabilityZone: "us-east-1a", privateIpAddress: IPv4Address("10.0.1.4")!,
        macAddress: "02:00:00:00:00:01", groupIds: [], interfaceType: "interface", description: "", requesterId: nil,
        requesterManaged: false, status: "in-use", sourceDestCheck: true, attachment: nil, ownerId: "123456789012", tags: [],
        createdAt: Date(timeIntervalSince1970: 0))
    return DNSZone.plan(partitions: [.init(region: "us-east-1", state: s)],
                        internetHosts: [.init(name: "www.example.com", address: IPv4Address("203.0.113.10")!)],
                        overrides: [.init(vpcId: "vpc-a", names: ["sqs.us-east-1.amazonaws.com", "*.vpce.example"],
                                          addresses: (1...40).map { IPv4Address(0x0A00_0900 + UInt32($0)) })])
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    for (view, transport) in [(DNSView.vpc("vpc-a"), DNSResponder.Transport.udp), (.lambdaNetwork, .tcp)] {
        guard let reply = DNSResponder.respond(to: bytes, over: transport, lookup: { zone.answer($0, from: view) }) else { continue }
        guard let parsed = try? DNSMessageReader.parse(reply) else { fatalError("answer does not parse: \(reply)") }
        if transport == .udp && reply.count > Int(DNSResponder.maxUDPPayload) { fatalError("UDP answer of \(reply.count) bytes") }
        _ = parsed
    }
    return 0
}
