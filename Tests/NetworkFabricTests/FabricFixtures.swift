import CloudModel
@testable import NetworkFabric

/// Small builders for models, so tests read like the cloud they describe.
enum Fx {
    static func cidr(_ s: String) -> IPv4CIDR { IPv4CIDR(s)! }
    static func ip(_ s: String) -> IPv4Address { IPv4Address(s)! }

    static func tcp(_ id: String, _ from: Int, _ to: Int? = nil, from peer: FabricModel.Peer, egress: Bool = false) -> FabricModel.Rule {
        .init(id: id, isEgress: egress, ipProtocol: "tcp", fromPort: from, toPort: to ?? from, peer: peer)
    }

    static func all(_ id: String, _ peer: FabricModel.Peer, egress: Bool) -> FabricModel.Rule {
        .init(id: id, isEgress: egress, ipProtocol: "-1", fromPort: -1, toPort: -1, peer: peer)
    }

    static let anywhere = FabricModel.Peer.cidr(cidr("0.0.0.0/0"))

    /// VPC `vpc-a` 10.0.0.0/16 with subnets 10.0.1.0/24 and 10.0.2.0/24 and three ENIs:
    /// web (10.0.1.10, sg-web: tcp 8080 from the VPC, tcp 9000 from sg-app), app (10.0.2.20, sg-app: no ingress,
    /// egress only tcp 8080-8081 anywhere and tcp 9000 to sg-web), other (10.0.2.30, sg-other: all tcp from the VPC).
    static func twoSubnetVPC(vpc: String = "vpc-0aaa0000000000001") -> FabricModel {
        let s1 = "subnet-0aaa000000000001", s2 = "subnet-0aaa000000000002"
        return FabricModel(
            vpcs: [.init(id: vpc, cidr: cidr("10.0.0.0/16"))],
            subnets: [.init(id: s1, vpcId: vpc, cidr: cidr("10.0.1.0/24")), .init(id: s2, vpcId: vpc, cidr: cidr("10.0.2.0/24"))],
            routeTables: [.init(id: "rtb-0aaa00000000000001", vpcId: vpc, isMain: true, subnetIds: [],
                                routes: [.init(destination: cidr("10.0.0.0/16"), target: .local)])],
            securityGroups: [
                .init(id: "sg-web", vpcId: vpc, rules: [
                    tcp("sgr-web-8080", 8080, from: .cidr(cidr("10.0.0.0/16"))),
                    tcp("sgr-web-9000", 9000, from: .group("sg-app")),
                    all("sgr-web-out", anywhere, egress: true),
                ]),
                .init(id: "sg-app", vpcId: vpc, rules: [
                    tcp("sgr-app-out-8080", 8080, 8081, from: anywhere, egress: true),
                    tcp("sgr-app-out-9000", 9000, from: .group("sg-web"), egress: true),
                ]),
                .init(id: "sg-other", vpcId: vpc, rules: [
                    tcp("sgr-other-in", 0, 65535, from: .cidr(cidr("10.0.0.0/16"))),
                    all("sgr-other-out", anywhere, egress: true),
                ]),
            ],
            interfaces: [
                .init(id: "eni-web", subnetId: s1, address: ip("10.0.1.10"), groupIds: ["sg-web"]),
                .init(id: "eni-app", subnetId: s2, address: ip("10.0.2.20"), groupIds: ["sg-app"], interfaceType: "lambda"),
                .init(id: "eni-other", subnetId: s2, address: ip("10.0.2.30"), groupIds: ["sg-other"]),
            ])
    }

    /// A second VPC, 10.1.0.0/16, one subnet, one wide-open ENI at 10.1.1.10.
    static func isolatedVPC() -> (vpc: FabricModel.VPC, subnet: FabricModel.Subnet, group: FabricModel.SecurityGroup,
                                  eni: FabricModel.Interface) {
        let vpc = "vpc-0bbb0000000000001", sub = "subnet-0bbb000000000001"
        return (.init(id: vpc, cidr: cidr("10.1.0.0/16")), .init(id: sub, vpcId: vpc, cidr: cidr("10.1.1.0/24")),
                .init(id: "sg-b", vpcId: vpc, rules: [all("sgr-b-in", anywhere, egress: false), all("sgr-b-out", anywhere, egress: true)]),
                .init(id: "eni-b", subnetId: sub, address: ip("10.1.1.10"), groupIds: ["sg-b"]))
    }

    static func withVPC(_ m: FabricModel, _ extra: (vpc: FabricModel.VPC, subnet: FabricModel.Subnet,
                                                    group: FabricModel.SecurityGroup, eni: FabricModel.Interface)) -> FabricModel {
        FabricModel(vpcs: m.vpcs + [extra.vpc], subnets: m.subnets + [extra.subnet], routeTables: m.routeTables,
                    securityGroups: m.securityGroups + [extra.group], interfaces: m.interfaces + [extra.eni])
    }
}

extension FabricModel {
    /// Appends rules to the group with id `groupId`.
    mutating func addRules(to groupId: String, _ rules: [Rule]) {
        securityGroups[securityGroups.firstIndex { $0.id == groupId }!].rules += rules
    }

    mutating func removeRule(_ ruleId: String) {
        for i in securityGroups.indices { securityGroups[i].rules.removeAll { $0.id == ruleId } }
    }

    mutating func addGroup(_ groupId: String, toInterface eniId: String) {
        interfaces[interfaces.firstIndex { $0.id == eniId }!].groupIds.append(groupId)
    }
}
