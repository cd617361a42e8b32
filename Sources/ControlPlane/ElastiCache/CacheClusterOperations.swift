import AWSWire
import CloudModel
import Foundation

/// Cache clusters: memcached of 1 to 40 nodes, redis/valkey of one, each node an interface in a subnet of the
/// cluster's group under its security groups (placed by `CacheNodePlacement`), its engine run there by
/// `ManagedEngineReconciler`; status moves go through `CacheClusterLifecycle`.
extension ElastiCacheService {
    /// Default port and version reported per engine.
    static let engines: [String: (port: Int, version: String)] = [
        "memcached": (11211, "1.6.22"), "redis": (6379, "7.1.0"), "valkey": (6379, "7.2"),
    ]

    func createCacheCluster(_ p: QueryParameters, _ c: RequestContext) throws -> String {
        guard let given = p["CacheClusterId"] else { throw ElastiCacheErrors.missing("CacheClusterId") }
        guard RDSService.isValidIdentifier(given, limit: 50) else { throw ElastiCacheErrors.invalidIdentifier("CacheClusterIdentifier") }
        let id = given.lowercased()
        if let groupId = p["ReplicationGroupId"]?.lowercased() { return try addReplica(id, to: groupId, p, c) }
        guard let engine = p["Engine"]?.lowercased() else {
            throw ElastiCacheErrors.invalidParameter("The parameter Engine must be provided and must not be blank.")
        }
        guard let traits = Self.engines[engine] else { throw ElastiCacheErrors.invalidParameter("Invalid engine name: \(engine)") }
        guard let nodeType = p["CacheNodeType"], nodeType.hasPrefix("cache.") else {
            throw ElastiCacheErrors.invalidParameter("The parameter CacheNodeType must be provided and must not be blank.")
        }
        let count = Int(p["NumCacheNodes"] ?? "1") ?? 0
        try Self.checkNodeCount(count, engine: engine, creating: true)
        let preferred = p.members("PreferredAvailabilityZones")
        let azMode = try Self.azMode(p["AZMode"], engine: engine, preferred: preferred)
        if !preferred.isEmpty, preferred.count != count {
            throw ElastiCacheErrors.invalidParameter("The number of preferred availability zones (\(preferred.count)) must equal NumCacheNodes (\(count)).")
        }
        let zones = preferred.isEmpty ? p["PreferredAvailabilityZone"].map { Array(repeating: $0, count: count) } ?? [] : preferred
        let port = Int(p["Port"] ?? "") ?? traits.port
        let cluster = try store.write { tx -> CacheCluster in
            if tx.get(CacheCluster.self, id) != nil { throw ElastiCacheErrors.clusterExists(id) }
            let group: CacheSubnetGroup
            if let name = p["CacheSubnetGroupName"]?.lowercased() {
                guard let g = tx.get(CacheSubnetGroup.self, name) else { throw ElastiCacheErrors.subnetGroupNotFound(name) }
                group = g
            } else {
                group = try Self.defaultSubnetGroup(&tx)
            }
            let groups = try Self.securityGroups(p.members("SecurityGroupIds"), vpcId: group.vpcId, in: tx.state)
            var cluster = CacheCluster(
                id: id, engine: engine, engineVersion: p["EngineVersion"] ?? traits.version, nodeType: nodeType, numNodes: count,
                port: port, subnetGroupName: group.id, securityGroupIds: groups, status: .creating, statusChangedAt: tx.now,
                azMode: azMode, availabilityZone: "", nodes: [],
                configurationAddress: engine == "memcached" ? ManagedEndpoints.cacheConfigurationAddress(id: id, accountId: accountId, region: region) : nil,
                tags: p.tagMembers(), createdAt: tx.now)
            try CacheNodePlacement.addNodes(count, to: &cluster, group: group, preferred: zones, accountId: accountId,
                                            region: region, &tx)
            tx.put(cluster)
            return cluster
        }
        return clusterResponse("CreateCacheCluster", cluster, c)
    }

    func describeCacheClusters(_ p: QueryParameters, _ c: RequestContext) throws -> String {
        let s = store.snapshot()
        var list = s.cacheClusters.values.sorted { $0.id < $1.id }
        if let id = p["CacheClusterId"]?.lowercased() {
            guard let cluster = s.cacheClusters[id] else { throw ElastiCacheErrors.clusterNotFound(id) }
            list = [cluster]
        }
        if p.flag("ShowCacheClustersNotInReplicationGroups") ?? false { list.removeAll { $0.replicationGroupId != nil } }
        let show = p.flag("ShowCacheNodeInfo") ?? false
        return Self.response("DescribeCacheClusters", requestID: c.requestID) { w in
            w.list("CacheClusters", list, member: "CacheCluster") { ElastiCacheXML.cluster(&$0, $1, showNodes: show, arn: clusterArn($1.id)) }
        }
    }

