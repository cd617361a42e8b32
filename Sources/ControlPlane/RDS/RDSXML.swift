import AWSWire
import CloudModel
import Foundation

/// RDS's XML shapes (member names from botocore's model).
enum RDSXML {
    static func date(_ d: Date) -> String {
        d.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC")!))
    }

    /// Route 53's hosted zone of RDS endpoints in each region (the ones AWS documents; others get us-east-1's).
    static func hostedZone(_ region: String) -> String {
        ["us-east-1": "Z2R2ITUGPM61AM", "us-east-2": "Z2XHWR1WZ565X2", "us-west-1": "Z10WI91S59XXQN", "us-west-2": "Z1PVIF0B656C1W",
         "eu-west-1": "Z29XKXDKYMONMX", "eu-central-1": "Z1RLNUO7B9Q6NB"][region] ?? "Z2R2ITUGPM61AM"
    }

    static func subnetGroup(_ w: inout XMLWriter, _ g: DBSubnetGroup, _ s: CloudState, arn: String) {
        w.element("DBSubnetGroupName", g.id)
        w.element("DBSubnetGroupDescription", g.description)
        w.element("VpcId", g.vpcId)
        w.element("SubnetGroupStatus", "Complete")
        w.list("Subnets", g.subnetIds, member: "Subnet") { w, id in
            w.element("SubnetIdentifier", id)
            w.element("SubnetAvailabilityZone") { $0.element("Name", s.subnets[id]?.availabilityZone) }
            w.element("SubnetOutpost") { _ in }
            w.element("SubnetStatus", "Active")
        }
        w.element("DBSubnetGroupArn", arn)
        w.list("SupportedNetworkTypes", ["IPV4"], member: "member") { w, t in w.raw(t) }
    }

    static func instance(_ w: inout XMLWriter, _ db: DBInstance, _ s: CloudState, service: RDSService) {
        w.element("DBInstanceIdentifier", db.id)
        w.element("DBInstanceClass", db.instanceClass)
        w.element("Engine", db.engine)
        w.element("DBInstanceStatus", db.status.rawValue)
        w.element("MasterUsername", db.masterUsername)
        w.element("DBName", db.dbName)
        if db.status != .creating {
            w.element("Endpoint") { w in
                w.element("Address", db.endpointAddress)
                w.element("Port", db.port)
                w.element("HostedZoneId", hostedZone(service.region))
            }
        }
        w.element("AllocatedStorage", db.allocatedStorage)
        w.element("InstanceCreateTime", date(db.createdAt))
        w.element("PreferredBackupWindow", "03:00-03:30")
        w.element("BackupRetentionPeriod", db.backupRetentionPeriod)
        w.element("DBSecurityGroups") { _ in }
        w.list("VpcSecurityGroups", db.vpcSecurityGroupIds, member: "VpcSecurityGroupMembership") { w, id in
            w.element("VpcSecurityGroupId", id)
            w.element("Status", "active")
        }
        w.list("DBParameterGroups", [db.engine], member: "DBParameterGroup") { w, _ in
            w.element("DBParameterGroupName", "default." + parameterFamily(db))
            w.element("ParameterApplyStatus", "in-sync")
        }
        w.element("AvailabilityZone", db.availabilityZone)
        if let g = s.dbSubnetGroups[db.subnetGroupName] {
            w.element("DBSubnetGroup") { subnetGroup(&$0, g, s, arn: service.subnetGroupArn(g.id)) }
        }
        w.element("PreferredMaintenanceWindow", "sun:05:00-sun:05:30")
        w.element("PendingModifiedValues") { _ in }
        w.element("LatestRestorableTime", date(max(db.createdAt, service.store.now.addingTimeInterval(-300))))
        w.element("MultiAZ", db.multiAZ)
        w.element("EngineVersion", db.engineVersion)
        w.element("AutoMinorVersionUpgrade", true)
        w.element("ReadReplicaDBInstanceIdentifiers") { _ in }
        w.element("LicenseModel", db.engine == "postgres" ? "postgresql-license" : "general-public-license")
        w.list("OptionGroupMemberships", [db.engine], member: "OptionGroupMembership") { w, _ in
            w.element("OptionGroupName", "default:" + db.engine + "-" + majorVersion(db))
            w.element("Status", "in-sync")
        }
        w.element("PubliclyAccessible", db.publiclyAccessible)
        w.element("StorageType", db.storageType)
        w.element("DbInstancePort", 0)
        w.element("StorageEncrypted", false)
        w.element("DbiResourceId", db.resourceId)
        w.element("CACertificateIdentifier", "rds-ca-rsa2048-g1")
        w.element("DomainMemberships") { _ in }
        w.element("CopyTagsToSnapshot", false)
        w.element("MonitoringInterval", 0)
        w.element("DBInstanceArn", service.dbArn(db.id))
        w.element("IAMDatabaseAuthenticationEnabled", false)
        w.element("PerformanceInsightsEnabled", false)
        w.element("DeletionProtection", db.deletionProtection)
        w.element("AssociatedRoles") { _ in }
        tagList(&w, db.tags)
        w.element("CustomerOwnedIpEnabled", false)
        w.element("BackupTarget", "region")
        w.element("NetworkType", "IPV4")
    }

    static func snapshot(_ w: inout XMLWriter, _ snap: DBSnapshot, arn: String) {
        w.element("DBSnapshotIdentifier", snap.id)
        w.element("DBInstanceIdentifier", snap.dbInstanceIdentifier)
        w.element("SnapshotCreateTime", date(snap.createdAt))
        w.element("Engine", snap.engine)
        w.element("AllocatedStorage", snap.allocatedStorage)
        w.element("Status", snap.status.rawValue)
        w.element("Port", snap.port)
        w.element("AvailabilityZone", snap.availabilityZone)
        w.element("VpcId", snap.vpcId)
        w.element("InstanceCreateTime", date(snap.instanceCreateTime))
        w.element("MasterUsername", snap.masterUsername)
        w.element("EngineVersion", snap.engineVersion)
        w.element("LicenseModel", snap.engine == "postgres" ? "postgresql-license" : "general-public-license")
        w.element("SnapshotType", "manual")
        w.element("PercentProgress", snap.status == .creating ? 0 : 100)
        w.element("StorageType", snap.storageType)
        w.element("Encrypted", false)
        w.element("DBSnapshotArn", arn)
        w.element("IAMDatabaseAuthenticationEnabled", false)
        w.element("DbiResourceId", snap.resourceId)
        tagList(&w, snap.tags)
        w.element("OriginalSnapshotCreateTime", date(snap.createdAt))
        w.element("SnapshotTarget", "region")
    }

    static func tagList(_ w: inout XMLWriter, _ tags: [Tag]) {
        w.list("TagList", tags, member: "Tag") { w, t in
            w.element("Key", t.key)
            w.element("Value", t.value)
        }
    }

    static func majorVersion(_ db: DBInstance) -> String {
        let parts = db.engineVersion.split(separator: ".")
        if db.engine == "postgres" { return String(parts.first ?? "15") }
        return parts.prefix(2).joined(separator: ".")
    }

    static func parameterFamily(_ db: DBInstance) -> String { db.engine + majorVersion(db) }
}
