import AWSWire
import CloudModel
import Foundation

/// AWS::RDS::DBSubnetGroup, AWS::RDS::DBInstance, AWS::ElastiCache::SubnetGroup and AWS::ElastiCache::CacheCluster,
/// through RDS's and ElastiCache's own handlers; instances and clusters complete once available, as CloudFormation
/// waits for them, and their deletion waits until they are gone.
extension ProviderContext {
    @discardableResult
    func rds(_ action: String, _ params: [String: String]) throws -> String {
        guard let rds = backends.rds else { throw ResourceFailure("RDS is not available to this stack engine") }
        let ctx = context()
        do { return try rds.handle(action: action, params: QueryParameters(params), context: ctx) } catch let e as AWSError {
            throw Self.failure(e, service: "Rds", requestID: ctx.requestID)
        }
    }

    @discardableResult
    func elastiCache(_ action: String, _ params: [String: String]) throws -> String {
        guard let cache = backends.elastiCache else { throw ResourceFailure("ElastiCache is not available to this stack engine") }
        let ctx = context()
        do { return try cache.handle(action: action, params: QueryParameters(params), context: ctx) } catch let e as AWSError {
            throw Self.failure(e, service: "ElastiCache", requestID: ctx.requestID)
        }
    }

    /// A name CloudFormation makes up when the template gives none: stack, logical id and a random suffix, lower-cased.
    func generatedIdentifier(limit: Int) -> String {
        let suffix = String(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12)).lowercased()
        let base = "\(stackName)-\(logicalId)".lowercased().filter { $0.isLetter || $0.isNumber || $0 == "-" }
        var name = String(base.prefix(max(1, limit - 13))) + "-" + suffix
        if name.first?.isLetter != true { name = "a" + name.dropFirst() }
        return name.replacingOccurrences(of: "--", with: "-")
    }
}

/// Query-protocol list members and tags from template properties.
private func members(_ name: String, member: String, _ values: [String], into form: inout [String: String]) {
    for (i, v) in values.enumerated() { form["\(name).\(member).\(i + 1)"] = v }
}

private func tagMembers(_ p: ResourceProperties, into form: inout [String: String]) {
    for (i, t) in p.tags.enumerated() {
        form["Tags.Tag.\(i + 1).Key"] = t.key
        form["Tags.Tag.\(i + 1).Value"] = t.value
    }
}

struct RDSDBSubnetGroupProvider: ResourceProvider {
    let type = "AWS::RDS::DBSubnetGroup"
    let replacementProperties: Set<String> = ["DBSubnetGroupName"]