    /// Security groups (on every node's interface at once), node type, and the node count: nodes added in the
    /// cluster's AZ mode, or the ones `CacheNodeIdsToRemove` names removed; at once with `ApplyImmediately`, else kept
    /// as pending values for the maintenance window.
    func modifyCacheCluster(_ p: QueryParameters, _ c: RequestContext) throws -> String {
        let id = try requiredId(p)
        let cluster = try store.write { tx -> CacheCluster in
            guard var cluster = tx.get(CacheCluster.self, id) else { throw ElastiCacheErrors.clusterNotFound(id) }
            guard let next = CacheClusterLifecycle.next(cluster.status, .modifyRequested) else {
                throw ElastiCacheErrors.invalidState(id, cluster.status.rawValue)
            }
            let group = tx.get(CacheSubnetGroup.self, cluster.subnetGroupName)
            if p.has(prefix: "SecurityGroupIds") {
                cluster.securityGroupIds = try Self.securityGroups(p.members("SecurityGroupIds"), vpcId: group?.vpcId ?? "", in: tx.state)
                let groups = cluster.securityGroupIds
                for eni in cluster.nodes.compactMap(\.networkInterfaceId) { tx.update(NetworkInterface.self, eni) { $0.groupIds = groups } }
            }
            if let mode = p["AZMode"] {
                cluster.azMode = try Self.azMode(mode, engine: cluster.engine, preferred: [])
                if cluster.azMode == "single-az", Set(cluster.nodes.map(\.availabilityZone)).count > 1 {
                    throw ElastiCacheErrors.invalidCombination("single-az cannot be specified for a cluster whose nodes are in more than one availability zone.")
                }
            }
            if let n = p["NumCacheNodes"].map({ Int($0) ?? 0 }) {
                try Self.checkNodeCount(n, engine: cluster.engine, creating: false)
                let current = cluster.nodes.count
                let remove = p.members("CacheNodeIdsToRemove")
                if remove.count != max(0, current - n) {
                    throw ElastiCacheErrors.invalidCombination("The number of CacheNodeIdsToRemove must match the number of nodes you are trying to remove, current number of cache nodes is \(current), requested number of cache nodes is \(n) and CacheNodeIdsToRemove supplied are \(remove.count)")
                }
                for node in remove where !cluster.nodes.contains(where: { $0.id == node }) {
                    throw ElastiCacheErrors.invalidParameter("Cache node \(node) does not exist in cache cluster \(id).")
                }
                if Set(remove).count != remove.count {
                    throw ElastiCacheErrors.invalidParameter("The list of CacheNodeIdsToRemove contains duplicates.")
                }
                let zones = p.members("NewAvailabilityZones")
                if !zones.isEmpty, zones.count != max(0, n - current) {
                    throw ElastiCacheErrors.invalidParameter("The number of NewAvailabilityZones (\(zones.count)) must equal the number of cache nodes being added (\(max(0, n - current))).")
                }
                if n == current {
                    cluster.pendingNumNodes = nil; cluster.pendingNodeIdsToRemove = []
                } else if p.flag("ApplyImmediately") ?? false {
                    guard let group else { throw ElastiCacheErrors.subnetGroupNotFound(cluster.subnetGroupName) }
                    cluster.pendingNumNodes = nil; cluster.pendingNodeIdsToRemove = []
                    cluster.numNodes = n
                    for i in cluster.nodes.indices where remove.contains(cluster.nodes[i].id) { cluster.nodes[i].status = .deleting }
                    try CacheNodePlacement.addNodes(max(0, n - current), to: &cluster, group: group, preferred: zones,
                                                    accountId: accountId, region: region, &tx)
                } else {
                    cluster.pendingNumNodes = n; cluster.pendingNodeIdsToRemove = remove
                }
            }
            if let t = p["CacheNodeType"] { cluster.nodeType = t }
            cluster.status = next
            cluster.statusChangedAt = tx.now
            tx.put(cluster)
            return cluster
        }
        return clusterResponse("ModifyCacheCluster", cluster, c)
    }

