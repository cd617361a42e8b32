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
            networkInterfaceId: "eni-b", availabilityZone: "us-east-1a", nodeAddress: node, configurationAddress: cfg,
            tags: [], createdAt: Fixture.epoch)
        let z = DNSZone.plan(partitions: [.init(region: "us-east-1", state: s)], overrides: ManagedEngineNames.overrides(state: s))
        #expect(address.hasPrefix("mydb.c") && address.hasSuffix(".us-east-1.rds.amazonaws.com"))
        #expect(z.lookup(address, from: .vpc("vpc-a")).data == ["10.0.1.4"])
        #expect(z.lookup(address, from: .vpc("vpc-b")).rcode == DNSRcode.nameError)
        #expect(z.lookup(node, from: .vpc("vpc-b")).data == ["10.1.1.4"] && z.lookup(cfg, from: .vpc("vpc-b")).data == ["10.1.1.4"])
        #expect(z.lookup(node, from: .vpc("vpc-a")).rcode == DNSRcode.nameError)
    }
}
