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

/// Where a cache node is in its life (ElastiCache's `CacheNodeStatus` strings).
public enum CacheNodeStatus: String, Codable, Sendable, CaseIterable {
    case creating, available, rebooting, deleting
}

/// One node of a cache cluster: its own requester-managed interface, engine and DNS name.
public struct CacheNode: Codable, Sendable, Equatable {
    /// `0001`, `0002`, ….
    public var id: String
    public var status: CacheNodeStatus
    public var networkInterfaceId: String?
    public var availabilityZone: String
    /// `ID.xxxxxx.000N.use1.cache.amazonaws.com`.
    public var address: String
    /// A different generation than the running engine's means "start again" (a reboot).
    public var engineGeneration: Int
    public var createdAt: Date

    public init(id: String, status: CacheNodeStatus, networkInterfaceId: String?, availabilityZone: String, address: String,
                engineGeneration: Int = 0, createdAt: Date) {
        self.id = id; self.status = status; self.networkInterfaceId = networkInterfaceId
        self.availabilityZone = availabilityZone; self.address = address; self.engineGeneration = engineGeneration
        self.createdAt = createdAt
    }

    /// A node id from its number: 1 → `0001`.
    public static func id(_ number: Int) -> String {
        let n = String(number)
        return String(repeating: "0", count: max(0, 4 - n.count)) + n
    }
}

/// An ElastiCache cluster (memcached of 1 to 40 nodes, redis/valkey of one): its nodes, each an interface in a
/// subnet of its group under the cluster's security groups, with the engine run there.
public struct CacheCluster: Record {
    public static let kind = "elasticache.cache-cluster"
    public static var table: WritableKeyPath<CloudState, [String: CacheCluster]> { \.cacheClusters }
    /// The cluster id as ElastiCache keeps it: lower-cased.
    public var id: String
    /// `memcached`, `redis` or `valkey`.
    public var engine: String
    public var engineVersion: String
    public var nodeType: String
    /// The node count asked for; `nodes` reaches it as nodes are added and removed.
    public var numNodes: Int
    public var port: Int
    public var subnetGroupName: String
    public var securityGroupIds: [String]
    public var status: CacheClusterStatus
    public var statusChangedAt: Date
    /// `single-az` or `cross-az` (memcached); decides the zones of nodes added later.
    public var azMode: String
    /// The cluster's zone (`PreferredAvailabilityZone`): the nodes' zone, or `Multiple` when they differ.
    public var availabilityZone: String
    public var nodes: [CacheNode]
    /// A node count change waiting for the maintenance window (ModifyCacheCluster without ApplyImmediately).
    public var pendingNumNodes: Int?
    public var pendingNodeIdsToRemove: [String]
    /// `ID.xxxxxx.cfg.use1.cache.amazonaws.com` (memcached only).
    public var configurationAddress: String?
    /// The replication group this (redis) cluster is a member of: its primary or one of its replicas.
    public var replicationGroupId: String?
    public var tags: [Tag]
    public var createdAt: Date

    public init(id: String, engine: String, engineVersion: String, nodeType: String, numNodes: Int, port: Int,
                subnetGroupName: String, securityGroupIds: [String], status: CacheClusterStatus, statusChangedAt: Date,
                azMode: String = "single-az", availabilityZone: String, nodes: [CacheNode], configurationAddress: String?,
                tags: [Tag], createdAt: Date) {
        self.id = id; self.engine = engine; self.engineVersion = engineVersion; self.nodeType = nodeType
        self.numNodes = numNodes; self.port = port; self.subnetGroupName = subnetGroupName
        self.securityGroupIds = securityGroupIds; self.status = status; self.statusChangedAt = statusChangedAt
        self.azMode = azMode; self.availabilityZone = availabilityZone; self.nodes = nodes
        self.pendingNumNodes = nil; self.pendingNodeIdsToRemove = []
        self.configurationAddress = configurationAddress; self.replicationGroupId = nil; self.tags = tags
        self.createdAt = createdAt
    }

    /// The first node's name: a redis cluster's endpoint.
    public var primaryAddress: String? { nodes.first?.address }

    /// The number the next added node gets: one past the highest a node has now.
    public var nextNodeNumber: Int { (nodes.compactMap { Int($0.id) }.max() ?? 0) + 1 }

