import AWSWire
import CloudModel
import ControlPlane
import Foundation
import Testing

@Suite struct LambdaVpcValidationTests {
    @Test func badSecurityGroupFormatIsValidationExceptionWithoutType() async throws {
        let h = try LambdaHarness()
        let r = await h.create("f", subnets: [h.subnetA], groups: ["bad-id"])
        #expect(r.status == 400)
        #expect(r.headers.contains { $0.0 == "x-amzn-ErrorType" && $0.1 == "ValidationException" })
        #expect(r.json["Type"] == nil)
        #expect(r.json.str("message") == "1 validation error detected: Value '[bad-id]' at 'vpcConfig.securityGroupIds' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 0, Member must satisfy regular expression pattern: sg-[0-9a-zA-Z]*]")
        #expect(h.store.snapshot().lambdaFunctions.isEmpty)
    }

    @Test func tooManySecurityGroups() async throws {
        let h = try LambdaHarness()
        let groups = (1...6).map { "sg-\($0)" }
        let r = await h.create("f", subnets: [h.subnetA], groups: groups)
        #expect(r.json.str("message") == "1 validation error detected: Value '[sg-1, sg-2, sg-3, sg-4, sg-5, sg-6]' at 'vpcConfig.securityGroupIds' failed to satisfy constraint: Member must have length less than or equal to 5")
    }

    @Test func tooManySubnets() async throws {
        let h = try LambdaHarness()
        let r = await h.create("f", subnets: (1...17).map { "subnet-\($0)" }, groups: [h.sg1])
        #expect(r.status == 400)
        #expect(r.json.str("message")?.hasSuffix("at 'vpcConfig.subnetIds' failed to satisfy constraint: Member must have length less than or equal to 16") == true)
    }

    @Test func formatIsCheckedBeforeCoexistence() async throws {
        let h = try LambdaHarness()
        let r = await h.create("f", subnets: ["nope"], groups: [])
        #expect(r.headers.contains { $0.1 == "ValidationException" })
    }

    @Test func listsMustCoexist() async throws {
        let h = try LambdaHarness()
        let r = await h.create("f", subnets: [h.subnetA], groups: [])
        #expect(r.status == 400)
        #expect(r.json.str("Type") == "User")
        #expect(r.json.str("message") == "SubnetIds and SecurityIds must coexist or be both empty list.")
    }

    @Test func securityGroupsAreCheckedBeforeSubnets() async throws {
        let h = try LambdaHarness()
        let r = await h.create("f", subnets: ["subnet-0000000000000dead"], groups: ["sg-0000000000000dead"])
        #expect(r.headers.contains { $0.1 == "InvalidParameterValueException" })
        #expect(r.json.str("message") == "Error occurred while DescribeSecurityGroups. EC2 Error Code: InvalidGroup.NotFound. EC2 Error Message: The security group 'sg-0000000000000dead' does not exist")
        let r2 = await h.create("f", subnets: ["subnet-0000000000000dead"], groups: [h.sg1])
        #expect(r2.json.str("message") == "Error occurred while DescribeSubnets. EC2 Error Code: InvalidSubnetID.NotFound. EC2 Error Message: The subnet ID 'subnet-0000000000000dead' does not exist")
    }

    @Test func subnetsAndGroupsMustShareOneVpc() async throws {
        let h = try LambdaHarness()
        try h.addVpc("vpc-0999999999999999f", tenancy: "default", subnets: [("subnet-0ccccccccccccccc3", "10.9.1.0/24")],
                     groups: ["sg-0333333333333333c"])
        let r = await h.create("f", subnets: [h.subnetA], groups: ["sg-0333333333333333c"])
        #expect(r.json.str("message") == "Security Groups are required to be in the same VPC")
        let r2 = await h.create("f", subnets: [h.subnetA, "subnet-0ccccccccccccccc3"], groups: [h.sg1])
        #expect(r2.status == 400)
        #expect(h.store.snapshot().lambdaFunctions.isEmpty)
    }

