import AWSWire
import CloudModel
import Foundation

/// Where a cluster's new nodes go and how they are written: each node is an interface in a subnet of the cluster's
/// subnet group, in the zone `zone(...)` chooses, named `ID.xxxxxx.000N.…`.
enum CacheNodePlacement {
    /// The zone of the next new node (nil: any, the subnet with the most free addresses decides): the one asked for,
    /// else for `single-az` the zone the cluster's nodes already have, else for `cross-az` the group's zone holding the
    /// fewest of them (ties in zone order), as ElastiCache spreads nodes.
    static func zone(preferred: String?, azMode: String, groupZones: [String], placed: [String]) -> String? {
        if let preferred { return preferred }
        if azMode != "cross-az" { return placed.first }
        return groupZones.min { a, b in
            let (ca, cb) = (placed.filter { $0 == a }.count, placed.filter { $0 == b }.count)
            return ca != cb ? ca < cb : a < b
        }
    }

    /// The cluster's `PreferredAvailabilityZone`: its nodes' one zone, or `Multiple`.
    static func clusterZone(_ zones: [String]) -> String {
        let distinct = Set(zones)
        return distinct.count > 1 ? "Multiple" : distinct.first ?? ""
    }

    /// Writes `count` new nodes (status `creating`, numbered from the cluster's next number) for `cluster` in `group`,
    /// their interfaces under the cluster's security groups; throws AWS's errors and changes nothing on bad input.
    static func addNodes(_ count: Int, to cluster: inout CacheCluster, group: CacheSubnetGroup, preferred: [String],
                         accountId: String, region: String, _ tx: inout Transaction) throws {
        let groupZones = ManagedInterfaces.zones(group.subnetIds, in: tx.state)
        for zone in preferred where !groupZones.contains(zone) {
            throw ElastiCacheErrors.invalidParameter("The availability zone \(zone) is not in any subnet of cache subnet group \(group.id).")
        }
        var placed = cluster.nodes.map(\.availabilityZone)
        for i in 0..<count {
            let number = cluster.nextNodeNumber
            let nodeId = CacheNode.id(number)
            let zone = Self.zone(preferred: i < preferred.count ? preferred[i] : nil, azMode: cluster.azMode,
                                 groupZones: groupZones, placed: placed)
            guard let subnet = ManagedInterfaces.pickSubnet(group.subnetIds, zone: zone, in: tx.state),
                  let eni = ManagedInterfaces.create(in: subnet, groups: cluster.securityGroupIds,
                                                     requester: .init(id: "amazon-elasticache", description: "ElastiCache \(cluster.id)-\(nodeId)"),
                                                     accountId: accountId, &tx) else { throw ElastiCacheErrors.noCapacity() }
            cluster.nodes.append(CacheNode(
                id: nodeId, status: .creating, networkInterfaceId: eni.id, availabilityZone: subnet.availabilityZone,
                address: ManagedEndpoints.cacheNodeAddress(id: cluster.id, node: number, accountId: accountId, region: region),
                createdAt: tx.now))
            placed.append(subnet.availabilityZone)
        }
        cluster.availabilityZone = clusterZone(cluster.nodes.map(\.availabilityZone))
    }
}
