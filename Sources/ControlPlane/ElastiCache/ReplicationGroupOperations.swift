import AWSWire
import CloudModel
import Foundation

/// Redis/valkey replication groups with cluster mode disabled: one node group of a primary and up to five replicas,
/// each a one-node member cache cluster (`ID-001`, …) spread over the subnet group's zones; the reconciler runs the
/// members' engines (replicas with `--replicaof` the primary) and moves the group with them.
extension ElastiCacheService {
    func createReplicationGroup(_ p: QueryParameters, _ c: RequestContext) throws -> String {
        guard let given = p["ReplicationGroupId"] else { throw ElastiCacheErrors.missing("ReplicationGroupId") }
        guard RDSService.isValidIdentifier(given, limit: 40) else { throw ElastiCacheErrors.invalidIdentifier("ReplicationGroupId") }
        let id = given.lowercased()
        guard let description = p["ReplicationGroupDescription"], !description.isEmpty else {
            throw ElastiCacheErrors.missing("ReplicationGroupDescription")
        }
        let engine = p["Engine"]?.lowercased() ?? "redis"
        guard engine == "redis" || engine == "valkey", let traits = Self.engines[engine] else {
            throw ElastiCacheErrors.invalidParameter("Invalid engine name: \(engine). Replication groups run redis or valkey.")
        }
        guard let nodeType = p["CacheNodeType"], nodeType.hasPrefix("cache.") else {
            throw ElastiCacheErrors.invalidParameter("The parameter CacheNodeType must be provided and must not be blank.")
        }
        if p["PrimaryClusterId"] != nil || p["GlobalReplicationGroupId"] != nil {
            throw ElastiCacheErrors.invalidParameter("This server creates replication groups with new member clusters only: PrimaryClusterId and GlobalReplicationGroupId are not supported.")
        }
        if (Int(p["NumNodeGroups"] ?? "1") ?? 1) != 1 || p["ClusterMode"].map({ $0.lowercased() != "disabled" }) ?? false
            || p.has(prefix: "NodeGroupConfiguration") {
            throw ElastiCacheErrors.invalidParameter("This server runs replication groups with cluster mode disabled only (one node group).")
        }
        let count: Int
        switch (p["NumCacheClusters"].map { Int($0) ?? 0 }, p["ReplicasPerNodeGroup"].map { Int($0) ?? -1 }) {
        case (let n?, let r?) where n != r + 1:
            throw ElastiCacheErrors.invalidCombination("NumCacheClusters (\(n)) and ReplicasPerNodeGroup (\(r)) disagree.")
        case (let n?, _): count = n
        case (nil, let r?): count = r + 1
        case (nil, nil): count = 1
        }
        guard (1...6).contains(count) else {
            throw ElastiCacheErrors.invalidParameter("The number of replicas per node group must be within 0 and 5.")
        }
        let failover = p.flag("AutomaticFailoverEnabled") ?? false
        let multiAZ = p.flag("MultiAZEnabled") ?? false
        if failover, count < 2 {
            throw ElastiCacheErrors.invalidCombination("When using automatic failover, there must be at least 2 cache clusters in the replication group.")
        }
        if multiAZ, !failover {
            throw ElastiCacheErrors.invalidCombination("Multi-AZ requires automatic failover to be enabled.")
        }
        let zones = p.members("PreferredCacheClusterAZs")
        if !zones.isEmpty, zones.count != count {
            throw ElastiCacheErrors.invalidParameter("The number of PreferredCacheClusterAZs (\(zones.count)) must equal the number of cache clusters (\(count)).")
        }
        let port = Int(p["Port"] ?? "") ?? traits.port
        let group = try store.write { tx -> ReplicationGroup in
            if tx.get(ReplicationGroup.self, id) != nil { throw ElastiCacheErrors.replicationGroupExists(id) }
            let subnetGroup: CacheSubnetGroup
            if let name = p["CacheSubnetGroupName"]?.lowercased() {
                guard let g = tx.get(CacheSubnetGroup.self, name) else { throw ElastiCacheErrors.subnetGroupNotFound(name) }
                subnetGroup = g
            } else {
                subnetGroup = try Self.defaultSubnetGroup(&tx)
            }
            let securityGroups = try Self.securityGroups(p.members("SecurityGroupIds"), vpcId: subnetGroup.vpcId, in: tx.state)
            var group = ReplicationGroup(
                id: id, description: description, engine: engine, engineVersion: p["EngineVersion"] ?? traits.version,
                nodeType: nodeType, port: port, subnetGroupName: subnetGroup.id, securityGroupIds: securityGroups, status: .creating,
                statusChangedAt: tx.now, memberClusters: [], primaryClusterId: ReplicationGroup.memberId(id, 1),
                automaticFailover: failover, multiAZ: multiAZ,
                primaryAddress: ManagedEndpoints.replicationGroupAddress(id: id, reader: false, accountId: accountId, region: region),
                readerAddress: ManagedEndpoints.replicationGroupAddress(id: id, reader: true, accountId: accountId, region: region),
                tags: p.tagMembers(), createdAt: tx.now)
            for i in 0..<count {
                try addMember(ReplicationGroup.memberId(id, i + 1), to: &group, zone: i < zones.count ? zones[i] : nil, &tx)
            }
            tx.put(group)
            return group
        }
        return replicationGroupResponse("CreateReplicationGroup", group, c)
    }