    func rebootCacheCluster(_ p: QueryParameters, _ c: RequestContext) throws -> String {
        let id = try requiredId(p)
        let ids = p.members("CacheNodeIdsToReboot")
        if ids.isEmpty { throw ElastiCacheErrors.missing("CacheNodeIdsToReboot") }
        let cluster = try move(id, .rebootRequested) { cluster in
            for node in ids where !cluster.nodes.contains(where: { $0.id == node }) {
                throw ElastiCacheErrors.invalidParameter("Cache node \(node) does not exist in cache cluster \(id).")
            }
            for i in cluster.nodes.indices where ids.contains(cluster.nodes[i].id) {
                cluster.nodes[i].status = .rebooting
                cluster.nodes[i].engineGeneration += 1
            }
        }
        return clusterResponse("RebootCacheCluster", cluster, c)
    }

    /// A replica leaves its replication group as it is deleted; the primary is deleted with its group only.
    func deleteCacheCluster(_ p: QueryParameters, _ c: RequestContext) throws -> String {
        let id = try requiredId(p)
        let cluster = try store.write { tx -> CacheCluster in
            guard var cluster = tx.get(CacheCluster.self, id) else { throw ElastiCacheErrors.clusterNotFound(id) }
            guard let next = CacheClusterLifecycle.next(cluster.status, .deleteRequested) else {
                throw ElastiCacheErrors.invalidState(id, cluster.status.rawValue)
            }
            if let groupId = cluster.replicationGroupId, var group = tx.get(ReplicationGroup.self, groupId), group.status != .deleting {
                if group.primaryClusterId == id { throw ElastiCacheErrors.memberOfReplicationGroup(id, groupId) }
                group.memberClusters.removeAll { $0 == id }
                tx.put(group)
            }
            cluster.status = next
            cluster.statusChangedAt = tx.now
            tx.put(cluster)
            return cluster
        }
        return clusterResponse("DeleteCacheCluster", cluster, c)
    }

    /// CreateCacheCluster with a ReplicationGroupId: one more replica of the group's primary.
    private func addReplica(_ id: String, to groupId: String, _ p: QueryParameters, _ c: RequestContext) throws -> String {
        let cluster = try store.write { tx -> CacheCluster in
            guard var group = tx.get(ReplicationGroup.self, groupId) else { throw ElastiCacheErrors.replicationGroupNotFound(groupId) }
            guard let next = ReplicationGroupLifecycle.next(group.status, .modifyRequested) else {
                throw ElastiCacheErrors.invalidReplicationGroupState(groupId, group.status.rawValue)
            }
            if group.memberClusters.count >= 6 {
                throw ElastiCacheErrors.invalidParameter("The number of replicas per node group must be within 0 and 5.")
            }
            try addMember(id, to: &group, zone: p["PreferredAvailabilityZone"], tags: p.tagMembers(), &tx)
            group.status = next
            group.statusChangedAt = tx.now
            tx.put(group)
            guard let member = tx.get(CacheCluster.self, id) else { throw ElastiCacheErrors.clusterNotFound(id) }
            return member
        }
        return clusterResponse("CreateCacheCluster", cluster, c)
    }

    // MARK: Tags

    func addTags(_ p: QueryParameters, _ c: RequestContext) throws -> String {
        let added = p.tagMembers()
        let tags = try retag(p["ResourceName"] ?? "") { $0.merging(added) }
        return Self.response("AddTagsToResource", requestID: c.requestID) { ElastiCacheXML.tagList(&$0, tags) }
    }

    func removeTags(_ p: QueryParameters, _ c: RequestContext) throws -> String {
        let keys = Set(p.members("TagKeys"))
        let tags = try retag(p["ResourceName"] ?? "") { $0.filter { !keys.contains($0.key) } }
        return Self.response("RemoveTagsFromResource", requestID: c.requestID) { ElastiCacheXML.tagList(&$0, tags) }
    }

    func listTags(_ p: QueryParameters, _ c: RequestContext) throws -> String {
        let tags = try retag(p["ResourceName"] ?? "") { $0 }
        return Self.response("ListTagsForResource", requestID: c.requestID) { ElastiCacheXML.tagList(&$0, tags) }
    }

