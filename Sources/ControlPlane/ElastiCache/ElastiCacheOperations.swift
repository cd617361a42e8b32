import AWSWire

/// One row of ElastiCache's operation table: the action, the `elasticache:` IAM action, the resources it is
/// authorized on, whether it only reads, and the handler.
struct ElastiCacheOperation: Sendable {
    typealias Handler = @Sendable (ElastiCacheService, QueryParameters, RequestContext) throws -> String
    typealias Resources = @Sendable (ElastiCacheService, QueryParameters, RequestContext) throws -> [String]

    let name: String
    let readOnly: Bool
    let resources: Resources
    let handler: Handler
    var iamAction: String { "elasticache:" + name }

    init(_ name: String, readOnly: Bool = false, on resources: @escaping Resources, _ handler: @escaping Handler) {
        self.name = name; self.readOnly = readOnly; self.resources = resources; self.handler = handler
    }
}

/// ElastiCache's operation table, by botocore's names.
enum ElastiCacheOperations {
    static let table: [ElastiCacheOperation] = [
        .init("CreateCacheSubnetGroup", on: { s, p, _ in [s.subnetGroupArn(p["CacheSubnetGroupName"]?.lowercased() ?? "")] },
              { s, p, c in try s.createSubnetGroup(p, c) }),
        .init("DescribeCacheSubnetGroups", readOnly: true, on: { s, p, _ in [p["CacheSubnetGroupName"].map { s.subnetGroupArn($0.lowercased()) } ?? "*"] },
              { s, p, c in try s.describeSubnetGroups(p, c) }),
        .init("DeleteCacheSubnetGroup", on: { s, p, _ in [s.subnetGroupArn(p["CacheSubnetGroupName"]?.lowercased() ?? "")] },
              { s, p, c in try s.deleteSubnetGroup(p, c) }),
        .init("CreateCacheCluster", on: { s, p, _ in
            [s.clusterArn(p["CacheClusterId"]?.lowercased() ?? ""), s.subnetGroupArn(p["CacheSubnetGroupName"]?.lowercased() ?? "default")]
        }, { s, p, c in try s.createCacheCluster(p, c) }),
        .init("DescribeCacheClusters", readOnly: true, on: { s, p, _ in [p["CacheClusterId"].map { s.clusterArn($0.lowercased()) } ?? "*"] },
              { s, p, c in try s.describeCacheClusters(p, c) }),
        .init("ModifyCacheCluster", on: { s, p, _ in [s.clusterArn(p["CacheClusterId"]?.lowercased() ?? "")] },
              { s, p, c in try s.modifyCacheCluster(p, c) }),
        .init("RebootCacheCluster", on: { s, p, _ in [s.clusterArn(p["CacheClusterId"]?.lowercased() ?? "")] },
              { s, p, c in try s.rebootCacheCluster(p, c) }),
        .init("DeleteCacheCluster", on: { s, p, _ in [s.clusterArn(p["CacheClusterId"]?.lowercased() ?? "")] },
              { s, p, c in try s.deleteCacheCluster(p, c) }),
        .init("CreateReplicationGroup", on: { s, p, _ in
            [s.replicationGroupArn(p["ReplicationGroupId"]?.lowercased() ?? ""),
             s.subnetGroupArn(p["CacheSubnetGroupName"]?.lowercased() ?? "default")]
        }, { s, p, c in try s.createReplicationGroup(p, c) }),
        .init("DescribeReplicationGroups", readOnly: true, on: { s, p, _ in
            [p["ReplicationGroupId"].map { s.replicationGroupArn($0.lowercased()) } ?? "*"]
        }, { s, p, c in try s.describeReplicationGroups(p, c) }),
        .init("ModifyReplicationGroup", on: { s, p, _ in [s.replicationGroupArn(p["ReplicationGroupId"]?.lowercased() ?? "")] },
              { s, p, c in try s.modifyReplicationGroup(p, c) }),
        .init("DeleteReplicationGroup", on: { s, p, _ in [s.replicationGroupArn(p["ReplicationGroupId"]?.lowercased() ?? "")] },
              { s, p, c in try s.deleteReplicationGroup(p, c) }),
        .init("IncreaseReplicaCount", on: { s, p, _ in [s.replicationGroupArn(p["ReplicationGroupId"]?.lowercased() ?? "")] },
              { s, p, c in try s.increaseReplicaCount(p, c) }),
        .init("DecreaseReplicaCount", on: { s, p, _ in [s.replicationGroupArn(p["ReplicationGroupId"]?.lowercased() ?? "")] },
              { s, p, c in try s.decreaseReplicaCount(p, c) }),
        .init("AddTagsToResource", on: { _, p, _ in [p["ResourceName"] ?? ""] }, { s, p, c in try s.addTags(p, c) }),
        .init("ListTagsForResource", readOnly: true, on: { _, p, _ in [p["ResourceName"] ?? ""] }, { s, p, c in try s.listTags(p, c) }),
        .init("RemoveTagsFromResource", on: { _, p, _ in [p["ResourceName"] ?? ""] }, { s, p, c in try s.removeTags(p, c) }),
    ]

    static let byName: [String: ElastiCacheOperation] = Dictionary(uniqueKeysWithValues: table.map { ($0.name, $0) })
}