    @Test func dedicatedTenancyIsRefused() async throws {
        let h = try LambdaHarness()
        try h.addVpc("vpc-0dddddddddddddddd", tenancy: "dedicated", subnets: [("subnet-0ddddddddddddddd4", "10.8.1.0/24")],
                     groups: ["sg-0444444444444444d"])
        let r = await h.create("f", subnets: ["subnet-0ddddddddddddddd4"], groups: ["sg-0444444444444444d"])
        #expect(r.status == 400)
        #expect(r.json.str("message") == "Lambda doesn't support VPCs with dedicated instance tenancy")
    }

    @Test func vpcIdIsDerivedAndDetachLeavesEmptyConfig() async throws {
        let h = try LambdaHarness(timings: LambdaTimings(eniCreateDelay: 0, eniReleaseAfter: 60, idleAfter: 86400, eniLimitPerVpc: 500))
        let r = await h.create("f", subnets: [h.subnetA, h.subnetB], groups: [h.sg1])
        #expect(r.status == 201)
        let vpc = try #require(r.json.obj("VpcConfig"))
        #expect(vpc.str("VpcId") == h.vpcId)
        #expect(vpc["Ipv6AllowedForDualStack"] as? Bool == false)
        try h.advance(0)
        // An update without VpcConfig keeps it.
        let u1 = await h.call("PUT", "/2015-03-31/functions/f/configuration", json: ["Timeout": 10])
        #expect(u1.json.obj("VpcConfig")?.str("VpcId") == h.vpcId)
        try h.advance(0)
        let u2 = await h.call("PUT", "/2015-03-31/functions/f/configuration", json: ["VpcConfig": ["SubnetIds": [], "SecurityGroupIds": []]])
        let detached = try #require(u2.json.obj("VpcConfig"))
        #expect(detached.str("VpcId") == "")
        #expect((detached["SubnetIds"] as? [Any])?.isEmpty == true)
        #expect((detached["SecurityGroupIds"] as? [Any])?.isEmpty == true)
    }

    @Test func fullSubnetIsRefusedAtCreateTime() async throws {
        // A /28 has 11 usable addresses.
        let h = try LambdaHarness(subnetPrefix: 28)
        try h.store.write { tx in
            for i in 4..<15 {
                tx.put(NetworkInterface(id: "eni-\(i)", subnetId: h.subnetA, vpcId: h.vpcId, availabilityZone: "us-east-1a",
                                        privateIpAddress: IPv4Address("10.0.1.\(i)")!, macAddress: "02:00:00:00:00:00", groupIds: [h.sg1],
                                        interfaceType: "interface", description: "", requesterId: nil, requesterManaged: false,
                                        status: "available", sourceDestCheck: true, attachment: nil, ownerId: LambdaHarness.account,
                                        tags: [], createdAt: tx.now))
            }
        }
        let r = await h.create("f", subnets: [h.subnetA], groups: [h.sg1])
        #expect(r.status == 400)
        #expect(r.json.str("message") == "The subnet \(h.subnetA) is out of IP addresses.")
        #expect(h.store.snapshot().lambdaFunctions.isEmpty)
    }

    @Test func modelConstraintsAreValidationExceptions() async throws {
        let h = try LambdaHarness()
        var b = h.createBody("f")
        b["Timeout"] = 901
        b["MemorySize"] = 64
        let r = await h.call("POST", "/2015-03-31/functions", json: b)
        #expect(r.status == 400)
        #expect(r.json.str("message") == "2 validation errors detected: Value '901' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to 900; Value '64' at 'memorySize' failed to satisfy constraint: Member must have value greater than or equal to 128")
    }

    @Test func unsupportedRuntimeAndBadZip() async throws {
        let h = try LambdaHarness()
        var b = h.createBody("f")
        b["Runtime"] = "python9.9"
        let r = await h.call("POST", "/2015-03-31/functions", json: b)
        #expect(r.json.str("message")?.hasPrefix("Value python9.9 at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [") == true)
        b["Runtime"] = "python2.7"
        let deprecated = await h.call("POST", "/2015-03-31/functions", json: b)
        #expect(deprecated.json.str("message")?.hasPrefix("The runtime parameter of python2.7 is no longer supported") == true)
        var b2 = h.createBody("f")
        b2["Code"] = ["ZipFile": Data("not a zip".utf8).base64EncodedString()]
        let r2 = await h.call("POST", "/2015-03-31/functions", json: b2)
        #expect(r2.json.str("message") == "Could not unzip uploaded file. Please check your file, then try to upload again.")
    }
}
