import AWSWire
import CloudModel
import Foundation

/// Manual DB snapshots: CreateDBSnapshot (the instance is `backing-up` while its engine's data is copied),
/// DeleteDBInstance's final snapshot, DescribeDBSnapshots, DeleteDBSnapshot and RestoreDBInstanceFromDBSnapshot (a new
/// instance whose engine starts from the copy). The copying is `ManagedEngineReconciler`'s.
extension RDSService {
    func snapshotArn(_ id: String) -> String { "arn:aws:rds:\(region):\(accountId):snapshot:\(id)" }

    func createDBSnapshot(_ p: QueryParameters, _ c: RequestContext) throws -> String {
        let snapshotId = try Self.snapshotIdentifier(p["DBSnapshotIdentifier"], parameter: "DBSnapshotIdentifier")
        let id = try requiredIdentifier(p)
        let snap = try store.write { tx -> DBSnapshot in
            guard let db = tx.get(DBInstance.self, id) else { throw RDSErrors.instanceNotFound(id) }
            guard let next = DBInstanceLifecycle.next(db.status, .snapshotRequested) else {
                throw RDSErrors.invalidState("Cannot create a snapshot because the database instance \(id) is not currently in the available state.")
            }
            let snap = try Self.newSnapshot(snapshotId, of: db, tags: p.tagMembers(), &tx)
            let now = tx.now
            tx.update(DBInstance.self, id) { $0.status = next; $0.statusChangedAt = now }
            return snap
        }
        return Self.response("CreateDBSnapshot", requestID: c.requestID) { w in
            w.element("DBSnapshot") { RDSXML.snapshot(&$0, snap, arn: snapshotArn(snap.id)) }
        }
    }

    func describeDBSnapshots(_ p: QueryParameters, _ c: RequestContext) throws -> String {
        let s = store.snapshot()
        var list = s.dbSnapshots.values.sorted { $0.id < $1.id }
        if let given = p["DBSnapshotIdentifier"] {
            let id = Self.snapshotName(given)
            guard let snap = s.dbSnapshots[id] else { throw RDSErrors.snapshotNotFound(id) }
            list = [snap]
        }
        if let instance = p["DBInstanceIdentifier"].map(Self.identifier(fromIdOrArn:)) {
            list = list.filter { $0.dbInstanceIdentifier == instance }
        }
        if let type = p["SnapshotType"], type != "manual" { list = [] }
        return Self.response("DescribeDBSnapshots", requestID: c.requestID) { w in
            w.list("DBSnapshots", list, member: "DBSnapshot") { RDSXML.snapshot(&$0, $1, arn: snapshotArn($1.id)) }
        }
    }

    func deleteDBSnapshot(_ p: QueryParameters, _ c: RequestContext) throws -> String {
        guard let given = p["DBSnapshotIdentifier"] else { throw RDSErrors.missing("DBSnapshotIdentifier") }
        let id = Self.snapshotName(given)
        let snap = try store.write { tx -> DBSnapshot in
            guard var snap = tx.get(DBSnapshot.self, id) else { throw RDSErrors.snapshotNotFound(id) }
            guard snap.status == .available || snap.status == .failed else {
                throw AWSError(code: "InvalidDBSnapshotState", message: "Cannot delete the snapshot \(id) because it is in the \(snap.status.rawValue) state.")
            }
            snap.status = .deleting
            tx.put(snap)
            return snap
        }
        return Self.response("DeleteDBSnapshot", requestID: c.requestID) { w in
            w.element("DBSnapshot") { RDSXML.snapshot(&$0, snap, arn: snapshotArn(snap.id)) }
        }
    }

