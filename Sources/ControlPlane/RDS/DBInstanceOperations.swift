import AWSWire
import CloudModel
import Foundation

/// DB instances: created with an interface in one subnet of their group (under their VPC security groups), then
/// brought to life by `ManagedEngineReconciler`; every status move goes through `DBInstanceLifecycle`.
extension RDSService {
    /// The engines served, their default port, smallest storage (GiB) and the version reported when none is asked.
    struct EngineTraits {
        var port: Int
        var minimumStorage: Int
        var defaultVersion: String
        var passwordLimit: Int
        var description: String
    }

    static let engines: [String: EngineTraits] = [
        "postgres": EngineTraits(port: 5432, minimumStorage: 20, defaultVersion: "15.7", passwordLimit: 128, description: "PostgreSQL"),
        "mysql": EngineTraits(port: 3306, minimumStorage: 5, defaultVersion: "8.0.39", passwordLimit: 41, description: "MySQL Community Edition"),
        "mariadb": EngineTraits(port: 3306, minimumStorage: 5, defaultVersion: "10.11.9", passwordLimit: 41, description: "MariaDB Community Edition"),
    ]

    func createDBInstance(_ p: QueryParameters, _ c: RequestContext) throws -> String {
        guard let given = p["DBInstanceIdentifier"] else { throw RDSErrors.missing("DBInstanceIdentifier") }
        guard Self.isValidIdentifier(given) else { throw RDSErrors.invalidIdentifier("DBInstanceIdentifier") }
        let id = given.lowercased()
        guard let instanceClass = p["DBInstanceClass"] else { throw RDSErrors.missing("DBInstanceClass") }
        guard let engineName = p["Engine"]?.lowercased() else { throw RDSErrors.missing("Engine") }
        guard let traits = Self.engines[engineName] else { throw RDSErrors.invalidEngine }
        guard let user = p["MasterUsername"], !user.isEmpty else {
            throw RDSErrors.invalidParameter("The parameter MasterUsername must be provided and must not be blank.")
        }
        guard user.unicodeScalars.first?.isASCIILetter == true, user.count <= 16 || engineName == "postgres",
              user.unicodeScalars.allSatisfy({ $0.isASCIILetter || ("0"..."9").contains($0) || $0 == "_" }) else {
            throw RDSErrors.invalidParameter("The parameter MasterUsername is not a valid identifier. Identifiers must begin with a letter; must contain only ASCII letters, digits, and underscores; and must not be a reserved word.")
        }
        let password = try Self.checkPassword(p["MasterUserPassword"], limit: traits.passwordLimit)
        let storageType = p["StorageType"] ?? "gp2"
        let storage = Int(p["AllocatedStorage"] ?? "") ?? 0
        if storage < traits.minimumStorage || storage > 65536 {
            throw RDSErrors.invalidStorage(engine: engineName, storageType: storageType, size: storage)
        }
        let dbName = p["DBName"]
        if let dbName, dbName.unicodeScalars.first?.isASCIILetter != true || dbName.count > 63
            || !dbName.unicodeScalars.allSatisfy({ $0.isASCIILetter || ("0"..."9").contains($0) || $0 == "_" }) {
            throw RDSErrors.invalidParameter("The parameter DBName is not a valid identifier. Identifiers must begin with a letter; must contain only ASCII letters, digits, and underscores; and must not be a reserved word.")
        }
        let port = try p["Port"].map { v -> Int in
            guard let n = Int(v), (1150...65535).contains(n) else { throw RDSErrors.invalidParameter("Invalid port \(v): must be between 1150 and 65535.") }
            return n
        } ?? traits.port
        let retention = Int(p["BackupRetentionPeriod"] ?? "1") ?? 1
        if !(0...35).contains(retention) {
            throw RDSErrors.invalidParameter("Invalid backup retention period \(retention): it must be between 0 and 35.")
        }
        let db = try publicAddresses.allocating { elsewhere in try store.write { tx -> DBInstance in
            if tx.get(DBInstance.self, id) != nil { throw RDSErrors.instanceExists() }
            let group: DBSubnetGroup
            if let name = p["DBSubnetGroupName"]?.lowercased() {
                guard let g = tx.get(DBSubnetGroup.self, name) else { throw RDSErrors.subnetGroupNotFound(name) }
                group = g
            } else {
                group = try Self.defaultSubnetGroup(&tx)
            }
            let groups = try Self.securityGroups(p.members("VpcSecurityGroupIds"), vpcId: group.vpcId, in: tx.state)
            let zone = p["AvailabilityZone"]
            guard let subnet = ManagedInterfaces.pickSubnet(group.subnetIds, zone: zone, in: tx.state) else {
                if let zone, !ManagedInterfaces.zones(group.subnetIds, in: tx.state).contains(zone) {
                    throw RDSErrors.invalidParameter("DB subnet group '\(group.id)' has no subnet in the availability zone \(zone).")
                }
                throw RDSErrors.noCapacity()
            }
            guard let eni = ManagedInterfaces.create(in: subnet, groups: groups,
                                                     requester: .init(id: "amazon-rds", description: "RDSNetworkInterface"),
                                                     accountId: accountId, &tx) else { throw RDSErrors.noCapacity() }
            let db = DBInstance(
                id: id, engine: engineName, engineVersion: p["EngineVersion"] ?? traits.defaultVersion, instanceClass: instanceClass,
                allocatedStorage: storage, storageType: storageType, masterUsername: user, masterPassword: password, dbName: dbName,
                port: port, subnetGroupName: group.id, vpcSecurityGroupIds: groups,
                publiclyAccessible: p.flag("PubliclyAccessible") ?? Self.hasInternetGateway(group.vpcId, tx.state),
                backupRetentionPeriod: retention,
                multiAZ: p.flag("MultiAZ") ?? false, status: .creating, statusChangedAt: tx.now, networkInterfaceId: eni.id,
                availabilityZone: subnet.availabilityZone,
                endpointAddress: ManagedEndpoints.rdsAddress(id: id, accountId: accountId, region: region),
                resourceId: "db-" + Self.resourceSuffix(), deletionProtection: p.flag("DeletionProtection") ?? false,
                tags: p.tagMembers(), createdAt: tx.now)
            var made = db
            if db.publiclyAccessible {
                made.publicIp = try Self.publicAddress(used: elsewhere.union(CloudState.publicAddresses(tx.state)))
            }
            tx.put(made)
            return made
        } }
        return instanceResponse("CreateDBInstance", db, c)
    }

