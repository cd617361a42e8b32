import CloudModel
import Foundation

/// AWS::ElastiCache::ReplicationGroup (cluster mode disabled) through ElastiCache's own handlers: complete once the
/// group is available, with its primary, reader and read endpoints as attributes.
struct ElastiCacheReplicationGroupProvider: ResourceProvider {
    let type = "AWS::ElastiCache::ReplicationGroup"
    let replacementProperties: Set<String> = ["ReplicationGroupId", "Engine", "CacheSubnetGroupName", "Port", "NumCacheClusters",
                                              "ReplicasPerNodeGroup", "NumNodeGroups", "PreferredCacheClusterAZs"]

    func create(_ p: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned {
        let id = (p.string("ReplicationGroupId") ?? c.generatedIdentifier(limit: 40)).lowercased()
        var form = ["ReplicationGroupId": id, "ReplicationGroupDescription": try p.required("ReplicationGroupDescription", of: type),
                    "CacheNodeType": try p.required("CacheNodeType", of: type)]
        for key in ["Engine", "EngineVersion", "CacheSubnetGroupName", "Port", "NumCacheClusters", "ReplicasPerNodeGroup",
                    "NumNodeGroups", "AutomaticFailoverEnabled", "MultiAZEnabled", "ClusterMode"] {
            if let v = p.string(key) { form[key] = v }
        }
        for (i, v) in p.strings("SecurityGroupIds").enumerated() { form["SecurityGroupIds.SecurityGroupId.\(i + 1)"] = v }
        for (i, v) in p.strings("PreferredCacheClusterAZs").enumerated() { form["PreferredCacheClusterAZs.AvailabilityZone.\(i + 1)"] = v }
        for (i, t) in p.tags.enumerated() {
            form["Tags.Tag.\(i + 1).Key"] = t.key
            form["Tags.Tag.\(i + 1).Value"] = t.value
        }
        try c.elastiCache("CreateReplicationGroup", form)
        return Provisioned(id, pending: true)
    }

    func update(_ id: String, old: ResourceProperties, new: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned? {
        var form = ["ReplicationGroupId": id, "ApplyImmediately": "true"]
        if new.strings("SecurityGroupIds") != old.strings("SecurityGroupIds") {
            for (i, v) in new.strings("SecurityGroupIds").enumerated() { form["SecurityGroupIds.SecurityGroupId.\(i + 1)"] = v }
        }
        if let d = new.string("ReplicationGroupDescription"), d != old.string("ReplicationGroupDescription") {
            form["ReplicationGroupDescription"] = d
        }
        if form.count > 2 { try c.elastiCache("ModifyReplicationGroup", form) }
        return Provisioned(id, pending: true)
    }

    func stabilize(_ id: String, _ p: ResourceProperties, _ c: ProviderContext) async throws -> Stabilization {
        let s = c.backends.elastiCache?.store.snapshot() ?? CloudState()
        guard let g = s.replicationGroups[id] else { return .failed("Replication group \(id) not found") }
        switch g.status {
        case .available:
            let port = String(g.port)
            let replicas = g.memberClusters.compactMap { s.cacheClusters[$0]?.primaryAddress }
            return .ready([
                "PrimaryEndPoint.Address": .string(g.primaryAddress), "PrimaryEndPoint.Port": .string(port),
                "ReaderEndPoint.Address": .string(g.readerAddress), "ReaderEndPoint.Port": .string(port),
                "ReadEndPoint.Addresses": .string(replicas.joined(separator: ",")),
                "ReadEndPoint.Ports": .string(replicas.map { _ in port }.joined(separator: ",")),
                "ReadEndPoint.Addresses.List": .list(replicas), "ReadEndPoint.Ports.List": .list(replicas.map { _ in port }),
            ])
        case .failed: return .failed("Replication group \(id) failed to be created (HandlerErrorCode: NotStabilized)")
        default: return .waiting
        }
    }

    func delete(_ id: String, _ p: ResourceProperties, _ c: ProviderContext) async throws -> Bool {
        try ignoringNotFound { try c.elastiCache("DeleteReplicationGroup", ["ReplicationGroupId": id]) }
        return try isDeleted(id, c)
    }

    func isDeleted(_ id: String, _ c: ProviderContext) throws -> Bool {
        c.backends.elastiCache?.store.snapshot().replicationGroups[id] == nil
    }
}