    func restoreFromSnapshot(_ p: QueryParameters, _ c: RequestContext) throws -> String {
        guard let given = p["DBInstanceIdentifier"] else { throw RDSErrors.missing("DBInstanceIdentifier") }
        guard Self.isValidIdentifier(given) else { throw RDSErrors.invalidIdentifier("DBInstanceIdentifier") }
        let id = given.lowercased()
        guard let snapGiven = p["DBSnapshotIdentifier"] else { throw RDSErrors.missing("DBSnapshotIdentifier") }
        let snapshotId = Self.snapshotName(snapGiven)
        let db = try store.write { tx -> DBInstance in
            guard let snap = tx.get(DBSnapshot.self, snapshotId) else { throw RDSErrors.snapshotNotFound(snapshotId) }
            guard snap.status == .available else {
                throw AWSError(code: "InvalidDBSnapshotState", message: "Snapshot \(snapshotId) is not in the available state.")
            }
            if tx.get(DBInstance.self, id) != nil { throw RDSErrors.instanceExists() }
            let group: DBSubnetGroup
            if let name = p["DBSubnetGroupName"]?.lowercased() {
                guard let g = tx.get(DBSubnetGroup.self, name) else { throw RDSErrors.subnetGroupNotFound(name) }
                group = g
            } else {
                group = try Self.defaultSubnetGroup(&tx)
            }
            let groups = try Self.securityGroups(p.members("VpcSecurityGroupIds"), vpcId: group.vpcId, in: tx.state)
            guard let subnet = ManagedInterfaces.pickSubnet(group.subnetIds, zone: p["AvailabilityZone"], in: tx.state),
                  let eni = ManagedInterfaces.create(in: subnet, groups: groups,
                                                     requester: .init(id: "amazon-rds", description: "RDSNetworkInterface"),
                                                     accountId: accountId, &tx) else { throw RDSErrors.noCapacity() }
            var db = DBInstance(
                id: id, engine: snap.engine, engineVersion: snap.engineVersion,
                instanceClass: p["DBInstanceClass"] ?? "db.t3.micro", allocatedStorage: snap.allocatedStorage,
                storageType: p["StorageType"] ?? snap.storageType, masterUsername: snap.masterUsername,
                masterPassword: snap.masterPassword, dbName: snap.dbName, port: Int(p["Port"] ?? "") ?? snap.port,
                subnetGroupName: group.id, vpcSecurityGroupIds: groups, publiclyAccessible: p.flag("PubliclyAccessible") ?? false,
                backupRetentionPeriod: 1, multiAZ: p.flag("MultiAZ") ?? false, status: .creating, statusChangedAt: tx.now,
                networkInterfaceId: eni.id, availabilityZone: subnet.availabilityZone,
                endpointAddress: ManagedEndpoints.rdsAddress(id: id, accountId: accountId, region: region),
                resourceId: "db-" + Self.resourceSuffix(), deletionProtection: p.flag("DeletionProtection") ?? false,
                tags: p.tagMembers(), createdAt: tx.now)
            db.restoredFrom = snap.id
            tx.put(db)
            return db
        }
        return instanceResponse("RestoreDBInstanceFromDBSnapshot", db, c)
    }

    /// A new snapshot record (`creating`) of `db`; refuses a name in use.
    static func newSnapshot(_ id: String, of db: DBInstance, tags: [Tag], _ tx: inout Transaction) throws -> DBSnapshot {
        if tx.get(DBSnapshot.self, id) != nil {
            throw AWSError(code: "DBSnapshotAlreadyExists", message: "Cannot create the snapshot because a snapshot with the identifier \(id) already exists.")
        }
        let vpcId = tx.get(DBSubnetGroup.self, db.subnetGroupName)?.vpcId ?? ""
        let snap = DBSnapshot(id: id, of: db, vpcId: vpcId, tags: tags, createdAt: tx.now)
        tx.put(snap)
        return snap
    }

    static func snapshotIdentifier(_ given: String?, parameter: String) throws -> String {
        guard let given else { throw RDSErrors.missing(parameter) }
        guard isValidIdentifier(given, limit: 255) else { throw RDSErrors.invalidIdentifier(parameter) }
        return given.lowercased()
    }

    static func snapshotName(_ s: String) -> String {
        if s.hasPrefix("arn:"), let r = s.range(of: ":snapshot:") { return String(s[r.upperBound...]).lowercased() }
        return s.lowercased()
    }
}