    func describeDBInstances(_ p: QueryParameters, _ c: RequestContext) throws -> String {
        let s = store.snapshot()
        var list = s.dbInstances.values.sorted { $0.id < $1.id }
        if let given = p["DBInstanceIdentifier"] {
            let id = Self.identifier(fromIdOrArn: given)
            guard let db = s.dbInstances[id] else { throw RDSErrors.instanceNotFound(id) }
            list = [db]
        }
        for f in p.structures("Filters") {
            let values = f.members("Values")
            switch f["Name"] {
            case "db-instance-id": list = list.filter { db in values.contains { Self.identifier(fromIdOrArn: $0) == db.id } }
            case "engine": list = list.filter { values.contains($0.engine) }
            case "dbi-resource-id": list = list.filter { values.contains($0.resourceId) }
            default: throw RDSErrors.invalidParameter("Unrecognized filter name: \(f["Name"] ?? "").")
            }
        }
        return Self.response("DescribeDBInstances", requestID: c.requestID) { w in
            w.list("DBInstances", list, member: "DBInstance") { RDSXML.instance(&$0, $1, s, service: self) }
        }
    }

    func modifyDBInstance(_ p: QueryParameters, _ c: RequestContext) throws -> String {
        let id = try requiredIdentifier(p)
        let db = try publicAddresses.allocating { elsewhere in try store.write { tx -> DBInstance in
            guard var db = tx.get(DBInstance.self, id) else { throw RDSErrors.instanceNotFound(id) }
            guard db.status == .available || db.status == .stopped else {
                throw RDSErrors.invalidState("Database instance is not in available state.")
            }
            var event: DBInstanceLifecycle.Event = .modifyRequested
            if p.has(prefix: "VpcSecurityGroupIds") {
                let vpcId = tx.get(DBSubnetGroup.self, db.subnetGroupName)?.vpcId ?? ""
                db.vpcSecurityGroupIds = try Self.securityGroups(p.members("VpcSecurityGroupIds"), vpcId: vpcId, in: tx.state)
                if let eni = db.networkInterfaceId {
                    let groups = db.vpcSecurityGroupIds
                    tx.update(NetworkInterface.self, eni) { $0.groupIds = groups }
                }
            }
            if let password = p["MasterUserPassword"] {
                db.masterPassword = try Self.checkPassword(password, limit: Self.engines[db.engine]?.passwordLimit ?? 41)
                db.engineGeneration += 1
                event = .masterPasswordReset
            }
            if let cls = p["DBInstanceClass"] { db.instanceClass = cls }
            if let s = p["AllocatedStorage"] {
                guard let n = Int(s), n >= db.allocatedStorage, n <= 65536 else {
                    throw RDSErrors.invalidStorage(engine: db.engine, storageType: db.storageType, size: Int(s) ?? 0)
                }
                db.allocatedStorage = n
            }
            if let r = p["BackupRetentionPeriod"].flatMap(Int.init) { db.backupRetentionPeriod = r }
            if let d = p.flag("DeletionProtection") { db.deletionProtection = d }
            if let pub = p.flag("PubliclyAccessible") {
                db.publiclyAccessible = pub
                if !pub { db.publicIp = nil }
                if pub, db.publicIp == nil {
                    db.publicIp = try Self.publicAddress(used: elsewhere.union(CloudState.publicAddresses(tx.state)))
                }
            }
            if let next = DBInstanceLifecycle.next(db.status, event) {
                db.status = next
                db.statusChangedAt = tx.now
            }
            tx.put(db)
            return db
        } }
        return instanceResponse("ModifyDBInstance", db, c)
    }