    func describeReplicationGroups(_ p: QueryParameters, _ c: RequestContext) throws -> String {
        let s = store.snapshot()
        var list = s.replicationGroups.values.sorted { $0.id < $1.id }
        if let id = p["ReplicationGroupId"]?.lowercased() {
            guard let g = s.replicationGroups[id] else { throw ElastiCacheErrors.replicationGroupNotFound(id) }
            list = [g]
        }
        return Self.response("DescribeReplicationGroups", requestID: c.requestID) { w in
            w.list("ReplicationGroups", list, member: "ReplicationGroup") {
                ElastiCacheXML.replicationGroup(&$0, $1, s, arn: replicationGroupArn($1.id))
            }
        }
    }

    /// Security groups on every member's interface at once.
    func modifyReplicationGroup(_ p: QueryParameters, _ c: RequestContext) throws -> String {
        guard let id = p["ReplicationGroupId"]?.lowercased() else { throw ElastiCacheErrors.missing("ReplicationGroupId") }
        let group = try store.write { tx -> ReplicationGroup in
            guard var g = tx.get(ReplicationGroup.self, id) else { throw ElastiCacheErrors.replicationGroupNotFound(id) }
            guard let next = ReplicationGroupLifecycle.next(g.status, .modifyRequested) else {
                throw ElastiCacheErrors.invalidReplicationGroupState(id, g.status.rawValue)
            }
            if let d = p["ReplicationGroupDescription"] { g.description = d }
            if p.has(prefix: "SecurityGroupIds") {
                let vpcId = tx.get(CacheSubnetGroup.self, g.subnetGroupName)?.vpcId ?? ""
                g.securityGroupIds = try Self.securityGroups(p.members("SecurityGroupIds"), vpcId: vpcId, in: tx.state)
                let groups = g.securityGroupIds
                for memberId in g.memberClusters {
                    guard var member = tx.get(CacheCluster.self, memberId) else { continue }
                    member.securityGroupIds = groups
                    for eni in member.nodes.compactMap(\.networkInterfaceId) { tx.update(NetworkInterface.self, eni) { $0.groupIds = groups } }
                    tx.put(member)
                }
            }
            if let t = p["CacheNodeType"] { g.nodeType = t }
            g.status = next
            g.statusChangedAt = tx.now
            tx.put(g)
            return g
        }
        return replicationGroupResponse("ModifyReplicationGroup", group, c)
    }

    /// Deletes every member (or every replica, keeping the primary as a cluster of its own, with RetainPrimaryCluster).
    func deleteReplicationGroup(_ p: QueryParameters, _ c: RequestContext) throws -> String {
        guard let id = p["ReplicationGroupId"]?.lowercased() else { throw ElastiCacheErrors.missing("ReplicationGroupId") }
        let retain = p.flag("RetainPrimaryCluster") ?? false
        let group = try store.write { tx -> ReplicationGroup in
            guard var g = tx.get(ReplicationGroup.self, id) else { throw ElastiCacheErrors.replicationGroupNotFound(id) }
            guard let next = ReplicationGroupLifecycle.next(g.status, .deleteRequested) else {
                throw ElastiCacheErrors.invalidReplicationGroupState(id, g.status.rawValue)
            }
            for memberId in g.memberClusters {
                guard var member = tx.get(CacheCluster.self, memberId) else { continue }
                if retain, memberId == g.primaryClusterId {
                    member.replicationGroupId = nil
                } else if let status = CacheClusterLifecycle.next(member.status, .deleteRequested) {
                    member.status = status
                    member.statusChangedAt = tx.now
                }
                tx.put(member)
            }
            if retain { g.memberClusters.removeAll { $0 == g.primaryClusterId } }
            g.status = next
            g.statusChangedAt = tx.now
            tx.put(g)
            return g
        }
        return replicationGroupResponse("DeleteReplicationGroup", group, c)
    }

    /// IncreaseReplicaCount (cluster mode disabled): new replicas numbered after the highest member the group has.
    func increaseReplicaCount(_ p: QueryParameters, _ c: RequestContext) throws -> String {
        try changeReplicaCount(p, c, action: "IncreaseReplicaCount") { group, replicas, tx in
            guard let n = p["NewReplicaCount"].map({ Int($0) ?? -1 }) else { throw ElastiCacheErrors.missing("NewReplicaCount") }
            guard n > replicas.count, n <= 5 else {
                throw ElastiCacheErrors.invalidParameter("The new replica count must be greater than the current replica count (\(replicas.count)) and at most 5.")
            }
            let highest = group.memberClusters.compactMap { Int($0.split(separator: "-").last ?? "") }.max() ?? 0
            for i in 0..<(n - replicas.count) {
                try addMember(ReplicationGroup.memberId(group.id, highest + i + 1), to: &group, zone: nil, &tx)
            }
        }
    }

