import AWSWire
import CloudModel
import Foundation
import Testing
@testable import ControlPlane

/// RDS and ElastiCache on the control plane: validation and AWS's errors, the lifecycles, and the reconciler driving
/// a bookkeeping engine runtime on a manual clock.
@Suite struct ManagedEngineTests {
    let h: EC2Harness
    let rds: RDSService
    let cache: ElastiCacheService
    let runtime = BookkeepingEngineRuntime()
    let reconciler: ManagedEngineReconciler

    init() throws {
        h = try EC2Harness()
        rds = RDSService(store: h.store, accountId: "123456789012", region: "us-east-1")
        cache = ElastiCacheService(store: h.store, accountId: "123456789012", region: "us-east-1")
        reconciler = ManagedEngineReconciler(store: h.store, runtime: runtime, region: "us-east-1", backupDelay: 2)
        try h.call("CreateDefaultVpc")
    }

    @discardableResult
    func call(_ action: String, _ params: [String: String] = [:]) throws -> String {
        try rds.handle(action: action, params: QueryParameters(params), context: h.ctx)
    }

    func status(_ id: String) -> DBInstanceStatus? { h.store.snapshot().dbInstances[id]?.status }

    /// The seed tutorial's create, as the CLI sends it.
    let tutorial = ["DBInstanceIdentifier": "MySQLForLambdaTest", "DBName": "ExampleDB", "Engine": "MySQL",
                    "BackupRetentionPeriod": "3", "DBInstanceClass": "db.t2.micro", "AllocatedStorage": "5",
                    "PubliclyAccessible": "false", "MasterUsername": "username", "MasterUserPassword": "password"]

    @Test func lifecycleMovesOnlyWhereAllowed() {
        #expect(DBInstanceLifecycle.next(.creating, .engineReady) == .backingUp)
        #expect(DBInstanceLifecycle.next(.backingUp, .backupTaken) == .available)
        #expect(DBInstanceLifecycle.next(.available, .stopRequested) == .stopping)
        #expect(DBInstanceLifecycle.next(.stopping, .engineStopped) == .stopped)
        #expect(DBInstanceLifecycle.next(.stopped, .startRequested) == .starting)
        #expect(DBInstanceLifecycle.next(.stopped, .rebootRequested) == nil)
        #expect(DBInstanceLifecycle.next(.creating, .stopRequested) == nil)
        #expect(DBInstanceLifecycle.next(.deleting, .deleteRequested) == nil)
        #expect(DBInstanceLifecycle.next(.stopped, .deleteRequested) == .deleting)
        #expect(CacheClusterLifecycle.next(.creating, .engineReady) == .available)
        #expect(CacheClusterLifecycle.next(.creating, .modifyRequested) == nil)
    }

    @Test func tutorialCreateRunsThroughCreatingBackingUpAvailable() async throws {
        let xml = try call("CreateDBInstance", tutorial)
        #expect(xml.contains("<DBInstanceIdentifier>mysqlforlambdatest</DBInstanceIdentifier>") && xml.contains("<Engine>mysql</Engine>"))
        #expect(xml.contains("<DBInstanceStatus>creating</DBInstanceStatus>") && !xml.contains("<Endpoint>"))
        let s = h.store.snapshot()
        let db = try #require(s.dbInstances["mysqlforlambdatest"])
        let eni = try #require(s.networkInterfaces[db.networkInterfaceId ?? ""])
        #expect(eni.requesterId == "amazon-rds" && eni.description == "RDSNetworkInterface" && eni.requesterManaged)
        #expect(s.dbSubnetGroups["default"]?.subnetIds.count == 6)
        #expect(db.endpointAddress.hasPrefix("mysqlforlambdatest.c") && db.endpointAddress.hasSuffix(".us-east-1.rds.amazonaws.com"))
        #expect(db.endpointAddress == ManagedEndpoints.rdsAddress(id: "other", accountId: "123456789012", region: "us-east-1")
            .replacingOccurrences(of: "other.", with: "mysqlforlambdatest."))
        h.expectError("DBInstanceAlreadyExists", "DB instance already exists") { try call("CreateDBInstance", tutorial) }

        reconciler.reconcileOnce()
        await reconciler.settle()
        #expect(status("mysqlforlambdatest") == .backingUp)
        let due = reconciler.reconcileOnce()
        #expect(due == h.clock.now().addingTimeInterval(2))
        h.clock.advance(by: 2)
        reconciler.reconcileOnce()
        #expect(status("mysqlforlambdatest") == .available)
        #expect(try call("DescribeDBInstances").contains("<Port>3306</Port>"))

        try call("RebootDBInstance", ["DBInstanceIdentifier": "mysqlforlambdatest"])
        #expect(status("mysqlforlambdatest") == .rebooting)
        reconciler.reconcileOnce()
        await reconciler.settle()
        reconciler.reconcileOnce()
        #expect(status("mysqlforlambdatest") == .available)

