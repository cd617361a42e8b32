import CloudModel
import Foundation

/// The network interfaces managed services put in their customers' subnets (RDS's `RDSNetworkInterface`,
/// ElastiCache's per node), as EC2 describes them: requester-managed, attached by the service's own account.
enum ManagedInterfaces {
    /// Who asked for an interface: the requester id and instance owner EC2 shows, and its description.
    struct Requester {
        var id: String
        var description: String
    }

    /// The subnet a new interface goes to: one in `zone` when given, else the subnet with the most free addresses
    /// (ties by zone and id, so the choice is stable); nil when none has room.
    static func pickSubnet(_ subnetIds: [String], zone: String?, in state: CloudState) -> Subnet? {
        let candidates = subnetIds.compactMap { state.subnets[$0] }.filter { zone == nil || $0.availabilityZone == zone }
        return candidates.filter { SubnetUsage.available($0, in: state) > 0 }.sorted {
            let (a, b) = (SubnetUsage.available($0, in: state), SubnetUsage.available($1, in: state))
            return a != b ? a > b : ($0.availabilityZone, $0.id) < ($1.availabilityZone, $1.id)
        }.first
    }

    /// Writes a new interface in `subnet` under `groups`; nil when the subnet is full.
    static func create(in subnet: Subnet, groups: [String], requester: Requester, accountId: String,
                       _ tx: inout Transaction) -> NetworkInterface? {
        guard let ip = randomFree(subnet.cidrBlock, used: SubnetUsage.used(subnet.id, in: tx.state)) else { return nil }
        let now = tx.now
        let eni = NetworkInterface(
            id: ResourceID.make("eni"), subnetId: subnet.id, vpcId: subnet.vpcId, availabilityZone: subnet.availabilityZone,
            privateIpAddress: ip, macAddress: ResourceID.macAddress(), groupIds: groups, interfaceType: "interface",
            description: requester.description, requesterId: requester.id, requesterManaged: true, status: "in-use",
            sourceDestCheck: true,
            attachment: .init(id: ResourceID.make("eni-attach"), attachTime: now, deleteOnTermination: false, deviceIndex: 1,
                              instanceId: nil, instanceOwnerId: requester.id, status: "attached"),
            ownerId: accountId, tags: [], createdAt: now)
        tx.put(eni)
        return eni
    }

    /// A free assignable address picked at random, as the services' own interfaces get theirs: the lowest free one
    /// would often be the address an interface deleted moments ago held, which the VPC router's neighbour table
    /// still maps to that interface's link for a few seconds.
    static func randomFree(_ cidr: IPv4CIDR, used: Set<IPv4Address>) -> IPv4Address? {
        let free = SubnetAddressing.assignableRange(cidr).lazy.map { cidr.address(at: $0) }.filter { !used.contains($0) }
        return Array(free).randomElement()
    }

    /// The VPC's `default` security group, which a managed resource gets when none is named.
    static func defaultGroup(vpcId: String, in state: CloudState) -> String? {
        state.securityGroups.values.first { $0.vpcId == vpcId && $0.name == "default" }?.id
    }

    /// The zones a set of subnets covers, sorted.
    static func zones(_ subnetIds: [String], in state: CloudState) -> [String] {
        Array(Set(subnetIds.compactMap { state.subnets[$0]?.availabilityZone })).sorted()
    }

    /// The default VPC's subnets (for the services' `default` subnet groups), sorted by zone.
    static func defaultVpcSubnets(in state: CloudState) -> (vpcId: String, subnetIds: [String])? {
        guard let vpc = state.vpcs.values.first(where: { $0.isDefault }) else { return nil }
        let subnets = state.subnets.values.filter { $0.vpcId == vpc.id }.sorted { ($0.availabilityZone, $0.id) < ($1.availabilityZone, $1.id) }
        return (vpc.id, subnets.map(\.id))
    }
}
