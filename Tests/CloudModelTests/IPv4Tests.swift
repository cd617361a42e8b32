import Foundation
import Testing
@testable import CloudModel

@Suite struct IPv4Tests {
    @Test func parsesAddressesStrictly() {
        #expect(IPv4Address("10.0.1.4")?.description == "10.0.1.4")
        #expect(IPv4Address("256.0.0.1") == nil)
        #expect(IPv4Address("10.0.1") == nil)
        #expect(IPv4Address("10..1.4") == nil)
        #expect(IPv4Address("1.2.3.4.5") == nil)
    }

    @Test func cidrMath() throws {
        let vpc = try #require(IPv4CIDR("10.0.0.0/16"))
        let sub = try #require(IPv4CIDR("10.0.1.0/24"))
        #expect(vpc.contains(sub))
        #expect(!sub.contains(vpc))
        #expect(vpc.overlaps(sub) && sub.overlaps(vpc))
        #expect(!sub.overlaps(IPv4CIDR("10.0.2.0/24")!))
        #expect(sub.size == 256)
        #expect(sub.broadcast.description == "10.0.1.255")
        #expect(IPv4CIDR("10.0.1.7/24")!.normalized.description == "10.0.1.0/24")
        #expect(IPv4CIDR("10.0.1.7/24", strict: true) == nil)
        #expect(IPv4CIDR("10.0.0.0/33") == nil)
        #expect(IPv4CIDR("0.0.0.0/0")!.contains(IPv4Address("255.255.255.255")!))
    }

    @Test func firstFreeSkipsReservedAddresses() throws {
        let c = try #require(IPv4CIDR("10.0.1.0/24"))
        #expect(SubnetAddressing.firstFree(c, used: [])?.description == "10.0.1.4")
        let used: Set<IPv4Address> = [IPv4Address("10.0.1.4")!, IPv4Address("10.0.1.6")!]
        #expect(SubnetAddressing.firstFree(c, used: used)?.description == "10.0.1.5")
        #expect(SubnetAddressing.available(c, inUse: 0) == 251)
        #expect(SubnetAddressing.routerAddress(c).description == "10.0.1.1")
    }

    @Test func slash28HasElevenUsableAddressesAndNeverTheBroadcast() throws {
        let c = try #require(IPv4CIDR("10.0.7.0/28"))
        #expect(SubnetAddressing.available(c, inUse: 0) == 11)
        var used = Set<IPv4Address>()
        while let a = SubnetAddressing.firstFree(c, used: used) { used.insert(a) }
        #expect(used.count == 11)
        #expect(!used.contains(c.broadcast))
        #expect(used.min()?.description == "10.0.7.4" && used.max()?.description == "10.0.7.14")
        #expect(SubnetAddressing.available(c, inUse: 11) == 0)
    }

    @Test func stateHelpersCountInterfacesPerSubnet() {
        var s = CloudState()
        let cidr = IPv4CIDR("10.0.1.0/24")!
        s.subnets["subnet-1"] = Subnet(id: "subnet-1", vpcId: "vpc-1", cidrBlock: cidr, availabilityZone: "us-east-1a",
                                       availabilityZoneId: "use1-az1", mapPublicIpOnLaunch: false, ownerId: "1", tags: [], createdAt: Date())
        #expect(s.firstFreeAddress(inSubnet: "subnet-1")?.description == "10.0.1.4")
        s.networkInterfaces["eni-1"] = NetworkInterface(
            id: "eni-1", subnetId: "subnet-1", vpcId: "vpc-1", availabilityZone: "us-east-1a", privateIpAddress: IPv4Address("10.0.1.4")!,
            macAddress: "02:00:00:00:00:01", groupIds: [], interfaceType: "lambda", description: "", requesterId: nil,
            requesterManaged: true, status: "in-use", sourceDestCheck: true, attachment: nil, ownerId: "1", tags: [], createdAt: Date())
        #expect(s.usedAddresses(inSubnet: "subnet-1") == [IPv4Address("10.0.1.4")!])
        #expect(s.firstFreeAddress(inSubnet: "subnet-1")?.description == "10.0.1.5")
        #expect(s.interfaceCountBySubnet() == ["subnet-1": 1])
        #expect(s.firstFreeAddress(inSubnet: "subnet-unknown") == nil)
    }
}