    /// Changes (or reads, with the identity) the tags of the cluster or subnet group an ARN names.
    private func retag(_ arn: String, _ change: @escaping ([Tag]) -> [Tag]) throws -> [Tag] {
        let parts = arn.split(separator: ":", maxSplits: 6, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 7, parts[0] == "arn", parts[2] == "elasticache", parts[3] == region, parts[4] == accountId else {
            throw ElastiCacheErrors.invalidArn(arn)
        }
        let name = parts[6]
        return try store.write { tx -> [Tag] in
            switch parts[5] {
            case "cluster":
                guard var cluster = tx.get(CacheCluster.self, name) else { throw ElastiCacheErrors.clusterNotFound(name) }
                cluster.tags = change(cluster.tags)
                if cluster != tx.get(CacheCluster.self, name) { tx.put(cluster) }
                return cluster.tags
            case "replicationgroup":
                guard var g = tx.get(ReplicationGroup.self, name) else { throw ElastiCacheErrors.replicationGroupNotFound(name) }
                g.tags = change(g.tags)
                if g != tx.get(ReplicationGroup.self, name) { tx.put(g) }
                return g.tags
            case "subnetgroup":
                guard var g = tx.get(CacheSubnetGroup.self, name) else { throw ElastiCacheErrors.subnetGroupNotFound(name) }
                g.tags = change(g.tags)
                if g != tx.get(CacheSubnetGroup.self, name) { tx.put(g) }
                return g.tags
            default: throw ElastiCacheErrors.invalidArn(arn)
            }
        }
    }

    // MARK: Helpers

    private func move(_ id: String, _ event: CacheClusterLifecycle.Event,
                      _ change: (inout CacheCluster) throws -> Void = { _ in }) throws -> CacheCluster {
        try store.write { tx -> CacheCluster in
            guard var cluster = tx.get(CacheCluster.self, id) else { throw ElastiCacheErrors.clusterNotFound(id) }
            guard let next = CacheClusterLifecycle.next(cluster.status, event) else {
                throw ElastiCacheErrors.invalidState(id, cluster.status.rawValue)
            }
            try change(&cluster)
            cluster.status = next
            cluster.statusChangedAt = tx.now
            tx.put(cluster)
            return cluster
        }
    }

    private func requiredId(_ p: QueryParameters) throws -> String {
        guard let id = p["CacheClusterId"], !id.isEmpty else { throw ElastiCacheErrors.missing("CacheClusterId") }
        return id.lowercased()
    }

    private func clusterResponse(_ action: String, _ cluster: CacheCluster, _ c: RequestContext) -> String {
        Self.response(action, requestID: c.requestID) { w in
            w.element("CacheCluster") { ElastiCacheXML.cluster(&$0, cluster, showNodes: false, arn: clusterArn(cluster.id)) }
        }
    }

    /// AWS's limits on the node count: 1 to 40 for memcached, exactly 1 for redis and valkey.
    static func checkNodeCount(_ n: Int, engine: String, creating: Bool) throws {
        if engine != "memcached", n != 1 {
            let name = engine == "valkey" ? "Valkey" : "Redis"
            throw ElastiCacheErrors.invalidParameter(creating ? "Cannot create a \(name) cluster with a NumCacheNodes parameter greater than 1."
                                                              : "Cannot modify a \(name) cluster to have a NumCacheNodes parameter greater than 1.")
        }
        if n < 1 || n > 40 { throw ElastiCacheErrors.invalidParameter("The parameter NumCacheNodes must be between 1 and 40.") }
    }

    /// `single-az` (the default) or `cross-az` (memcached only; implied by preferred zones that differ).
    static func azMode(_ given: String?, engine: String, preferred: [String]) throws -> String {
        guard let given else { return Set(preferred).count > 1 ? "cross-az" : "single-az" }
        guard given == "single-az" || given == "cross-az" else {
            throw ElastiCacheErrors.invalidParameter("Invalid AZMode: \(given). Valid values are single-az and cross-az.")
        }
        if engine != "memcached" { throw ElastiCacheErrors.invalidParameter("AZMode is only supported for Memcached clusters.") }
        if given == "single-az", Set(preferred).count > 1 {
            throw ElastiCacheErrors.invalidCombination("single-az requires all the preferred availability zones to be the same.")
        }
        return given
    }

    static func securityGroups(_ ids: [String], vpcId: String, in s: CloudState) throws -> [String] {
        if ids.isEmpty { return ManagedInterfaces.defaultGroup(vpcId: vpcId, in: s).map { [$0] } ?? [] }
        for id in ids where s.securityGroups[id]?.vpcId != vpcId { throw ElastiCacheErrors.invalidSecurityGroup(id) }
        return ids
    }
}
