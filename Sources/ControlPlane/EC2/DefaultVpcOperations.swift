import AWSWire
import CloudModel
import Foundation

/// The default VPC every region has on AWS: 172.31.0.0/16, one default /20 subnet per zone that maps public IPs on
/// launch, an attached internet gateway with the main route table's 0.0.0.0/0 to it, and the VPC's default group and ACL.
enum DefaultVpc {
    static let cidr = IPv4CIDR("172.31.0.0/16")!

    /// The zone's default subnet: the zone's index picks its /20 (172.31.0.0/20, 172.31.16.0/20, ...).
    static func subnetCidr(zoneIndex: Int) -> IPv4CIDR {
        IPv4CIDR(address: IPv4Address(cidr.network.value + UInt32(zoneIndex) << 12), prefixLength: 20)
    }

    static func existing(_ s: CloudState) -> Vpc? { s.vpcs.values.filter(\.isDefault).min { $0.id < $1.id } }

    /// The default subnet of `zone` (or of the first zone that has one), where requests naming no subnet go.
    static func subnet(_ s: CloudState, zone: String?) -> Subnet? {
        guard let vpc = existing(s) else { return nil }
        let defaults = s.subnets.values.filter { $0.vpcId == vpc.id && $0.defaultForAz == true }
        if let zone { return defaults.first { $0.availabilityZone == zone } }
        return defaults.min { $0.availabilityZone < $1.availabilityZone }
    }

    /// Writes the whole default VPC into `tx` and returns it.
    static func create(in tx: inout Transaction, zones: AvailabilityZones, accountId: String) -> Vpc {
        let vpc = Vpc(id: ResourceID.make("vpc"), cidrBlock: cidr, cidrAssociationId: ResourceID.make("vpc-cidr-assoc"),
                      instanceTenancy: "default", isDefault: true, dhcpOptionsId: "dopt-00000000000000000",
                      ownerId: accountId, tags: [], createdAt: tx.now)
        tx.put(vpc)
        VpcDefaults.create(for: vpc, in: &tx)
        let igw = InternetGateway(id: ResourceID.make("igw"), attachedVpcId: vpc.id, ownerId: accountId, tags: [], createdAt: tx.now)
        tx.put(igw)
        if let main = tx.state.routeTables.values.first(where: { $0.vpcId == vpc.id && $0.isMain }) {
            tx.update(RouteTable.self, main.id) {
                $0.routes.append(.init(destination: VpcDefaults.anywhere, gatewayId: igw.id, origin: "CreateRoute"))
            }
        }
        for (i, zone) in zones.zones.enumerated() { addSubnet(in: &tx, vpc: vpc, zone: zone, index: i, accountId: accountId) }
        return vpc
    }

    @discardableResult
    static func addSubnet(in tx: inout Transaction, vpc: Vpc, zone: AvailabilityZones.Zone, index: Int, accountId: String) -> Subnet {
        var subnet = Subnet(id: ResourceID.make("subnet"), vpcId: vpc.id, cidrBlock: subnetCidr(zoneIndex: index),
                            availabilityZone: zone.name, availabilityZoneId: zone.id, mapPublicIpOnLaunch: true,
                            ownerId: accountId, tags: [], createdAt: tx.now)
        subnet.defaultForAz = true
        tx.put(subnet)
        if let acl = tx.state.networkAcls.values.first(where: { $0.vpcId == vpc.id && $0.isDefault }) {
            tx.update(NetworkAcl.self, acl.id) { $0.associations.append(.init(id: ResourceID.make("aclassoc"), subnetId: subnet.id)) }
        }
        return subnet
    }
}

extension EC2Service {
    /// Gives the region its default VPC the first time it is used (never again once deleted: CreateDefaultVpc does).
    public func provisionDefaultVpcOnce() throws {
        if store.snapshot().regionSettings[RegionSettings.rowId] != nil { return }
        try store.write { tx in
            if tx.get(RegionSettings.self, RegionSettings.rowId) != nil { return }
            tx.put(RegionSettings(defaultVpcProvisioned: true))
            if DefaultVpc.existing(tx.state) == nil { _ = DefaultVpc.create(in: &tx, zones: zones, accountId: accountId) }
        }
    }

    func createDefaultVpc(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let vpc = try mutate(p) { tx -> Vpc in
            if DefaultVpc.existing(tx.state) != nil { throw EC2Errors.defaultVpcExists() }
            if tx.get(RegionSettings.self, RegionSettings.rowId) == nil { tx.put(RegionSettings(defaultVpcProvisioned: true)) }
            return DefaultVpc.create(in: &tx, zones: zones, accountId: accountId)
        }
        return EC2XML.response("CreateDefaultVpc", requestID: ctx.requestID) { w in
            w.element("vpc") { EC2XML.vpc(&$0, vpc) }
        }
    }

    func createDefaultSubnet(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let name = try required(p, "AvailabilityZone")
        guard let zone = zones.byName(name) else { throw EC2Errors.invalidZone(name, valid: zones.zones.map(\.name)) }
        let index = zones.zones.firstIndex(of: zone) ?? 0
        let subnet = try mutate(p) { tx -> Subnet in
            guard let vpc = DefaultVpc.existing(tx.state) else { throw EC2Errors.defaultVpcMissing() }
            if tx.state.subnets.values.contains(where: { $0.vpcId == vpc.id && $0.availabilityZone == zone.name && $0.defaultForAz == true }) {
                throw EC2Errors.defaultSubnetExists(zone.name)
            }
            let cidr = DefaultVpc.subnetCidr(zoneIndex: index)
            if tx.state.subnets.values.contains(where: { $0.vpcId == vpc.id && $0.cidrBlock.overlaps(cidr) }) {
                throw EC2Errors.subnetConflict(cidr.description)
            }
            return DefaultVpc.addSubnet(in: &tx, vpc: vpc, zone: zone, index: index, accountId: accountId)
        }
        return EC2XML.response("CreateDefaultSubnet", requestID: ctx.requestID) { w in
            w.element("subnet") { EC2XML.subnet(&$0, subnet, interfaces: 0, region: self.region) }
        }
    }
}
