import AWSWire
import CloudModel
import Foundation

/// Cache clusters of one node: an interface in one subnet of their group under their security groups, the
/// engine run there by `ManagedEngineReconciler`; status moves go through `CacheClusterLifecycle`.
extension ElastiCacheService {
    /// Default port and version reported per engine.
    static let engines: [String: (port: Int, version: String)] = [
        "memcached": (11211, "1.6.22"), "redis": (6379, "7.1.0"), "valkey": (6379, "7.2"),
    ]

    func createCacheCluster(_ p: QueryParameters, _ c: RequestContext) throws -> String {
        guard let given = p["CacheClusterId"] else { throw ElastiCacheErrors.missing("CacheClusterId") }
        guard RDSService.isValidIdentifier(given, limit: 50) else { throw ElastiCacheErrors.invalidIdentifier("CacheClusterIdentifier") }
        let id = given.lowercased()
        if p["ReplicationGroupId"] != nil {
            throw ElastiCacheErrors.invalidParameter("Replication groups are not supported by this server.")
        }
        guard let engine = p["Engine"]?.lowercased() else {
            throw ElastiCacheErrors.invalidParameter("The parameter Engine must be provided and must not be blank.")
        }
        guard let traits = Self.engines[engine] else { throw ElastiCacheErrors.invalidParameter("Invalid engine name: \(engine)") }
        guard let nodeType = p["CacheNodeType"], nodeType.hasPrefix("cache.") else {
            throw ElastiCacheErrors.invalidParameter("The parameter CacheNodeType must be provided and must not be blank.")
        }
        let nodes = Int(p["NumCacheNodes"] ?? "1") ?? 0
        if engine != "memcached", nodes != 1 {
            throw ElastiCacheErrors.invalidParameter("Cannot create a \(engine == "valkey" ? "Valkey" : "Redis") cluster with a NumCacheNodes parameter greater than 1.")
        }
        if nodes < 1 || nodes > 40 {
            throw ElastiCacheErrors.invalidParameter("The parameter NumCacheNodes must be between 1 and 40.")
        }
        if nodes > 1 {
            throw ElastiCacheErrors.invalidParameter("This server runs clusters of one node: NumCacheNodes must be 1.")
        }
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
            guard let subnet = ManagedInterfaces.pickSubnet(group.subnetIds, zone: p["PreferredAvailabilityZone"], in: tx.state),
                  let eni = ManagedInterfaces.create(in: subnet, groups: groups,
                                                     requester: .init(id: "amazon-elasticache", description: "ElastiCache \(id)-0001"),
                                                     accountId: accountId, &tx) else { throw ElastiCacheErrors.noCapacity() }
            let cluster = CacheCluster(
                id: id, engine: engine, engineVersion: p["EngineVersion"] ?? traits.version, nodeType: nodeType, numNodes: nodes,
                port: port, subnetGroupName: group.id, securityGroupIds: groups, status: .creating, statusChangedAt: tx.now,
                networkInterfaceId: eni.id, availabilityZone: subnet.availabilityZone,
                nodeAddress: ManagedEndpoints.cacheNodeAddress(id: id, accountId: accountId, region: region),
                configurationAddress: engine == "memcached" ? ManagedEndpoints.cacheConfigurationAddress(id: id, accountId: accountId, region: region) : nil,
                tags: p.tagMembers(), createdAt: tx.now)
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
        let show = p.flag("ShowCacheNodeInfo") ?? false
        return Self.response("DescribeCacheClusters", requestID: c.requestID) { w in
            w.list("CacheClusters", list, member: "CacheCluster") { ElastiCacheXML.cluster(&$0, $1, showNodes: show, arn: clusterArn($1.id)) }
        }
    }

    func modifyCacheCluster(_ p: QueryParameters, _ c: RequestContext) throws -> String {
        let id = try requiredId(p)
        let cluster = try store.write { tx -> CacheCluster in
            guard var cluster = tx.get(CacheCluster.self, id) else { throw ElastiCacheErrors.clusterNotFound(id) }
            guard let next = CacheClusterLifecycle.next(cluster.status, .modifyRequested) else {
                throw ElastiCacheErrors.invalidState(id, cluster.status.rawValue)
            }
            if p.has(prefix: "SecurityGroupIds") {
                let vpcId = tx.get(CacheSubnetGroup.self, cluster.subnetGroupName)?.vpcId ?? ""
                cluster.securityGroupIds = try Self.securityGroups(p.members("SecurityGroupIds"), vpcId: vpcId, in: tx.state)
                if let eni = cluster.networkInterfaceId {
                    let groups = cluster.securityGroupIds
                    tx.update(NetworkInterface.self, eni) { $0.groupIds = groups }
                }
            }
            if let n = p["NumCacheNodes"].flatMap(Int.init), n != cluster.numNodes {
                throw ElastiCacheErrors.invalidParameter("This server runs clusters of one node: NumCacheNodes must be 1.")
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
        let cluster = try move(id, .rebootRequested) { $0.engineGeneration += 1 }
        return clusterResponse("RebootCacheCluster", cluster, c)
    }

    func deleteCacheCluster(_ p: QueryParameters, _ c: RequestContext) throws -> String {
        let id = try requiredId(p)
        let cluster = try move(id, .deleteRequested)
        return clusterResponse("DeleteCacheCluster", cluster, c)
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

    private func move(_ id: String, _ event: CacheClusterLifecycle.Event, _ change: (inout CacheCluster) -> Void = { _ in }) throws -> CacheCluster {
        try store.write { tx -> CacheCluster in
            guard var cluster = tx.get(CacheCluster.self, id) else { throw ElastiCacheErrors.clusterNotFound(id) }
            guard let next = CacheClusterLifecycle.next(cluster.status, event) else {
                throw ElastiCacheErrors.invalidState(id, cluster.status.rawValue)
            }
            change(&cluster)
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

    static func securityGroups(_ ids: [String], vpcId: String, in s: CloudState) throws -> [String] {
        if ids.isEmpty { return ManagedInterfaces.defaultGroup(vpcId: vpcId, in: s).map { [$0] } ?? [] }
        for id in ids where s.securityGroups[id]?.vpcId != vpcId { throw ElastiCacheErrors.invalidSecurityGroup(id) }
        return ids
    }
}
