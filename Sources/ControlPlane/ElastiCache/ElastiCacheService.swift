import AWSWire
import CloudModel
import Foundation

/// ElastiCache's Query API (2015-02-02): cache subnet groups, memcached / redis clusters and redis replication groups
/// whose engines `ManagedEngineReconciler` runs (redis-server also serves `valkey`).
public final class ElastiCacheService: Sendable {
    public static let xmlns = "http://elasticache.amazonaws.com/doc/2015-02-02/"
    public let store: StateStore
    public let accountId: String
    public let region: String

    public init(store: StateStore, accountId: String, region: String) {
        self.store = store; self.accountId = accountId; self.region = region
    }

    public func handle(action: String, params: QueryParameters, context: RequestContext) throws -> String {
        guard let op = ElastiCacheOperations.byName[action] else { throw QueryErrors.invalidAction(action) }
        for resource in try op.resources(self, params, context) { try context.authorize(op.iamAction, resource) }
        return try op.handler(self, params, context)
    }

    func clusterArn(_ id: String) -> String { "arn:aws:elasticache:\(region):\(accountId):cluster:\(id)" }
    func replicationGroupArn(_ id: String) -> String { "arn:aws:elasticache:\(region):\(accountId):replicationgroup:\(id)" }
    func subnetGroupArn(_ name: String) -> String { "arn:aws:elasticache:\(region):\(accountId):subnetgroup:\(name)" }

    static func response(_ action: String, requestID: String) -> String { envelope(action, requestID: requestID, nil) }

    static func response(_ action: String, requestID: String, _ body: (inout XMLWriter) -> Void) -> String {
        withoutActuallyEscaping(body) { envelope(action, requestID: requestID, $0) }
    }

    private static func envelope(_ action: String, requestID: String, _ body: ((inout XMLWriter) -> Void)?) -> String {
        QueryResponse.envelope(action, xmlns: xmlns, requestID: requestID, body)
    }

    // MARK: Subnet groups

    func createSubnetGroup(_ p: QueryParameters, _ c: RequestContext) throws -> String {
        guard let name = p["CacheSubnetGroupName"]?.lowercased() else { throw ElastiCacheErrors.missing("CacheSubnetGroupName") }
        guard let description = p["CacheSubnetGroupDescription"] else { throw ElastiCacheErrors.missing("CacheSubnetGroupDescription") }
        let ids = p.members("SubnetIds")
        let g = try store.write { tx -> CacheSubnetGroup in
            if tx.get(CacheSubnetGroup.self, name) != nil { throw ElastiCacheErrors.subnetGroupExists(name) }
            if ids.isEmpty { throw ElastiCacheErrors.missing("SubnetIds") }
            for id in ids where tx.get(Subnet.self, id) == nil { throw ElastiCacheErrors.invalidSubnet(id) }
            let vpcs = Set(ids.compactMap { tx.get(Subnet.self, $0)?.vpcId })
            guard vpcs.count == 1, let vpcId = vpcs.first else {
                throw ElastiCacheErrors.invalidParameter("All subnets of a cache subnet group must be in the same VPC.")
            }
            let g = CacheSubnetGroup(id: name, description: description, vpcId: vpcId, subnetIds: ids, tags: p.tagMembers(), createdAt: tx.now)
            tx.put(g)
            return g
        }
        let s = store.snapshot()
        return Self.response("CreateCacheSubnetGroup", requestID: c.requestID) { w in
            w.element("CacheSubnetGroup") { ElastiCacheXML.subnetGroup(&$0, g, s, arn: subnetGroupArn(g.id)) }
        }
    }

    func describeSubnetGroups(_ p: QueryParameters, _ c: RequestContext) throws -> String {
        let s = store.snapshot()
        var groups = s.cacheSubnetGroups.values.sorted { $0.id < $1.id }
        if let name = p["CacheSubnetGroupName"]?.lowercased() {
            guard let g = s.cacheSubnetGroups[name] else { throw ElastiCacheErrors.subnetGroupNotFound(name) }
            groups = [g]
        }
        return Self.response("DescribeCacheSubnetGroups", requestID: c.requestID) { w in
            w.list("CacheSubnetGroups", groups, member: "CacheSubnetGroup") { ElastiCacheXML.subnetGroup(&$0, $1, s, arn: subnetGroupArn($1.id)) }
        }
    }

    func deleteSubnetGroup(_ p: QueryParameters, _ c: RequestContext) throws -> String {
        guard let name = p["CacheSubnetGroupName"]?.lowercased() else { throw ElastiCacheErrors.missing("CacheSubnetGroupName") }
        try store.write { tx in
            guard tx.get(CacheSubnetGroup.self, name) != nil else { throw ElastiCacheErrors.subnetGroupNotFound(name) }
            if tx.all(CacheCluster.self).contains(where: { $0.subnetGroupName == name })
                || tx.all(ReplicationGroup.self).contains(where: { $0.subnetGroupName == name }) { throw ElastiCacheErrors.subnetGroupInUse(name) }
            tx.delete(CacheSubnetGroup.self, name)
        }
        return Self.response("DeleteCacheSubnetGroup", requestID: c.requestID)
    }

    /// The default VPC's `default` cache subnet group, made now if it does not exist yet.
    static func defaultSubnetGroup(_ tx: inout Transaction) throws -> CacheSubnetGroup {
        if let g = tx.get(CacheSubnetGroup.self, "default") { return g }
        guard let (vpcId, ids) = ManagedInterfaces.defaultVpcSubnets(in: tx.state), !ids.isEmpty else {
            throw AWSError(code: "InvalidVPCNetworkStateFault", message: "No default VPC exists in this region; name a cache subnet group.")
        }
        let g = CacheSubnetGroup(id: "default", description: "Default CacheSubnetGroup", vpcId: vpcId, subnetIds: ids, tags: [], createdAt: tx.now)
        tx.put(g)
        return g
    }
}
