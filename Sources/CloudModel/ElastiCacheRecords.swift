import Foundation

/// An ElastiCache cache subnet group: the subnets (of one VPC) a cache cluster's nodes may take.
public struct CacheSubnetGroup: Record {
    public static let kind = "elasticache.cache-subnet-group"
    public static var table: WritableKeyPath<CloudState, [String: CacheSubnetGroup]> { \.cacheSubnetGroups }
    /// The name as ElastiCache keeps it: lower-cased.
    public var id: String
    public var description: String
    public var vpcId: String
    public var subnetIds: [String]
    public var tags: [Tag]
    public var createdAt: Date

    public init(id: String, description: String, vpcId: String, subnetIds: [String], tags: [Tag], createdAt: Date) {
        self.id = id; self.description = description; self.vpcId = vpcId; self.subnetIds = subnetIds
        self.tags = tags; self.createdAt = createdAt
    }
}

/// Where a cache cluster is in its life (ElastiCache's `CacheClusterStatus` strings).
public enum CacheClusterStatus: String, Codable, Sendable, CaseIterable {
    case creating, available, modifying, deleting
    case rebootingNodes = "rebooting cache cluster nodes"
    case failed = "create-failed"
}

/// An ElastiCache cluster of one node (memcached or redis): its interface and the engine running there.
public struct CacheCluster: Record {
    public static let kind = "elasticache.cache-cluster"
    public static var table: WritableKeyPath<CloudState, [String: CacheCluster]> { \.cacheClusters }
    /// The cluster id as ElastiCache keeps it: lower-cased.
    public var id: String
    /// `memcached`, `redis` or `valkey`.
    public var engine: String
    public var engineVersion: String
    public var nodeType: String
    public var numNodes: Int
    public var port: Int
    public var subnetGroupName: String
    public var securityGroupIds: [String]
    public var status: CacheClusterStatus
    public var statusChangedAt: Date
    public var networkInterfaceId: String?
    public var availabilityZone: String
    /// `ID.xxxxxx.0001.use1.cache.amazonaws.com`.
    public var nodeAddress: String
    /// `ID.xxxxxx.cfg.use1.cache.amazonaws.com` (memcached only).
    public var configurationAddress: String?
    public var engineGeneration: Int
    public var tags: [Tag]
    public var createdAt: Date

    public init(id: String, engine: String, engineVersion: String, nodeType: String, numNodes: Int, port: Int,
                subnetGroupName: String, securityGroupIds: [String], status: CacheClusterStatus, statusChangedAt: Date,
                networkInterfaceId: String?, availabilityZone: String, nodeAddress: String, configurationAddress: String?,
                engineGeneration: Int = 0, tags: [Tag], createdAt: Date) {
        self.id = id; self.engine = engine; self.engineVersion = engineVersion; self.nodeType = nodeType
        self.numNodes = numNodes; self.port = port; self.subnetGroupName = subnetGroupName
        self.securityGroupIds = securityGroupIds; self.status = status; self.statusChangedAt = statusChangedAt
        self.networkInterfaceId = networkInterfaceId; self.availabilityZone = availabilityZone; self.nodeAddress = nodeAddress
        self.configurationAddress = configurationAddress; self.engineGeneration = engineGeneration; self.tags = tags
        self.createdAt = createdAt
    }
}