        try call("StopDBInstance", ["DBInstanceIdentifier": "mysqlforlambdatest"])
        reconciler.reconcileOnce()
        await reconciler.settle()
        #expect(status("mysqlforlambdatest") == .stopped)
        h.expectError("InvalidDBInstanceState") { try call("RebootDBInstance", ["DBInstanceIdentifier": "mysqlforlambdatest"]) }

        h.expectError("InvalidParameterCombination", "FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified.") {
            try call("DeleteDBInstance", ["DBInstanceIdentifier": "mysqlforlambdatest"])
        }
        try call("DeleteDBInstance", ["DBInstanceIdentifier": "mysqlforlambdatest", "SkipFinalSnapshot": "true"])
        reconciler.reconcileOnce()
        await reconciler.settle()
        #expect(h.store.snapshot().dbInstances.isEmpty && h.store.snapshot().networkInterfaces[eni.id] == nil)
        h.expectError("DBInstanceNotFound", "DBInstance mysqlforlambdatest not found.") {
            try call("DescribeDBInstances", ["DBInstanceIdentifier": "mysqlforlambdatest"])
        }
    }

    @Test func createRefusesWithAWSErrorsAndChangesNothing() throws {
        let before = h.store.snapshot()
        h.expectError("InvalidParameterValue", "Invalid DB engine") { try call("CreateDBInstance", tutorial.merging(["Engine": "db2"]) { $1 }) }
        h.expectError("InvalidParameterCombination", "Invalid storage size for engine name postgres and storage type gp2: 5") {
            try call("CreateDBInstance", tutorial.merging(["Engine": "postgres"]) { $1 })
        }
        h.expectError("InvalidParameterValue") { try call("CreateDBInstance", tutorial.merging(["DBInstanceIdentifier": "1abc"]) { $1 }) }
        h.expectError("InvalidParameterValue") { try call("CreateDBInstance", tutorial.merging(["MasterUserPassword": "short"]) { $1 }) }
        h.expectError("DBSubnetGroupNotFoundFault") { try call("CreateDBInstance", tutorial.merging(["DBSubnetGroupName": "nope"]) { $1 }) }
        #expect(h.store.snapshot().dbInstances == before.dbInstances && h.store.snapshot().networkInterfaces == before.networkInterfaces)

        let subnet = try #require(h.store.snapshot().subnets.values.sorted { $0.availabilityZone < $1.availabilityZone }.first)
        h.expectError("DBSubnetGroupDoesNotCoverEnoughAZs",
                      "The DB subnet group doesn't meet Availability Zone (AZ) coverage requirement. Current AZ coverage: \(subnet.availabilityZone). Add subnets to cover at least 2 AZs.") {
            try call("CreateDBSubnetGroup", ["DBSubnetGroupName": "one", "DBSubnetGroupDescription": "d",
                                             "SubnetIds.SubnetIdentifier.1": subnet.id])
        }
    }

    @Test func modifyMovesSecurityGroupsOntoTheInterface() async throws {
        try call("CreateDBInstance", tutorial)
        reconciler.reconcileOnce(); await reconciler.settle()
        h.clock.advance(by: 2); reconciler.reconcileOnce()
        let vpc = try #require(h.store.snapshot().vpcs.values.first?.id)
        let sg = try h.id("CreateSecurityGroup", ["GroupName": "db", "GroupDescription": "d", "VpcId": vpc], "groupId")
        try call("ModifyDBInstance", ["DBInstanceIdentifier": "mysqlforlambdatest", "VpcSecurityGroupIds.VpcSecurityGroupId.1": sg,
                                      "DBInstanceClass": "db.t3.small", "ApplyImmediately": "true"])
        let db = try #require(h.store.snapshot().dbInstances["mysqlforlambdatest"])
        #expect(db.vpcSecurityGroupIds == [sg] && db.instanceClass == "db.t3.small" && db.status == .modifying)
        #expect(h.store.snapshot().networkInterfaces[db.networkInterfaceId ?? ""]?.groupIds == [sg])
    }

    @Test func memcachedClusterGetsNodeAndConfigurationEndpoints() async throws {
        let xml = try cache.handle(action: "CreateCacheCluster", params: QueryParameters([
            "CacheClusterId": "ClusterForLambdaTest", "CacheNodeType": "cache.t3.medium", "Engine": "memcached",
            "NumCacheNodes": "1"]), context: h.ctx)
        #expect(xml.contains("<CacheClusterStatus>creating</CacheClusterStatus>"))
        reconciler.reconcileOnce(); await reconciler.settle()
        let described = try cache.handle(action: "DescribeCacheClusters", params: QueryParameters(["ShowCacheNodeInfo": "true"]), context: h.ctx)
        #expect(described.contains("<CacheClusterStatus>available</CacheClusterStatus>"))
        #expect(described.contains(".0001.use1.cache.amazonaws.com</Address><Port>11211</Port>"))
        #expect(described.contains(".cfg.use1.cache.amazonaws.com</Address>"))
        #expect(ManagedEndpoints.shortRegion("ap-southeast-2") == "apse2" && ManagedEndpoints.shortRegion("eu-central-1") == "euc1")
    }
}