    func rebootDBInstance(_ p: QueryParameters, _ c: RequestContext) throws -> String {
        let id = try requiredIdentifier(p)
        let db = try move(id, .rebootRequested, refusal: "Instance \(id) is not in available state.") { $0.engineGeneration += 1 }
        return instanceResponse("RebootDBInstance", db, c)
    }

    func stopDBInstance(_ p: QueryParameters, _ c: RequestContext) throws -> String {
        let id = try requiredIdentifier(p)
        let db = try move(id, .stopRequested, refusal: "Instance \(id) is not in available state.")
        return instanceResponse("StopDBInstance", db, c)
    }

    func startDBInstance(_ p: QueryParameters, _ c: RequestContext) throws -> String {
        let id = try requiredIdentifier(p)
        let db = try move(id, .startRequested, refusal: "Instance \(id) is not stopped, it is in the state \(store.snapshot().dbInstances[id]?.status.rawValue ?? "").")
        return instanceResponse("StartDBInstance", db, c)
    }

    func deleteDBInstance(_ p: QueryParameters, _ c: RequestContext) throws -> String {
        let id = try requiredIdentifier(p)
        let skip = p.flag("SkipFinalSnapshot") ?? false
        let finalSnapshot = p["FinalDBSnapshotIdentifier"]
        if skip, finalSnapshot != nil {
            throw RDSErrors.invalidCombination("Cannot specify both FinalDBSnapshotIdentifier and SkipFinalSnapshot.")
        }
        if !skip, finalSnapshot == nil {
            throw RDSErrors.invalidCombination("FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified.")
        }
        if let finalSnapshot, !Self.isValidIdentifier(finalSnapshot, limit: 255) {
            throw RDSErrors.invalidIdentifier("FinalDBSnapshotIdentifier")
        }
        if let db = store.snapshot().dbInstances[id], db.deletionProtection {
            throw RDSErrors.invalidCombination("Cannot delete protected DB Instance, please disable deletion protection and try again.")
        }
        let db = try store.write { tx -> DBInstance in
            guard var db = tx.get(DBInstance.self, id) else { throw RDSErrors.instanceNotFound(id) }
            guard let next = DBInstanceLifecycle.next(db.status, .deleteRequested) else {
                throw RDSErrors.invalidState("Instance \(id) is already being deleted.")
            }
            // The final snapshot is taken (by the reconciler) before the engine's data goes.
            if let finalSnapshot { _ = try Self.newSnapshot(finalSnapshot.lowercased(), of: db, tags: [], &tx) }
            db.status = next
            db.statusChangedAt = tx.now
            tx.put(db)
            return db
        }
        return instanceResponse("DeleteDBInstance", db, c)
    }