    enum CodingKeys: String, CodingKey {
        case id, engine, engineVersion, nodeType, numNodes, port, subnetGroupName, securityGroupIds, status, statusChangedAt
        case azMode, availabilityZone, nodes, pendingNumNodes, pendingNodeIdsToRemove, configurationAddress, replicationGroupId
        case tags, createdAt
        // Rows written before clusters had a node list kept their one node in these.
        case networkInterfaceId, nodeAddress, engineGeneration
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        engine = try c.decode(String.self, forKey: .engine)
        engineVersion = try c.decode(String.self, forKey: .engineVersion)
        nodeType = try c.decode(String.self, forKey: .nodeType)
        numNodes = try c.decode(Int.self, forKey: .numNodes)
        port = try c.decode(Int.self, forKey: .port)
        subnetGroupName = try c.decode(String.self, forKey: .subnetGroupName)
        securityGroupIds = try c.decode([String].self, forKey: .securityGroupIds)
        status = try c.decode(CacheClusterStatus.self, forKey: .status)
        statusChangedAt = try c.decode(Date.self, forKey: .statusChangedAt)
        azMode = try c.decodeIfPresent(String.self, forKey: .azMode) ?? "single-az"
        availabilityZone = try c.decode(String.self, forKey: .availabilityZone)
        pendingNumNodes = try c.decodeIfPresent(Int.self, forKey: .pendingNumNodes)
        pendingNodeIdsToRemove = try c.decodeIfPresent([String].self, forKey: .pendingNodeIdsToRemove) ?? []
        configurationAddress = try c.decodeIfPresent(String.self, forKey: .configurationAddress)
        replicationGroupId = try c.decodeIfPresent(String.self, forKey: .replicationGroupId)
        tags = try c.decode([Tag].self, forKey: .tags)
        createdAt = try c.decode(Date.self, forKey: .createdAt)
        if let nodes = try c.decodeIfPresent([CacheNode].self, forKey: .nodes) {
            self.nodes = nodes
        } else {
            let ready = status == .available || status == .modifying || status == .rebootingNodes
            nodes = [CacheNode(id: "0001", status: status == .deleting ? .deleting : ready ? .available : .creating,
                               networkInterfaceId: try c.decodeIfPresent(String.self, forKey: .networkInterfaceId),
                               availabilityZone: availabilityZone, address: try c.decode(String.self, forKey: .nodeAddress),
                               engineGeneration: try c.decodeIfPresent(Int.self, forKey: .engineGeneration) ?? 0,
                               createdAt: createdAt)]
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(engine, forKey: .engine)
        try c.encode(engineVersion, forKey: .engineVersion)
        try c.encode(nodeType, forKey: .nodeType)
        try c.encode(numNodes, forKey: .numNodes)
        try c.encode(port, forKey: .port)
        try c.encode(subnetGroupName, forKey: .subnetGroupName)
        try c.encode(securityGroupIds, forKey: .securityGroupIds)
        try c.encode(status, forKey: .status)
        try c.encode(statusChangedAt, forKey: .statusChangedAt)
        try c.encode(azMode, forKey: .azMode)
        try c.encode(availabilityZone, forKey: .availabilityZone)
        try c.encode(nodes, forKey: .nodes)
        try c.encodeIfPresent(pendingNumNodes, forKey: .pendingNumNodes)
        try c.encode(pendingNodeIdsToRemove, forKey: .pendingNodeIdsToRemove)
        try c.encodeIfPresent(configurationAddress, forKey: .configurationAddress)
        try c.encodeIfPresent(replicationGroupId, forKey: .replicationGroupId)
        try c.encode(tags, forKey: .tags)
        try c.encode(createdAt, forKey: .createdAt)
    }
}

/// Where a replication group is in its life (ElastiCache's `Status` strings).
public enum ReplicationGroupStatus: String, Codable, Sendable, CaseIterable {
    case creating, available, modifying, deleting
    case failed = "create-failed"
}

/// A redis (or valkey) replication group with cluster mode disabled: one node group of a primary cache cluster and
/// its replicas (`ID-001`, `ID-002`, …, each a one-node `CacheCluster` naming the group, the replicas' engines
/// following the primary's), written through the primary endpoint and read through the reader endpoint.
public struct ReplicationGroup: Record {
    public static let kind = "elasticache.replication-group"
    public static var table: WritableKeyPath<CloudState, [String: ReplicationGroup]> { \.replicationGroups }
    /// The group id as ElastiCache keeps it: lower-cased.
    public var id: String
    public var description: String
    /// `redis` or `valkey`.
    public var engine: String
    public var engineVersion: String
    public var nodeType: String
    public var port: Int
    public var subnetGroupName: String
    public var securityGroupIds: [String]
    public var status: ReplicationGroupStatus
    public var statusChangedAt: Date
    /// The member clusters in creation order; the primary is one of them.
    public var memberClusters: [String]
    public var primaryClusterId: String
    public var automaticFailover: Bool
    public var multiAZ: Bool
    /// `ID.xxxxxx.ng.0001.use1.cache.amazonaws.com`: always the primary.
    public var primaryAddress: String
    /// `ID-ro.xxxxxx.ng.0001.use1.cache.amazonaws.com`: the replicas (the primary when there are none).
    public var readerAddress: String
    public var tags: [Tag]
    public var createdAt: Date

    public init(id: String, description: String, engine: String, engineVersion: String, nodeType: String, port: Int,
                subnetGroupName: String, securityGroupIds: [String], status: ReplicationGroupStatus, statusChangedAt: Date,
                memberClusters: [String], primaryClusterId: String, automaticFailover: Bool, multiAZ: Bool,
                primaryAddress: String, readerAddress: String, tags: [Tag], createdAt: Date) {
        self.id = id; self.description = description; self.engine = engine; self.engineVersion = engineVersion
        self.nodeType = nodeType; self.port = port; self.subnetGroupName = subnetGroupName
        self.securityGroupIds = securityGroupIds; self.status = status; self.statusChangedAt = statusChangedAt
        self.memberClusters = memberClusters; self.primaryClusterId = primaryClusterId
        self.automaticFailover = automaticFailover; self.multiAZ = multiAZ; self.primaryAddress = primaryAddress
        self.readerAddress = readerAddress; self.tags = tags; self.createdAt = createdAt
    }

    /// A member cluster's id: `ID-001`, `ID-002`, ….
    public static func memberId(_ group: String, _ number: Int) -> String {
        let n = String(number)
        return group + "-" + String(repeating: "0", count: max(0, 3 - n.count)) + n
    }
}
