import AWSWire
import CloudModel
import Foundation

extension EC2Service {
    func createVpc(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let cidrText = try required(p, "CidrBlock")
        guard let cidr = IPv4CIDR(cidrText) else { throw EC2Errors.invalidCidr(cidrText, parameter: "cidrBlock") }
        guard (16...28).contains(cidr.prefixLength) else { throw EC2Errors.vpcRange(cidrText) }
        let tenancy = p["InstanceTenancy"] ?? "default"
        guard tenancy == "default" || tenancy == "dedicated" else { throw EC2Errors.invalidTenancy(tenancy) }
        let tags = try tagSpecifications(p, resourceType: "vpc")
        let vpc = try mutate(p) { tx -> Vpc in
            var vpc = Vpc(id: ResourceID.make("vpc"), cidrBlock: cidr.normalized, cidrAssociationId: ResourceID.make("vpc-cidr-assoc"),
                          instanceTenancy: tenancy, isDefault: false, dhcpOptionsId: "dopt-00000000000000000",
                          ownerId: accountId, tags: tags, createdAt: tx.now)
            if p["AmazonProvidedIpv6CidrBlock"]?.lowercased() == "true" {
                let taken = Set(tx.state.vpcs.values.flatMap { ($0.ipv6CidrBlocks ?? []).map(\.cidrBlock) })
                vpc.ipv6CidrBlocks = [.init(associationId: ResourceID.make("vpc-cidr-assoc"),
                                            cidrBlock: AmazonIpv6Pool.allocate(taken: taken), networkBorderGroup: region)]
            }
            tx.put(vpc)
            VpcDefaults.create(for: vpc, in: &tx)
            return vpc
        }
        return EC2XML.response("CreateVpc", requestID: ctx.requestID) { w in
            w.element("vpc") { EC2XML.vpc(&$0, vpc) }
        }
    }

    func describeVpcs(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let s = store.snapshot()
        let filter = try EC2Filters.compile(p, tags: { (v: Vpc) in v.tags }) {
            [
                "vpc-id": { [$0.id] },
                // `cidr` is the primary block only, as EC2 documents it; the association filters see every block.
                "cidr": { [$0.cidrBlock.description] },
                "cidr-block-association.cidr-block": { $0.ipv4CidrBlocks.map(\.description) },
                "cidr-block-association.association-id": { [$0.cidrAssociationId] + ($0.secondaryCidrBlocks ?? []).map(\.associationId) },
                "cidr-block-association.state": { _ in ["associated"] },
                "ipv6-cidr-block-association.ipv6-cidr-block": { ($0.ipv6CidrBlocks ?? []).map(\.cidrBlock) },
                "ipv6-cidr-block-association.association-id": { ($0.ipv6CidrBlocks ?? []).map(\.associationId) },
                "ipv6-cidr-block-association.ipv6-pool": { ($0.ipv6CidrBlocks ?? []).isEmpty ? [] : ["Amazon"] },
                "ipv6-cidr-block-association.state": { ($0.ipv6CidrBlocks ?? []).isEmpty ? [] : ["associated"] },
                "state": { _ in ["available"] },
                "is-default": { EC2Filters.bool($0.isDefault) },
                // Terraform's `data "aws_vpc" { default = true }` sends the camel-case name, which EC2 accepts too.
                "isDefault": { EC2Filters.bool($0.isDefault) },
                "owner-id": { [$0.ownerId] },
                "dhcp-options-id": { [$0.dhcpOptionsId] },
                "instance-tenancy": { [$0.instanceTenancy] },
            ]
        }
        var vpcs = try lookup(p, "VpcId", prefix: "vpc", in: s.vpcs, notFound: EC2Errors.vpcNotFound) ?? Array(s.vpcs.values)
        if !filter.isEmpty { vpcs = vpcs.filter(filter.matches) }
        vpcs.sort { $0.id < $1.id }
        let page = try EC2Pagination.page(vpcs, key: \.id, p)
        return EC2XML.response("DescribeVpcs", requestID: ctx.requestID) { w in
            w.list("vpcSet", Array(page.items)) { EC2XML.vpc(&$0, $1) }
            w.element("nextToken", page.nextToken)
        }
    }