    func describeEngineVersions(_ p: QueryParameters, _ c: RequestContext) -> String {
        let wanted = p["Engine"]?.lowercased()
        let rows = Self.engines.keys.sorted().filter { wanted == nil || $0 == wanted }.filter { e in
            p["EngineVersion"].map { $0 == Self.engines[e]!.defaultVersion } ?? true
        }
        return Self.response("DescribeDBEngineVersions", requestID: c.requestID) { w in
            w.list("DBEngineVersions", rows, member: "DBEngineVersion") { w, e in
                let t = Self.engines[e]!
                let major = e == "postgres" ? String(t.defaultVersion.split(separator: ".")[0])
                                            : t.defaultVersion.split(separator: ".").prefix(2).joined(separator: ".")
                w.element("Engine", e)
                w.element("EngineVersion", t.defaultVersion)
                w.element("DBParameterGroupFamily", e + major)
                w.element("DBEngineDescription", t.description)
                w.element("DBEngineVersionDescription", t.description + " " + t.defaultVersion)
                w.element("Status", "available")
                w.element("SupportsReadReplica", true)
            }
        }
    }

    // MARK: Helpers

    /// Applies a lifecycle event (and `change`) or refuses with InvalidDBInstanceState.
    func move(_ id: String, _ event: DBInstanceLifecycle.Event, refusal: String,
              _ change: (inout DBInstance) -> Void = { _ in }) throws -> DBInstance {
        try store.write { tx -> DBInstance in
            guard var db = tx.get(DBInstance.self, id) else { throw RDSErrors.instanceNotFound(id) }
            guard let next = DBInstanceLifecycle.next(db.status, event) else { throw RDSErrors.invalidState(refusal) }
            change(&db)
            db.status = next
            db.statusChangedAt = tx.now
            tx.put(db)
            return db
        }
    }

    func requiredIdentifier(_ p: QueryParameters) throws -> String {
        guard let given = p["DBInstanceIdentifier"] else { throw RDSErrors.missing("DBInstanceIdentifier") }
        return Self.identifier(fromIdOrArn: given)
    }

    static func identifier(fromIdOrArn s: String) -> String {
        if s.hasPrefix("arn:"), let r = s.range(of: ":db:") { return String(s[r.upperBound...]).lowercased() }
        return s.lowercased()
    }

    func instanceResponse(_ action: String, _ db: DBInstance, _ c: RequestContext) -> String {
        let s = store.snapshot()
        return Self.response(action, requestID: c.requestID) { w in
            w.element("DBInstance") { RDSXML.instance(&$0, db, s, service: self) }
        }
    }

    static func checkPassword(_ given: String?, limit: Int) throws -> String {
        guard let password = given, !password.isEmpty else {
            throw RDSErrors.invalidParameter("The parameter MasterUserPassword must be provided and must not be blank.")
        }
        if password.count < 8 {
            throw RDSErrors.invalidParameter("The parameter MasterUserPassword is not a valid password because it is shorter than 8 characters.")
        }
        if password.count > limit {
            throw RDSErrors.invalidParameter("The parameter MasterUserPassword is not a valid password because it is longer than \(limit) characters.")
        }
        if !password.unicodeScalars.allSatisfy({ $0.value >= 0x21 && $0.value <= 0x7e && $0 != "/" && $0 != "@" && $0 != "\"" }) {
            throw RDSErrors.invalidParameter("The parameter MasterUserPassword is not a valid password. Only printable ASCII characters besides '/', '@', '\"', ' ' may be used.")
        }
        return password
    }

    /// The named groups (which must exist in `vpcId`), or the VPC's default group when none is named.
    static func securityGroups(_ ids: [String], vpcId: String, in s: CloudState) throws -> [String] {
        if ids.isEmpty { return ManagedInterfaces.defaultGroup(vpcId: vpcId, in: s).map { [$0] } ?? [] }
        for id in ids {
            guard let g = s.securityGroups[id] else { throw RDSErrors.invalidSecurityGroup(id) }
            if g.vpcId != vpcId { throw RDSErrors.securityGroupsNotInVpc(vpcId) }
        }
        return ids
    }

    /// RDS's default for PubliclyAccessible: public when the VPC has an internet gateway attached.
    static func hasInternetGateway(_ vpcId: String, _ s: CloudState) -> Bool {
        s.internetGateways.values.contains { $0.attachedVpcId == vpcId }
    }

    static func publicAddress(used: Set<IPv4Address>) throws -> IPv4Address {
        guard let ip = ElasticAddress.firstFree(used: used) else {
            throw AWSError(code: "InsufficientDBInstanceCapacity", message: "No public address is free for a publicly accessible DB instance.")
        }
        return ip
    }

    /// 26 upper-case letters and digits, as RDS's `db-…` resource ids.
    static func resourceSuffix() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var g = SystemRandomNumberGenerator()
        return String((0..<26).map { _ in alphabet[Int(g.next() % 32)] })
    }
}
