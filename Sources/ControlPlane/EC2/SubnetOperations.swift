import AWSWire
import CloudModel
import Foundation

extension EC2Service {
    func createSubnet(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let vpcId = try required(p, "VpcId")
        let cidrText = try required(p, "CidrBlock")
        try checkID(vpcId, "vpc")
        guard let cidr = IPv4CIDR(cidrText) else { throw EC2Errors.invalidCidr(cidrText, parameter: "cidrBlock") }
        let zone: AvailabilityZones.Zone
        if let name = p["AvailabilityZone"] {
            guard let z = zones.byName(name) else { throw EC2Errors.invalidZone(name, valid: zones.zones.map(\.name)) }
            zone = z
        } else if let id = p["AvailabilityZoneId"] {
            guard let z = zones.byId(id) else { throw EC2Errors.invalidZone(id, valid: zones.zones.map(\.name)) }
            zone = z
        } else {
            zone = zones.zones[0]
        }
        let tags = try tagSpecifications(p, resourceType: "subnet")
        let subnet = try mutate(p) { tx -> Subnet in
            guard let vpc = tx.get(Vpc.self, vpcId) else { throw EC2Errors.vpcNotFound(vpcId) }
            guard (16...28).contains(cidr.prefixLength), vpc.ipv4CidrBlocks.contains(where: { $0.contains(cidr) }) else {
                throw EC2Errors.subnetRange(cidrText)
            }
            if tx.state.subnets.values.contains(where: { $0.vpcId == vpcId && $0.cidrBlock.overlaps(cidr) }) {
                throw EC2Errors.subnetConflict(cidrText)
            }
            var subnet = Subnet(id: ResourceID.make("subnet"), vpcId: vpcId, cidrBlock: cidr.normalized, availabilityZone: zone.name,
                                availabilityZoneId: zone.id, mapPublicIpOnLaunch: false, ownerId: accountId, tags: tags, createdAt: tx.now)
            if let ipv6Text = p["Ipv6CidrBlock"] {
                let block = try Self.subnetIpv6Block(ipv6Text, vpc: vpc, subnetId: nil, state: tx.state)
                subnet.ipv6CidrBlock = .init(associationId: ResourceID.make("subnet-cidr-assoc"), cidrBlock: block.description)
            }
            tx.put(subnet)
            // EC2 associates every new subnet with its VPC's default network ACL.
            if let acl = tx.state.networkAcls.values.first(where: { $0.vpcId == vpcId && $0.isDefault }) {
                tx.update(NetworkAcl.self, acl.id) { $0.associations.append(.init(id: ResourceID.make("aclassoc"), subnetId: subnet.id)) }
            }
            return subnet
        }
        return EC2XML.response("CreateSubnet", requestID: ctx.requestID) { w in
            w.element("subnet") { EC2XML.subnet(&$0, subnet, interfaces: 0, region: self.region) }
        }
    }

    func describeSubnets(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let s = store.snapshot()
        let counts = s.networkInterfaces.isEmpty ? [:] : s.interfaceCountBySubnet()
        let region = self.region
        let filter = try EC2Filters.compile(p, tags: { (x: Subnet) in x.tags }) {
            [
                "subnet-id": { [$0.id] },
                "vpc-id": { [$0.vpcId] },
                "cidr-block": { [$0.cidrBlock.description] },
                "cidr": { [$0.cidrBlock.description] },
                "cidrBlock": { [$0.cidrBlock.description] },
                "availability-zone": { [$0.availabilityZone] },
                "availabilityZone": { [$0.availabilityZone] },
                "availability-zone-id": { [$0.availabilityZoneId] },
                "available-ip-address-count": { [String(SubnetAddressing.available($0.cidrBlock, inUse: counts[$0.id] ?? 0))] },
                "state": { _ in ["available"] },
                "default-for-az": { EC2Filters.bool($0.defaultForAz ?? false) },
                "defaultForAz": { _ in ["false"] },
                "owner-id": { [$0.ownerId] },
                "subnet-arn": { ["arn:aws:ec2:\(region):\($0.ownerId):subnet/\($0.id)"] },
                "map-public-ip-on-launch": { EC2Filters.bool($0.mapPublicIpOnLaunch) },
                "ipv6-native": { _ in ["false"] },
                "ipv6-cidr-block-association.ipv6-cidr-block": { $0.ipv6CidrBlock.map { [$0.cidrBlock] } ?? [] },
                "ipv6-cidr-block-association.association-id": { $0.ipv6CidrBlock.map { [$0.associationId] } ?? [] },
                "ipv6-cidr-block-association.state": { $0.ipv6CidrBlock == nil ? [] : ["associated"] },
            ]
        }
        var subnets = try lookup(p, "SubnetId", prefix: "subnet", in: s.subnets, notFound: EC2Errors.subnetNotFound)
            ?? Array(s.subnets.values)
        if !filter.isEmpty { subnets = subnets.filter(filter.matches) }
        subnets.sort { $0.id < $1.id }
        let page = try EC2Pagination.page(subnets, key: \.id, p)
        return EC2XML.response("DescribeSubnets", requestID: ctx.requestID) { w in
            w.list("subnetSet", Array(page.items)) { w, subnet in
                let interfaces = counts[subnet.id] ?? 0
                w.raw(renderedSubnets.fragment(subnet.id, key: SubnetRendering(subnet: subnet, interfaces: interfaces)) {
                    var one = XMLWriter(declaration: false)
                    EC2XML.subnet(&one, subnet, interfaces: interfaces, region: region)
                    return one.text
                })
            }
            w.element("nextToken", page.nextToken)
        }
    }

    func deleteSubnet(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let id = try required(p, "SubnetId")
        try checkID(id, "subnet")
        try mutate(p) { tx in
            guard tx.get(Subnet.self, id) != nil else { throw EC2Errors.subnetNotFound(id) }
            if tx.state.networkInterfaces.values.contains(where: { $0.subnetId == id }) { throw EC2Errors.subnetHasDependencies(id) }
            for acl in tx.state.networkAcls.values where acl.associations.contains(where: { $0.subnetId == id }) {
                tx.update(NetworkAcl.self, acl.id) { $0.associations.removeAll { $0.subnetId == id } }
            }
            for rt in tx.state.routeTables.values where rt.associations.contains(where: { $0.subnetId == id }) {
                tx.update(RouteTable.self, rt.id) { $0.associations.removeAll { $0.subnetId == id } }
            }
            tx.delete(Subnet.self, id)
        }
        return EC2XML.response("DeleteSubnet", requestID: ctx.requestID) { $0.element("return", true) }
    }
}

/// What a subnet's XML depends on: the record and the number of interfaces using its addresses.
struct SubnetRendering: Equatable, Sendable {
    var subnet: Subnet
    var interfaces: Int
}
