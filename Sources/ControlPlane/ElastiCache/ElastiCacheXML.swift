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
        w.element("AuthTokenEnabled", false)
        w.element("TransitEncryptionEnabled", false)
        w.element("AtRestEncryptionEnabled", false)
        w.element("ARN", arn)
        w.element("ReplicationGroupLogDeliveryEnabled", false)
        w.element("LogDeliveryConfigurations") { _ in }
        w.element("NetworkType", "ipv4")
        w.element("IpDiscovery", "ipv4")
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