    func create(_ p: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned {
        let name = (p.string("DBSubnetGroupName") ?? c.generatedIdentifier(limit: 255)).lowercased()
        var form = ["DBSubnetGroupName": name,
                    "DBSubnetGroupDescription": try p.required("DBSubnetGroupDescription", of: type)]
        members("SubnetIds", member: "SubnetIdentifier", p.strings("SubnetIds"), into: &form)
        tagMembers(p, into: &form)
        try c.rds("CreateDBSubnetGroup", form)
        return Provisioned(name)
    }

    func update(_ name: String, old: ResourceProperties, new: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned? {
        var form = ["DBSubnetGroupName": name, "DBSubnetGroupDescription": try new.required("DBSubnetGroupDescription", of: type)]
        members("SubnetIds", member: "SubnetIdentifier", new.strings("SubnetIds"), into: &form)
        try c.rds("ModifyDBSubnetGroup", form)
        return Provisioned(name)
    }

    func delete(_ name: String, _ p: ResourceProperties, _ c: ProviderContext) async throws -> Bool {
        try ignoringNotFound { try c.rds("DeleteDBSubnetGroup", ["DBSubnetGroupName": name]) }
        return true
    }
}

struct RDSDBInstanceProvider: ResourceProvider {
    let type = "AWS::RDS::DBInstance"
    let replacementProperties: Set<String> = ["DBInstanceIdentifier", "Engine", "DBName", "MasterUsername", "DBSubnetGroupName",
                                              "AvailabilityZone", "Port"]

    func create(_ p: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned {
        let id = (p.string("DBInstanceIdentifier") ?? c.generatedIdentifier(limit: 63)).lowercased()
        var form = ["DBInstanceIdentifier": id, "Engine": try p.required("Engine", of: type),
                    "DBInstanceClass": try p.required("DBInstanceClass", of: type)]
        for key in ["AllocatedStorage", "MasterUsername", "MasterUserPassword", "DBName", "DBSubnetGroupName", "Port",
                    "BackupRetentionPeriod", "EngineVersion", "StorageType", "AvailabilityZone", "PubliclyAccessible",
                    "MultiAZ", "DeletionProtection"] {
            if let v = p.string(key) { form[key] = v }
        }
        members("VpcSecurityGroupIds", member: "VpcSecurityGroupId", p.strings("VPCSecurityGroups"), into: &form)
        tagMembers(p, into: &form)
        try c.rds("CreateDBInstance", form)
        return Provisioned(id, pending: true)
    }

    func update(_ id: String, old: ResourceProperties, new: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned? {
        var form = ["DBInstanceIdentifier": id, "ApplyImmediately": "true"]
        for key in ["DBInstanceClass", "AllocatedStorage", "BackupRetentionPeriod", "PubliclyAccessible", "DeletionProtection"]
            where new.string(key) != old.string(key) {
            if let v = new.string(key) { form[key] = v }
        }
        if new.string("MasterUserPassword") != old.string("MasterUserPassword") { form["MasterUserPassword"] = new.string("MasterUserPassword") }
        if new.strings("VPCSecurityGroups") != old.strings("VPCSecurityGroups") {
            members("VpcSecurityGroupIds", member: "VpcSecurityGroupId", new.strings("VPCSecurityGroups"), into: &form)
        }
        if form.count > 2 { try c.rds("ModifyDBInstance", form) }
        return Provisioned(id, pending: true)
    }

    func stabilize(_ id: String, _ p: ResourceProperties, _ c: ProviderContext) async throws -> Stabilization {
        guard let rds = c.backends.rds, let db = rds.store.snapshot().dbInstances[id] else { return .failed("DB instance \(id) not found") }
        switch db.status {
        case .available:
            return .ready(["Endpoint.Address": .string(db.endpointAddress), "Endpoint.Port": .string(String(db.port)),
                           "DBInstanceArn": .string(rds.dbArn(id)), "DbiResourceId": .string(db.resourceId)])
        case .failed: return .failed("DB instance \(id) is in the failed state (HandlerErrorCode: NotStabilized)")
        default: return .waiting
        }
    }

    func delete(_ id: String, _ p: ResourceProperties, _ c: ProviderContext) async throws -> Bool {
        try ignoringNotFound { try c.rds("DeleteDBInstance", ["DBInstanceIdentifier": id, "SkipFinalSnapshot": "true"]) }
        return try isDeleted(id, c)
    }

    func isDeleted(_ id: String, _ c: ProviderContext) throws -> Bool {
        c.backends.rds?.store.snapshot().dbInstances[id] == nil
    }
}

struct ElastiCacheSubnetGroupProvider: ResourceProvider {
    let type = "AWS::ElastiCache::SubnetGroup"
    let replacementProperties: Set<String> = ["CacheSubnetGroupName"]

    func create(_ p: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned {
        let name = (p.string("CacheSubnetGroupName") ?? c.generatedIdentifier(limit: 255)).lowercased()
        var form = ["CacheSubnetGroupName": name, "CacheSubnetGroupDescription": try p.required("Description", of: type)]
        members("SubnetIds", member: "SubnetIdentifier", p.strings("SubnetIds"), into: &form)
        tagMembers(p, into: &form)
        try c.elastiCache("CreateCacheSubnetGroup", form)
        return Provisioned(name)
    }

    func delete(_ name: String, _ p: ResourceProperties, _ c: ProviderContext) async throws -> Bool {
        try ignoringNotFound { try c.elastiCache("DeleteCacheSubnetGroup", ["CacheSubnetGroupName": name]) }
        return true
    }
}

struct ElastiCacheCacheClusterProvider: ResourceProvider {
    let type = "AWS::ElastiCache::CacheCluster"
    let replacementProperties: Set<String> = ["ClusterName", "Engine", "CacheSubnetGroupName", "Port"]

    func create(_ p: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned {
        let id = (p.string("ClusterName") ?? c.generatedIdentifier(limit: 40)).lowercased()
        var form = ["CacheClusterId": id, "Engine": try p.required("Engine", of: type),
                    "CacheNodeType": try p.required("CacheNodeType", of: type),
                    "NumCacheNodes": try p.required("NumCacheNodes", of: type)]
        for key in ["CacheSubnetGroupName", "Port", "EngineVersion", "PreferredAvailabilityZone"] {
            if let v = p.string(key) { form[key] = v }
        }
        members("SecurityGroupIds", member: "SecurityGroupId", p.strings("VpcSecurityGroupIds"), into: &form)
        tagMembers(p, into: &form)
        try c.elastiCache("CreateCacheCluster", form)
        return Provisioned(id, pending: true)
    }

    func update(_ id: String, old: ResourceProperties, new: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned? {
        if new.strings("VpcSecurityGroupIds") != old.strings("VpcSecurityGroupIds") {
            var form = ["CacheClusterId": id, "ApplyImmediately": "true"]
            members("SecurityGroupIds", member: "SecurityGroupId", new.strings("VpcSecurityGroupIds"), into: &form)
            try c.elastiCache("ModifyCacheCluster", form)
        }
        // A memcached cluster grows by new nodes and shrinks by its highest-numbered ones.
        if let n = new.string("NumCacheNodes").flatMap(Int.init), n != old.string("NumCacheNodes").flatMap(Int.init),
           let cluster = c.backends.elastiCache?.store.snapshot().cacheClusters[id] {
            var form = ["CacheClusterId": id, "NumCacheNodes": String(n), "ApplyImmediately": "true"]
            let highest = cluster.nodes.map(\.id).sorted().suffix(max(0, cluster.nodes.count - n))
            members("CacheNodeIdsToRemove", member: "CacheNodeId", Array(highest), into: &form)
            try c.elastiCache("ModifyCacheCluster", form)
        }
        return Provisioned(id, pending: true)
    }

    func stabilize(_ id: String, _ p: ResourceProperties, _ c: ProviderContext) async throws -> Stabilization {
        guard let cluster = c.backends.elastiCache?.store.snapshot().cacheClusters[id] else { return .failed("Cache cluster \(id) not found") }
        switch cluster.status {
        case .available:
            var attributes: [String: StackAttributeValue] = [:]
            if let cfg = cluster.configurationAddress {
                attributes["ConfigurationEndpoint.Address"] = .string(cfg)
                attributes["ConfigurationEndpoint.Port"] = .string(String(cluster.port))
            } else {
                attributes["RedisEndpoint.Address"] = .string(cluster.primaryAddress ?? "")
                attributes["RedisEndpoint.Port"] = .string(String(cluster.port))
            }
            return .ready(attributes)
        case .failed: return .failed("Cache cluster \(id) failed to be created (HandlerErrorCode: NotStabilized)")
        default: return .waiting
        }
    }

    func delete(_ id: String, _ p: ResourceProperties, _ c: ProviderContext) async throws -> Bool {
        try ignoringNotFound { try c.elastiCache("DeleteCacheCluster", ["CacheClusterId": id]) }
        return try isDeleted(id, c)
    }

    func isDeleted(_ id: String, _ c: ProviderContext) throws -> Bool {
        c.backends.elastiCache?.store.snapshot().cacheClusters[id] == nil
    }
}