    /// DecreaseReplicaCount: the replicas named (ReplicasToRemove), else the highest-numbered ones, are deleted.
    func decreaseReplicaCount(_ p: QueryParameters, _ c: RequestContext) throws -> String {
        try changeReplicaCount(p, c, action: "DecreaseReplicaCount") { group, replicas, tx in
            var remove = p.members("ReplicasToRemove")
            if remove.isEmpty {
                guard let n = p["NewReplicaCount"].map({ Int($0) ?? -1 }) else {
                    throw ElastiCacheErrors.invalidParameter("Either NewReplicaCount or ReplicasToRemove must be specified.")
                }
                guard n >= 0, n < replicas.count else {
                    throw ElastiCacheErrors.invalidParameter("The new replica count must be less than the current replica count (\(replicas.count)).")
                }
                remove = Array(replicas.suffix(replicas.count - n))
            }
            for id in remove where !replicas.contains(id) {
                throw ElastiCacheErrors.invalidParameter("\(id) is not a replica of replication group \(group.id).")
            }
            if group.automaticFailover, replicas.count - Set(remove).count < 1 {
                throw ElastiCacheErrors.invalidCombination("When using automatic failover, there must be at least 2 cache clusters in the replication group.")
            }
            for id in remove {
                guard var member = tx.get(CacheCluster.self, id), let next = CacheClusterLifecycle.next(member.status, .deleteRequested) else { continue }
                member.status = next
                member.statusChangedAt = tx.now
                tx.put(member)
            }
            group.memberClusters.removeAll { remove.contains($0) }
        }
    }

    private func changeReplicaCount(_ p: QueryParameters, _ c: RequestContext, action: String,
                                    _ change: (inout ReplicationGroup, [String], inout Transaction) throws -> Void) throws -> String {
        guard let id = p["ReplicationGroupId"]?.lowercased() else { throw ElastiCacheErrors.missing("ReplicationGroupId") }
        guard let apply = p.flag("ApplyImmediately") else { throw ElastiCacheErrors.missing("ApplyImmediately") }
        if !apply { throw ElastiCacheErrors.invalidParameter("ApplyImmediately=False is not currently supported.") }
        let group = try store.write { tx -> ReplicationGroup in
            guard var g = tx.get(ReplicationGroup.self, id) else { throw ElastiCacheErrors.replicationGroupNotFound(id) }
            guard let next = ReplicationGroupLifecycle.next(g.status, .modifyRequested) else {
                throw ElastiCacheErrors.invalidReplicationGroupState(id, g.status.rawValue)
            }
            try change(&g, g.memberClusters.filter { $0 != g.primaryClusterId }, &tx)
            g.status = next
            g.statusChangedAt = tx.now
            tx.put(g)
            return g
        }
        return replicationGroupResponse(action, group, c)
    }

    /// Writes a new one-node member cluster of `group` (its interface in `zone`, else in the group's least used zone).
    func addMember(_ memberId: String, to group: inout ReplicationGroup, zone: String?, tags: [Tag] = [], _ tx: inout Transaction) throws {
        if tx.get(CacheCluster.self, memberId) != nil { throw ElastiCacheErrors.clusterExists(memberId) }
        guard let subnetGroup = tx.get(CacheSubnetGroup.self, group.subnetGroupName) else {
            throw ElastiCacheErrors.subnetGroupNotFound(group.subnetGroupName)
        }
        var member = CacheCluster(
            id: memberId, engine: group.engine, engineVersion: group.engineVersion, nodeType: group.nodeType, numNodes: 1,
            port: group.port, subnetGroupName: subnetGroup.id, securityGroupIds: group.securityGroupIds, status: .creating,
            statusChangedAt: tx.now, availabilityZone: "", nodes: [], configurationAddress: nil, tags: tags, createdAt: tx.now)
        member.replicationGroupId = group.id
        let placed = group.memberClusters.compactMap { tx.get(CacheCluster.self, $0)?.availabilityZone }
        let chosen = zone ?? CacheNodePlacement.zone(preferred: nil, azMode: "cross-az",
                                                     groupZones: ManagedInterfaces.zones(subnetGroup.subnetIds, in: tx.state), placed: placed)
        try CacheNodePlacement.addNodes(1, to: &member, group: subnetGroup, preferred: chosen.map { [$0] } ?? [],
                                        accountId: accountId, region: region, &tx)
        tx.put(member)
        group.memberClusters.append(memberId)
    }

    private func replicationGroupResponse(_ action: String, _ group: ReplicationGroup, _ c: RequestContext) -> String {
        let s = store.snapshot()
        return Self.response(action, requestID: c.requestID) { w in
            w.element("ReplicationGroup") { ElastiCacheXML.replicationGroup(&$0, group, s, arn: replicationGroupArn(group.id)) }
        }
    }
}
