import AWSWire

/// One row of RDS's operation table: the action, the `rds:` IAM action it is authorized as, the resources it is
/// authorized on (read from the input before the handler runs), whether it only reads, and the handler.
struct RDSOperation: Sendable {
    typealias Handler = @Sendable (RDSService, QueryParameters, RequestContext) throws -> String
    typealias Resources = @Sendable (RDSService, QueryParameters, RequestContext) throws -> [String]

    let name: String
    let readOnly: Bool
    let resources: Resources
    let handler: Handler
    var iamAction: String { "rds:" + name }

    init(_ name: String, readOnly: Bool = false, on resources: @escaping Resources, _ handler: @escaping Handler) {
        self.name = name; self.readOnly = readOnly; self.resources = resources; self.handler = handler
    }
}

/// RDS's operation table: every operation this server answers, by botocore's names.
enum RDSOperations {
    static let table: [RDSOperation] = [
        .init("CreateDBSubnetGroup", on: { s, p, _ in [s.subnetGroupArn(p["DBSubnetGroupName"]?.lowercased() ?? "")] },
              { s, p, c in try s.createSubnetGroup(p, c) }),
        .init("DescribeDBSubnetGroups", readOnly: true, on: { s, p, _ in [p["DBSubnetGroupName"].map { s.subnetGroupArn($0.lowercased()) } ?? "*"] },
              { s, p, c in try s.describeSubnetGroups(p, c) }),
        .init("ModifyDBSubnetGroup", on: { s, p, _ in [s.subnetGroupArn(p["DBSubnetGroupName"]?.lowercased() ?? "")] },
              { s, p, c in try s.modifySubnetGroup(p, c) }),
        .init("DeleteDBSubnetGroup", on: { s, p, _ in [s.subnetGroupArn(p["DBSubnetGroupName"]?.lowercased() ?? "")] },
              { s, p, c in try s.deleteSubnetGroup(p, c) }),
        .init("CreateDBInstance", on: { s, p, _ in
            [s.dbArn(p["DBInstanceIdentifier"]?.lowercased() ?? ""), s.subnetGroupArn(p["DBSubnetGroupName"]?.lowercased() ?? "default")]
        }, { s, p, c in try s.createDBInstance(p, c) }),
        .init("DescribeDBInstances", readOnly: true, on: { s, p, _ in [p["DBInstanceIdentifier"].map { s.dbArn($0.lowercased()) } ?? "*"] },
              { s, p, c in try s.describeDBInstances(p, c) }),
        .init("ModifyDBInstance", on: { s, p, _ in [s.dbArn(p["DBInstanceIdentifier"]?.lowercased() ?? "")] },
              { s, p, c in try s.modifyDBInstance(p, c) }),
        .init("RebootDBInstance", on: { s, p, _ in [s.dbArn(p["DBInstanceIdentifier"]?.lowercased() ?? "")] },
              { s, p, c in try s.rebootDBInstance(p, c) }),
        .init("StopDBInstance", on: { s, p, _ in [s.dbArn(p["DBInstanceIdentifier"]?.lowercased() ?? "")] },
              { s, p, c in try s.stopDBInstance(p, c) }),
        .init("StartDBInstance", on: { s, p, _ in [s.dbArn(p["DBInstanceIdentifier"]?.lowercased() ?? "")] },
              { s, p, c in try s.startDBInstance(p, c) }),
        .init("DeleteDBInstance", on: { s, p, _ in [s.dbArn(p["DBInstanceIdentifier"]?.lowercased() ?? "")] },
              { s, p, c in try s.deleteDBInstance(p, c) }),
        .init("CreateDBSnapshot", on: { s, p, _ in
            [s.dbArn(p["DBInstanceIdentifier"]?.lowercased() ?? ""), s.snapshotArn(p["DBSnapshotIdentifier"]?.lowercased() ?? "")]
        }, { s, p, c in try s.createDBSnapshot(p, c) }),
        .init("DescribeDBSnapshots", readOnly: true, on: { s, p, _ in [p["DBSnapshotIdentifier"].map { s.snapshotArn(RDSService.snapshotName($0)) } ?? "*"] },
              { s, p, c in try s.describeDBSnapshots(p, c) }),
        .init("DeleteDBSnapshot", on: { s, p, _ in [s.snapshotArn(RDSService.snapshotName(p["DBSnapshotIdentifier"] ?? ""))] },
              { s, p, c in try s.deleteDBSnapshot(p, c) }),
        .init("RestoreDBInstanceFromDBSnapshot", on: { s, p, _ in
            [s.dbArn(p["DBInstanceIdentifier"]?.lowercased() ?? ""), s.snapshotArn(RDSService.snapshotName(p["DBSnapshotIdentifier"] ?? "")),
             s.subnetGroupArn(p["DBSubnetGroupName"]?.lowercased() ?? "default")]
        }, { s, p, c in try s.restoreFromSnapshot(p, c) }),
        .init("DescribeDBEngineVersions", readOnly: true, on: { _, _, _ in ["*"] }, { s, p, c in s.describeEngineVersions(p, c) }),
        .init("AddTagsToResource", on: { _, p, _ in [p["ResourceName"] ?? ""] }, { s, p, c in try s.addTags(p, c) }),
        .init("ListTagsForResource", readOnly: true, on: { _, p, _ in [p["ResourceName"] ?? ""] }, { s, p, c in try s.listTags(p, c) }),
        .init("RemoveTagsFromResource", on: { _, p, _ in [p["ResourceName"] ?? ""] }, { s, p, c in try s.removeTags(p, c) }),
    ]

    static let byName: [String: RDSOperation] = Dictionary(uniqueKeysWithValues: table.map { ($0.name, $0) })
}