    func deleteVpc(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let id = try required(p, "VpcId")
        try checkID(id, "vpc")
        try mutate(p) { tx in
            guard tx.get(Vpc.self, id) != nil else { throw EC2Errors.vpcNotFound(id) }
            let s = tx.state
            let blocked = s.subnets.values.contains { $0.vpcId == id }
                || s.securityGroups.values.contains { $0.vpcId == id && $0.name != "default" }
                || s.networkInterfaces.values.contains { $0.vpcId == id }
                || s.routeTables.values.contains { $0.vpcId == id && !$0.isMain }
                || s.networkAcls.values.contains { $0.vpcId == id && !$0.isDefault }
                || s.internetGateways.values.contains { $0.attachedVpcId == id }
                || s.natGateways.values.contains { $0.vpcId == id && $0.state != .deleted && $0.state != .failed }
                || s.instances.values.contains { $0.vpcId == id && $0.state != .terminated }
                || s.vpcEndpoints.values.contains { $0.vpcId == id }
            if blocked { throw EC2Errors.vpcHasDependencies(id) }
            for g in s.securityGroups.values where g.vpcId == id {
                for r in s.securityGroupRules.values where r.groupId == g.id { tx.delete(SecurityGroupRule.self, r.id) }
                tx.delete(SecurityGroup.self, g.id)
            }
            for t in s.routeTables.values where t.vpcId == id { tx.delete(RouteTable.self, t.id) }
            for a in s.networkAcls.values where a.vpcId == id { tx.delete(NetworkAcl.self, a.id) }
            tx.delete(Vpc.self, id)
        }
        return EC2XML.response("DeleteVpc", requestID: ctx.requestID) { $0.element("return", true) }
    }
}

/// What EC2 creates together with every VPC: its main route table, default network ACL and `default` group.
enum VpcDefaults {
    static let anywhere = IPv4CIDR("0.0.0.0/0")!

    static func create(for vpc: Vpc, in tx: inout Transaction) {
        tx.put(RouteTable(id: ResourceID.make("rtb"), vpcId: vpc.id,
                          routes: [.init(destination: vpc.cidrBlock, gatewayId: "local", origin: "CreateRouteTable")],
                          associations: [.init(id: ResourceID.make("rtbassoc"), main: true, subnetId: nil)],
                          ownerId: vpc.ownerId, tags: [], createdAt: tx.now))
        var entries: [NetworkAcl.Entry] = []
        for egress in [true, false] {
            entries.append(.init(ruleNumber: 100, egress: egress, proto: "-1", ruleAction: "allow", cidrBlock: anywhere, fromPort: nil, toPort: nil))
            entries.append(.init(ruleNumber: 32767, egress: egress, proto: "-1", ruleAction: "deny", cidrBlock: anywhere, fromPort: nil, toPort: nil))
        }
        tx.put(NetworkAcl(id: ResourceID.make("acl"), vpcId: vpc.id, isDefault: true, entries: entries, associations: [],
                          ownerId: vpc.ownerId, tags: []))
        let sg = SecurityGroup(id: ResourceID.make("sg"), vpcId: vpc.id, name: "default", description: "default VPC security group",
                               ownerId: vpc.ownerId, tags: [], createdAt: tx.now)
        tx.put(sg)
        var seq = SecurityGroupRules.nextSequence(tx.state)
        tx.put(SecurityGroupRules.allTraffic(group: sg, egress: false, peerGroup: sg.id, sequence: seq))
        seq += 1
        tx.put(SecurityGroupRules.allTraffic(group: sg, egress: true, peerGroup: nil, sequence: seq))
    }
}
