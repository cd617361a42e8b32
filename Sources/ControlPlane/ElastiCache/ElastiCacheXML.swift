import AWSWire
import CloudModel
import Foundation

/// ElastiCache's XML shapes (member names from botocore's model).
enum ElastiCacheXML {
    static func date(_ d: Date) -> String {
        d.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC")!))
    }

    static func subnetGroup(_ w: inout XMLWriter, _ g: CacheSubnetGroup, _ s: CloudState, arn: String) {
        w.element("CacheSubnetGroupName", g.id)
        w.element("CacheSubnetGroupDescription", g.description)
        w.element("VpcId", g.vpcId)
        w.list("Subnets", g.subnetIds, member: "Subnet") { w, id in
            w.element("SubnetIdentifier", id)
            w.element("SubnetAvailabilityZone") { $0.element("Name", s.subnets[id]?.availabilityZone) }
            w.list("SupportedNetworkTypes", ["ipv4"], member: "member") { w, t in w.raw(t) }
        }
        w.element("ARN", arn)
        w.list("SupportedNetworkTypes", ["ipv4"], member: "member") { w, t in w.raw(t) }
    }

    static func cluster(_ w: inout XMLWriter, _ c: CacheCluster, showNodes: Bool, arn: String) {
        w.element("CacheClusterId", c.id)
        if let cfg = c.configurationAddress, c.status != .creating {
            w.element("ConfigurationEndpoint") { w in
                w.element("Address", cfg)
                w.element("Port", c.port)
            }
        }
        w.element("ClientDownloadLandingPage", "https://console.aws.amazon.com/elasticache/home#client-download:")
        w.element("CacheNodeType", c.nodeType)
        w.element("Engine", c.engine)
        w.element("EngineVersion", c.engineVersion)
        w.element("CacheClusterStatus", c.status.rawValue)
        w.element("NumCacheNodes", c.numNodes)
        w.element("PreferredAvailabilityZone", c.availabilityZone)
        w.element("CacheClusterCreateTime", date(c.createdAt))
        w.element("PreferredMaintenanceWindow", "sun:05:00-sun:06:00")
        w.element("PendingModifiedValues") { w in
            if let n = c.pendingNumNodes { w.element("NumCacheNodes", n) }
            if !c.pendingNodeIdsToRemove.isEmpty {
                w.list("CacheNodeIdsToRemove", c.pendingNodeIdsToRemove, member: "CacheNodeId") { w, id in w.raw(id) }
            }
        }
        w.element("CacheSecurityGroups") { _ in }
        w.element("CacheParameterGroup") { w in
            w.element("CacheParameterGroupName", "default." + parameterFamily(c))
            w.element("ParameterApplyStatus", "in-sync")
            w.list("CacheNodeIdsToReboot", c.nodes.filter { $0.status == .rebooting }.map(\.id), member: "CacheNodeId") { w, id in w.raw(id) }
        }
        w.element("CacheSubnetGroupName", c.subnetGroupName)
        if showNodes {
            w.list("CacheNodes", c.nodes, member: "CacheNode") { w, n in
                w.element("CacheNodeId", n.id)
                w.element("CacheNodeStatus", n.status.rawValue)
                w.element("CacheNodeCreateTime", date(n.createdAt))
                if n.status != .creating {
                    w.element("Endpoint") { w in
                        w.element("Address", n.address)
                        w.element("Port", c.port)
                    }
                }
                w.element("ParameterGroupStatus", "in-sync")
                w.element("CustomerAvailabilityZone", n.availabilityZone)
            }
        }
        w.element("AutoMinorVersionUpgrade", true)
        w.list("SecurityGroups", c.securityGroupIds, member: "member") { w, id in
            w.element("SecurityGroupId", id)
            w.element("Status", "active")
        }
        if let g = c.replicationGroupId { w.element("ReplicationGroupId", g) }
        w.element("AuthTokenEnabled", false)
        w.element("TransitEncryptionEnabled", false)
        w.element("AtRestEncryptionEnabled", false)
        w.element("ARN", arn)
        w.element("ReplicationGroupLogDeliveryEnabled", false)
        w.element("LogDeliveryConfigurations") { _ in }
        w.element("NetworkType", "ipv4")
        w.element("IpDiscovery", "ipv4")
    }

    /// A replication group with its one node group: the primary and reader endpoints once available, and each member
    /// cluster's node with its role.
    static func replicationGroup(_ w: inout XMLWriter, _ g: ReplicationGroup, _ s: CloudState, arn: String) {
        let members = g.memberClusters.compactMap { s.cacheClusters[$0] }
        let ready = g.status != .creating
        w.element("ReplicationGroupId", g.id)
        w.element("Description", g.description)
        w.element("Status", g.status.rawValue)
        w.element("PendingModifiedValues") { _ in }
        w.list("MemberClusters", g.memberClusters, member: "ClusterId") { w, id in w.appendEscaped(id) }
        w.list("NodeGroups", [g], member: "NodeGroup") { w, g in
            w.element("NodeGroupId", "0001")
            w.element("Status", g.status == .creating ? "creating" : g.status == .deleting ? "deleting" : "available")
            if ready {
                w.element("PrimaryEndpoint") { w in w.element("Address", g.primaryAddress); w.element("Port", g.port) }
                w.element("ReaderEndpoint") { w in w.element("Address", g.readerAddress); w.element("Port", g.port) }
            }
            w.list("NodeGroupMembers", members, member: "NodeGroupMember") { w, m in
                let node = m.nodes.first
                w.element("CacheClusterId", m.id)
                w.element("CacheNodeId", node?.id ?? "0001")
                if let node, node.status != .creating {
                    w.element("ReadEndpoint") { w in w.element("Address", node.address); w.element("Port", m.port) }
                }
                w.element("PreferredAvailabilityZone", m.availabilityZone)
                w.element("CurrentRole", m.id == g.primaryClusterId ? "primary" : "replica")
            }
        }
        w.element("AutomaticFailover", g.automaticFailover ? "enabled" : "disabled")
        w.element("MultiAZ", g.multiAZ ? "enabled" : "disabled")
        w.element("SnapshotRetentionLimit", 0)
        w.element("SnapshotWindow", "06:30-07:30")
        w.element("ClusterEnabled", false)
        w.element("CacheNodeType", g.nodeType)
        w.element("AuthTokenEnabled", false)
        w.element("TransitEncryptionEnabled", false)
        w.element("AtRestEncryptionEnabled", false)
        w.element("ARN", arn)
        w.element("LogDeliveryConfigurations") { _ in }
        w.element("ReplicationGroupCreateTime", date(g.createdAt))
        w.element("DataTiering", "disabled")
        w.element("AutoMinorVersionUpgrade", true)
        w.element("NetworkType", "ipv4")
        w.element("IpDiscovery", "ipv4")
        w.element("ClusterMode", "disabled")
        w.element("Engine", g.engine)
    }

    static func parameterFamily(_ c: CacheCluster) -> String {
        let parts = c.engineVersion.split(separator: ".")
        switch c.engine {
        case "memcached": return "memcached" + parts.prefix(2).joined(separator: ".")
        case "valkey": return "valkey" + (parts.first.map(String.init) ?? "7")
        default: return "redis" + (parts.first.map(String.init) ?? "7")
        }
    }

    static func tagList(_ w: inout XMLWriter, _ tags: [Tag]) {
        w.list("TagList", tags, member: "Tag") { w, t in
            w.element("Key", t.key)
            w.element("Value", t.value)
        }
    }
}
