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

    @discardableResult
    func cacheCall(_ action: String, _ params: [String: String]) throws -> String {
        try cache.handle(action: action, params: QueryParameters(params), context: h.ctx)
    }

    func cacheError(_ action: String, _ params: [String: String]) -> AWSError? {
        do { _ = try cacheCall(action, params); return nil } catch let e as AWSError { return e } catch { return nil }
    }

    @Test func memcachedClusterOfThreeNodesSpreadsOverZonesAndEachNodeRunsItsOwnEngine() async throws {
        try cacheCall("CreateCacheCluster", ["CacheClusterId": "Many", "CacheNodeType": "cache.t3.micro", "Engine": "memcached",
                                             "NumCacheNodes": "3", "AZMode": "cross-az"])
        var c = try #require(h.store.snapshot().cacheClusters["many"])
        #expect(c.nodes.map(\.id) == ["0001", "0002", "0003"] && c.nodes.allSatisfy { $0.status == .creating })
        #expect(Set(c.nodes.map(\.availabilityZone)).count == 3 && c.availabilityZone == "Multiple")
        #expect(Set(c.nodes.compactMap(\.networkInterfaceId)).count == 3)
        #expect(c.nodes[1].address == ManagedEndpoints.cacheNodeAddress(id: "many", node: 2, accountId: "123456789012", region: "us-east-1"))
        let eni = try #require(h.store.snapshot().networkInterfaces[c.nodes[2].networkInterfaceId ?? ""])
        #expect(eni.requesterId == "amazon-elasticache" && eni.description == "ElastiCache many-0003")
        reconciler.reconcileOnce(); await reconciler.settle(); reconciler.reconcileOnce()
        c = try #require(h.store.snapshot().cacheClusters["many"])
        #expect(c.status == .available && c.nodes.allSatisfy { $0.status == .available })
        for node in c.nodes {
            let key = ManagedEngineReconciler.cacheKey(region: "us-east-1", "many", node: node.id)
            let spec = try #require(ManagedEngineReconciler.spec(c, node: node, key: key, in: h.store.snapshot()))
            #expect(runtime.isRunning(spec))
        }
        let xml = try cacheCall("DescribeCacheClusters", ["CacheClusterId": "many", "ShowCacheNodeInfo": "true"])
        #expect(xml.contains("<CacheNodeId>0003</CacheNodeId><CacheNodeStatus>available</CacheNodeStatus>"))
        #expect(xml.contains(".0002.use1.cache.amazonaws.com</Address><Port>11211</Port>"))
        #expect(xml.contains("<PreferredAvailabilityZone>Multiple</PreferredAvailabilityZone>"))

        // Security groups reach every node's interface.
        let vpc = try #require(h.store.snapshot().vpcs.values.first?.id)
        let sg = try h.id("CreateSecurityGroup", ["GroupName": "cache", "GroupDescription": "d", "VpcId": vpc], "groupId")
        try cacheCall("ModifyCacheCluster", ["CacheClusterId": "many", "SecurityGroupIds.SecurityGroupId.1": sg, "ApplyImmediately": "true"])
        let s = h.store.snapshot()
        #expect(s.cacheClusters["many"]!.nodes.allSatisfy { s.networkInterfaces[$0.networkInterfaceId ?? ""]?.groupIds == [sg] })
        reconciler.reconcileOnce(); await reconciler.settle()
        #expect(h.store.snapshot().cacheClusters["many"]?.status == .available)

        // Down to two: the count and the ids must agree.
        let mismatch = cacheError("ModifyCacheCluster", ["CacheClusterId": "many", "NumCacheNodes": "2", "ApplyImmediately": "true"])
        #expect(mismatch?.code == "InvalidParameterCombination")
        #expect(mismatch?.message == "The number of CacheNodeIdsToRemove must match the number of nodes you are trying to remove, current number of cache nodes is 3, requested number of cache nodes is 2 and CacheNodeIdsToRemove supplied are 0")
        #expect(cacheError("ModifyCacheCluster", ["CacheClusterId": "many", "NumCacheNodes": "2", "CacheNodeIdsToRemove.CacheNodeId.1": "0009",
                                                  "ApplyImmediately": "true"])?.code == "InvalidParameterValue")
        let removed = try #require(h.store.snapshot().cacheClusters["many"]!.nodes.first { $0.id == "0002" }?.networkInterfaceId)
        try cacheCall("ModifyCacheCluster", ["CacheClusterId": "many", "NumCacheNodes": "2", "CacheNodeIdsToRemove.CacheNodeId.1": "0002",
                                             "ApplyImmediately": "true"])
        #expect(h.store.snapshot().cacheClusters["many"]?.status == .modifying)
        reconciler.reconcileOnce(); await reconciler.settle(); reconciler.reconcileOnce()
        c = try #require(h.store.snapshot().cacheClusters["many"])
        #expect(c.status == .available && c.nodes.map(\.id) == ["0001", "0003"] && c.numNodes == 2)
        #expect(h.store.snapshot().networkInterfaces[removed] == nil)
        #expect(!runtime.isRunning(EngineSpec(key: ManagedEngineReconciler.cacheKey(region: "us-east-1", "many", node: "0002"), kind: .memcached,
                                              networkInterfaceId: removed, privateIp: IPv4Address("10.0.0.1")!, port: 11211)))

        // Up again: the new node takes the next number; without ApplyImmediately the change waits, pending.
        try cacheCall("ModifyCacheCluster", ["CacheClusterId": "many", "NumCacheNodes": "4"])
        c = try #require(h.store.snapshot().cacheClusters["many"])
        #expect(c.nodes.count == 2 && c.pendingNumNodes == 4)
        #expect(try cacheCall("DescribeCacheClusters", ["CacheClusterId": "many"]).contains("<PendingModifiedValues><NumCacheNodes>4</NumCacheNodes></PendingModifiedValues>"))
        reconciler.reconcileOnce(); await reconciler.settle()
        try cacheCall("ModifyCacheCluster", ["CacheClusterId": "many", "NumCacheNodes": "3", "ApplyImmediately": "true"])
        c = try #require(h.store.snapshot().cacheClusters["many"])
        #expect(c.nodes.map(\.id) == ["0001", "0003", "0004"] && c.nodes[2].status == .creating && c.pendingNumNodes == nil)
        reconciler.reconcileOnce(); await reconciler.settle(); reconciler.reconcileOnce()
        #expect(h.store.snapshot().cacheClusters["many"]?.status == .available)

        // Reboot names its nodes; delete takes every node's interface.
        #expect(cacheError("RebootCacheCluster", ["CacheClusterId": "many"])?.code == "MissingParameter")
        try cacheCall("RebootCacheCluster", ["CacheClusterId": "many", "CacheNodeIdsToReboot.CacheNodeId.1": "0003"])
        c = try #require(h.store.snapshot().cacheClusters["many"])
        #expect(c.status == .rebootingNodes && c.nodes[1].status == .rebooting && c.nodes[1].engineGeneration == 1)
        reconciler.reconcileOnce(); await reconciler.settle(); reconciler.reconcileOnce()
        #expect(h.store.snapshot().cacheClusters["many"]?.status == .available)
        try cacheCall("DeleteCacheCluster", ["CacheClusterId": "many"])
        for _ in 0..<3 { reconciler.reconcileOnce(); await reconciler.settle() }
        #expect(h.store.snapshot().cacheClusters["many"] == nil)
        #expect(!h.store.snapshot().networkInterfaces.values.contains { $0.requesterId == "amazon-elasticache" })
    }

    @Test func nodeCountsAndZonesAreCheckedAsAWSDoes() throws {
        let base = ["CacheClusterId": "c", "CacheNodeType": "cache.t3.micro", "Engine": "memcached"]
        #expect(cacheError("CreateCacheCluster", base.merging(["NumCacheNodes": "41"]) { $1 })?.message
                == "The parameter NumCacheNodes must be between 1 and 40.")
        #expect(cacheError("CreateCacheCluster", base.merging(["NumCacheNodes": "2", "Engine": "redis"]) { $1 })?.message
                == "Cannot create a Redis cluster with a NumCacheNodes parameter greater than 1.")
        #expect(cacheError("CreateCacheCluster", base.merging(["NumCacheNodes": "2", "PreferredAvailabilityZones.PreferredAvailabilityZone.1": "us-east-1a"]) { $1 })?.code
                == "InvalidParameterValue")
        #expect(cacheError("CreateCacheCluster", base.merging(["NumCacheNodes": "1", "Engine": "redis", "AZMode": "cross-az"]) { $1 })?.code
                == "InvalidParameterValue")
        #expect(h.store.snapshot().cacheClusters.isEmpty && h.store.snapshot().networkInterfaces.isEmpty)

        try cacheCall("CreateCacheCluster", base.merging(["NumCacheNodes": "2", "PreferredAvailabilityZone": "us-east-1b"]) { $1 })
        let c = try #require(h.store.snapshot().cacheClusters["c"])
        #expect(c.nodes.map(\.availabilityZone) == ["us-east-1b", "us-east-1b"] && c.availabilityZone == "us-east-1b")
        // single-az without a zone keeps every node in the first node's zone.
        #expect(CacheNodePlacement.zone(preferred: nil, azMode: "single-az", groupZones: ["a", "b"], placed: ["b"]) == "b")
        #expect(CacheNodePlacement.zone(preferred: nil, azMode: "cross-az", groupZones: ["a", "b", "c"], placed: ["a", "c"]) == "b")
        #expect(CacheNodePlacement.zone(preferred: nil, azMode: "cross-az", groupZones: ["a", "b"], placed: ["a", "b"]) == "a")
        #expect(CacheNodePlacement.zone(preferred: "c", azMode: "cross-az", groupZones: ["a", "b", "c"], placed: []) == "c")
    }

    @Test func aClusterRowFromBeforeNodeListsStillLoadsAsOneNode() throws {
        let row = """
        {"availabilityZone":"us-east-1a","configurationAddress":"old.abcdef.cfg.use1.cache.amazonaws.com","createdAt":1700000000000,
         "engine":"memcached","engineGeneration":2,"engineVersion":"1.6.22","id":"old","networkInterfaceId":"eni-1",
         "nodeAddress":"old.abcdef.0001.use1.cache.amazonaws.com","nodeType":"cache.t3.micro","numNodes":1,"port":11211,
         "securityGroupIds":["sg-1"],"status":"available","statusChangedAt":1700000000000,"subnetGroupName":"default","tags":[]}
        """
        let c = try StoreCoding.decoder.decode(CacheCluster.self, from: Data(row.utf8))
        #expect(c.nodes == [CacheNode(id: "0001", status: .available, networkInterfaceId: "eni-1", availabilityZone: "us-east-1a",
                                      address: "old.abcdef.0001.use1.cache.amazonaws.com", engineGeneration: 2,
                                      createdAt: Date(timeIntervalSince1970: 1_700_000_000))])
        #expect(c.azMode == "single-az" && c.pendingNodeIdsToRemove.isEmpty)
        let again = try StoreCoding.decoder.decode(CacheCluster.self, from: StoreCoding.encoder.encode(c))
        #expect(again == c)
    }

    @Test func replicationGroupOfAPrimaryAndTwoReplicas() async throws {
        #expect(cacheError("CreateReplicationGroup", ["ReplicationGroupId": "rg", "ReplicationGroupDescription": "d",
                                                      "CacheNodeType": "cache.t3.micro", "AutomaticFailoverEnabled": "true"])?.message
                == "When using automatic failover, there must be at least 2 cache clusters in the replication group.")
        #expect(cacheError("CreateReplicationGroup", ["ReplicationGroupId": "rg", "CacheNodeType": "cache.t3.micro"])?.code == "MissingParameter")
        #expect(cacheError("CreateReplicationGroup", ["ReplicationGroupId": "rg", "ReplicationGroupDescription": "d",
                                                      "CacheNodeType": "cache.t3.micro", "NumNodeGroups": "2"])?.code == "InvalidParameterValue")
        let xml = try cacheCall("CreateReplicationGroup", ["ReplicationGroupId": "Sessions", "ReplicationGroupDescription": "cache of sessions",
                                                           "CacheNodeType": "cache.t3.micro", "Engine": "redis", "ReplicasPerNodeGroup": "2"])
        #expect(xml.contains("<Status>creating</Status>") && xml.contains("<MemberClusters><ClusterId>sessions-001</ClusterId>"))
        var s = h.store.snapshot()
        let group = try #require(s.replicationGroups["sessions"])
        #expect(group.memberClusters == ["sessions-001", "sessions-002", "sessions-003"] && group.primaryClusterId == "sessions-001")
        #expect(Set(group.memberClusters.compactMap { s.cacheClusters[$0]?.availabilityZone }).count == 3)
        #expect(group.primaryAddress.hasPrefix("sessions.") && group.primaryAddress.hasSuffix(".ng.0001.use1.cache.amazonaws.com"))
        #expect(group.readerAddress.hasPrefix("sessions-ro."))

        // Replicas follow the primary's interface address.
        let primaryIp = try #require(s.networkInterfaces[s.cacheClusters["sessions-001"]?.nodes.first?.networkInterfaceId ?? ""]?.privateIpAddress)
        let replica = try #require(s.cacheClusters["sessions-002"])
        let spec = try #require(ManagedEngineReconciler.spec(replica, node: replica.nodes[0], key: "k", in: s))
        #expect(spec.replicaOf == "\(primaryIp) 6379" && replica.replicationGroupId == "sessions")
        let primary = try #require(s.cacheClusters["sessions-001"])
        #expect(ManagedEngineReconciler.spec(primary, node: primary.nodes[0], key: "k", in: s)?.replicaOf == nil)

        reconciler.reconcileOnce(); await reconciler.settle(); reconciler.reconcileOnce(); reconciler.reconcileOnce()
        #expect(h.store.snapshot().replicationGroups["sessions"]?.status == .available)
        let described = try cacheCall("DescribeReplicationGroups", ["ReplicationGroupId": "sessions"])
        #expect(described.contains("<PrimaryEndpoint><Address>\(group.primaryAddress)</Address><Port>6379</Port></PrimaryEndpoint>"))
        #expect(described.contains("<CacheClusterId>sessions-002</CacheClusterId><CacheNodeId>0001</CacheNodeId>"))
        #expect(described.contains("<CurrentRole>primary</CurrentRole>") && described.contains("<CurrentRole>replica</CurrentRole>"))
        #expect(try cacheCall("DescribeCacheClusters", ["CacheClusterId": "sessions-003"]).contains("<ReplicationGroupId>sessions</ReplicationGroupId>"))

        // The primary goes only with its group; a replica may leave it.
        #expect(cacheError("DeleteCacheCluster", ["CacheClusterId": "sessions-001"])?.code == "InvalidReplicationGroupState")
        try cacheCall("DeleteCacheCluster", ["CacheClusterId": "sessions-003"])
        #expect(h.store.snapshot().replicationGroups["sessions"]?.memberClusters == ["sessions-001", "sessions-002"])
        for _ in 0..<3 { reconciler.reconcileOnce(); await reconciler.settle() }
        #expect(h.store.snapshot().cacheClusters["sessions-003"] == nil)

        // Replica counts: up adds a member numbered after the highest one left, down removes the highest replica.
        #expect(cacheError("IncreaseReplicaCount", ["ReplicationGroupId": "sessions", "NewReplicaCount": "2",
                                                    "ApplyImmediately": "false"])?.message == "ApplyImmediately=False is not currently supported.")
        try cacheCall("IncreaseReplicaCount", ["ReplicationGroupId": "sessions", "NewReplicaCount": "2", "ApplyImmediately": "true"])
        #expect(h.store.snapshot().replicationGroups["sessions"]?.memberClusters == ["sessions-001", "sessions-002", "sessions-003"])
        #expect(h.store.snapshot().replicationGroups["sessions"]?.status == .modifying)
        for _ in 0..<3 { reconciler.reconcileOnce(); await reconciler.settle() }
        #expect(h.store.snapshot().replicationGroups["sessions"]?.status == .available)
        try cacheCall("DecreaseReplicaCount", ["ReplicationGroupId": "sessions", "NewReplicaCount": "1", "ApplyImmediately": "true"])
        #expect(h.store.snapshot().replicationGroups["sessions"]?.memberClusters == ["sessions-001", "sessions-002"])
        #expect(h.store.snapshot().cacheClusters["sessions-003"]?.status == .deleting)
        for _ in 0..<3 { reconciler.reconcileOnce(); await reconciler.settle() }
        #expect(h.store.snapshot().cacheClusters["sessions-003"] == nil)

        try cacheCall("DeleteReplicationGroup", ["ReplicationGroupId": "sessions"])
        #expect(cacheError("DeleteReplicationGroup", ["ReplicationGroupId": "sessions"])?.code == "InvalidReplicationGroupState")
        for _ in 0..<4 { reconciler.reconcileOnce(); await reconciler.settle() }
        s = h.store.snapshot()
        #expect(s.replicationGroups.isEmpty && s.cacheClusters.isEmpty && s.networkInterfaces.isEmpty)
        #expect(cacheError("DescribeReplicationGroups", ["ReplicationGroupId": "sessions"])?.code == "ReplicationGroupNotFoundFault")
    }
}
