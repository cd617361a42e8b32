import CloudModel
import Foundation
import Testing
@testable import DNS

/// RDS and ElastiCache endpoints answer their interface's private address inside their VPC, and nowhere else.
@Suite struct ManagedEngineNamesTests {
    @Test func endpointsResolveInTheirVPCOnly() {
        var s = Fixture.state()
        let address = ManagedEndpoints.rdsAddress(id: "mydb", accountId: "123456789012", region: "us-east-1")
        s.dbInstances["mydb"] = DBInstance(
            id: "mydb", engine: "mysql", engineVersion: "8.0.39", instanceClass: "db.t3.micro", allocatedStorage: 5,
            storageType: "gp2", masterUsername: "u", masterPassword: "password", dbName: nil, port: 3306,
            subnetGroupName: "default", vpcSecurityGroupIds: [], publiclyAccessible: false, backupRetentionPeriod: 1, multiAZ: false,
            status: .available, statusChangedAt: Fixture.epoch, networkInterfaceId: "eni-a", availabilityZone: "us-east-1a",
            endpointAddress: address, resourceId: "db-X", tags: [], createdAt: Fixture.epoch)
        let node = ManagedEndpoints.cacheNodeAddress(id: "c1", accountId: "123456789012", region: "us-east-1")
        let cfg = ManagedEndpoints.cacheConfigurationAddress(id: "c1", accountId: "123456789012", region: "us-east-1")
        s.cacheClusters["c1"] = CacheCluster(
            id: "c1", engine: "memcached", engineVersion: "1.6.22", nodeType: "cache.t3.micro", numNodes: 1, port: 11211,
            subnetGroupName: "default", securityGroupIds: [], status: .available, statusChangedAt: Fixture.epoch,
            availabilityZone: "us-east-1a",
            nodes: [CacheNode(id: "0001", status: .available, networkInterfaceId: "eni-b", availabilityZone: "us-east-1a",
                              address: node, createdAt: Fixture.epoch)],
            configurationAddress: cfg, tags: [], createdAt: Fixture.epoch)
        let z = DNSZone.plan(partitions: [.init(region: "us-east-1", state: s)], overrides: ManagedEngineNames.overrides(state: s))
        #expect(address.hasPrefix("mydb.c") && address.hasSuffix(".us-east-1.rds.amazonaws.com"))
        #expect(z.lookup(address, from: .vpc("vpc-a")).data == ["10.0.1.4"])
        #expect(z.lookup(address, from: .vpc("vpc-b")).rcode == DNSRcode.nameError)
        #expect(z.lookup(node, from: .vpc("vpc-b")).data == ["10.1.1.4"] && z.lookup(cfg, from: .vpc("vpc-b")).data == ["10.1.1.4"])
        #expect(z.lookup(node, from: .vpc("vpc-a")).rcode == DNSRcode.nameError)
    }

    @Test func everyNodeHasItsNameAndTheConfigurationEndpointAnswersAllOfThem() {
        var s = Fixture.state()
        s.networkInterfaces["eni-b2"] = Fixture.eni("eni-b2", vpc: "vpc-b", "10.1.2.9")
        s.networkInterfaces["eni-b3"] = Fixture.eni("eni-b3", vpc: "vpc-b", "10.1.3.7")
        let address = { (n: Int) in ManagedEndpoints.cacheNodeAddress(id: "c2", node: n, accountId: "123456789012", region: "us-east-1") }
        let cfg = ManagedEndpoints.cacheConfigurationAddress(id: "c2", accountId: "123456789012", region: "us-east-1")
        let nodes = [("eni-b", CacheNodeStatus.available), ("eni-b2", .available), ("eni-b3", .deleting)].enumerated().map { i, n in
            CacheNode(id: CacheNode.id(i + 1), status: n.1, networkInterfaceId: n.0, availabilityZone: "us-east-1a",
                      address: address(i + 1), createdAt: Fixture.epoch)
        }
        s.cacheClusters["c2"] = CacheCluster(
            id: "c2", engine: "memcached", engineVersion: "1.6.22", nodeType: "cache.t3.micro", numNodes: 2, port: 11211,
            subnetGroupName: "default", securityGroupIds: [], status: .modifying, statusChangedAt: Fixture.epoch,
            availabilityZone: "us-east-1a", nodes: nodes, configurationAddress: cfg, tags: [], createdAt: Fixture.epoch)
        let z = DNSZone.plan(partitions: [.init(region: "us-east-1", state: s)], overrides: ManagedEngineNames.overrides(state: s))
        #expect(address(2).contains(".0002.use1.cache.amazonaws.com"))
        #expect(z.lookup(address(1), from: .vpc("vpc-b")).data == ["10.1.1.4"])
        #expect(z.lookup(address(2), from: .vpc("vpc-b")).data == ["10.1.2.9"])
        // A node being removed keeps its name until it is gone, but the configuration endpoint no longer offers it.
        #expect(z.lookup(address(3), from: .vpc("vpc-b")).data == ["10.1.3.7"])
        #expect(Set(z.lookup(cfg, from: .vpc("vpc-b")).data) == ["10.1.1.4", "10.1.2.9"])
    }
}
