import Foundation

/// An RDS DB subnet group: the subnets (of one VPC, in at least two zones) a DB instance's interface may take.
public struct DBSubnetGroup: Record {
    public static let kind = "rds.db-subnet-group"
    public static var table: WritableKeyPath<CloudState, [String: DBSubnetGroup]> { \.dbSubnetGroups }
    /// The name as RDS keeps it: lower-cased.
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

/// Where a DB instance is in its life (RDS's `DBInstanceStatus` strings); `DBInstanceLifecycle` owns the moves.
public enum DBInstanceStatus: String, Codable, Sendable, CaseIterable {
    case creating, backingUp = "backing-up", available, modifying, rebooting
    case resettingMasterCredentials = "resetting-master-credentials"
    case stopping, stopped, starting, deleting, failed
}

/// An RDS DB instance: its settings, its interface in one subnet of its group, and the engine that runs there.
public struct DBInstance: Record {
    public static let kind = "rds.db-instance"
    public static var table: WritableKeyPath<CloudState, [String: DBInstance]> { \.dbInstances }
    /// The identifier as RDS keeps it: lower-cased.
    public var id: String
    /// `postgres`, `mysql` or `mariadb` (lower-cased as RDS answers it).
    public var engine: String
    public var engineVersion: String
    public var instanceClass: String
    public var allocatedStorage: Int
    public var storageType: String
    public var masterUsername: String
    public var masterPassword: String
    public var dbName: String?
    public var port: Int
    public var subnetGroupName: String
    public var vpcSecurityGroupIds: [String]
    public var publiclyAccessible: Bool
    public var backupRetentionPeriod: Int
    public var multiAZ: Bool
    public var status: DBInstanceStatus
    public var statusChangedAt: Date
    /// The interface the engine listens on (`RDSNetworkInterface`, requester `amazon-rds`).
    public var networkInterfaceId: String?
    public var availabilityZone: String
    /// `ID.cXXXXXXXXXXX.REGION.rds.amazonaws.com`, resolvable in the VPC.
    public var endpointAddress: String
    /// `db-…`: the instance's resource id.
    public var resourceId: String
    /// Bumped by whatever needs the engine started again (a reboot, a new master password).
    public var engineGeneration: Int
    public var deletionProtection: Bool
    public var tags: [Tag]
    public var createdAt: Date
    /// The snapshot whose data the engine's first start copies (RestoreDBInstanceFromDBSnapshot).
    public var restoredFrom: String?
    /// A publicly accessible instance's public address (from the Elastic IP pool), mapped 1:1 to its interface by
    /// its VPC's internet gateway; its endpoint name answers it outside the VPC.
    public var publicIp: IPv4Address?

    public init(id: String, engine: String, engineVersion: String, instanceClass: String, allocatedStorage: Int,
                storageType: String, masterUsername: String, masterPassword: String, dbName: String?, port: Int,
                subnetGroupName: String, vpcSecurityGroupIds: [String], publiclyAccessible: Bool, backupRetentionPeriod: Int,
                multiAZ: Bool, status: DBInstanceStatus, statusChangedAt: Date, networkInterfaceId: String?,
                availabilityZone: String, endpointAddress: String, resourceId: String, engineGeneration: Int = 0,
                deletionProtection: Bool = false, tags: [Tag], createdAt: Date) {
        self.id = id; self.engine = engine; self.engineVersion = engineVersion; self.instanceClass = instanceClass
        self.allocatedStorage = allocatedStorage; self.storageType = storageType; self.masterUsername = masterUsername
        self.masterPassword = masterPassword; self.dbName = dbName; self.port = port; self.subnetGroupName = subnetGroupName
        self.vpcSecurityGroupIds = vpcSecurityGroupIds; self.publiclyAccessible = publiclyAccessible
        self.backupRetentionPeriod = backupRetentionPeriod; self.multiAZ = multiAZ; self.status = status
        self.statusChangedAt = statusChangedAt; self.networkInterfaceId = networkInterfaceId
        self.availabilityZone = availabilityZone; self.endpointAddress = endpointAddress; self.resourceId = resourceId
        self.engineGeneration = engineGeneration; self.deletionProtection = deletionProtection; self.tags = tags
        self.createdAt = createdAt
    }
}

/// A manual DB snapshot: a copy of a DB instance's data directory taken with its engine stopped, and the settings a
/// restore starts from (the master user and password at the time, as RDS keeps them).
public struct DBSnapshot: Record {
    public static let kind = "rds.db-snapshot"
    public static var table: WritableKeyPath<CloudState, [String: DBSnapshot]> { \.dbSnapshots }

    /// `creating` → `available`; `deleting` while its data is removed.
    public enum Status: String, Codable, Sendable { case creating, available, deleting, failed }

    /// The snapshot identifier, lower-cased.
    public var id: String
    public var dbInstanceIdentifier: String
    public var engine: String
    public var engineVersion: String
    public var allocatedStorage: Int
    public var storageType: String
    public var port: Int
    public var masterUsername: String
    public var masterPassword: String
    public var dbName: String?
    public var vpcId: String
    public var availabilityZone: String
    public var instanceCreateTime: Date
    public var resourceId: String
    public var status: Status
    public var tags: [Tag]
    public var createdAt: Date

    public init(id: String, of db: DBInstance, vpcId: String, tags: [Tag], createdAt: Date) {
        self.id = id; dbInstanceIdentifier = db.id; engine = db.engine; engineVersion = db.engineVersion
        allocatedStorage = db.allocatedStorage; storageType = db.storageType; port = db.port
        masterUsername = db.masterUsername; masterPassword = db.masterPassword; dbName = db.dbName; self.vpcId = vpcId
        availabilityZone = db.availabilityZone; instanceCreateTime = db.createdAt; resourceId = db.resourceId
        status = .creating; self.tags = tags; self.createdAt = createdAt
    }
}

extension CloudState {
    /// Every public address a state holds: Elastic IPs and publicly accessible DB instances' addresses.
    public static func publicAddresses(_ s: CloudState) -> Set<IPv4Address> {
        Set(s.addresses.values.map(\.publicIp)).union(s.dbInstances.values.compactMap(\.publicIp))
    }
}
