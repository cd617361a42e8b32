import AWSWire
import CloudModel
import ControlPlane
import Foundation
import Testing

@Suite struct LambdaENIManagerTests {
    @Test func vpcFunctionWaitsForItsENIThenGoesActive() async throws {
        let h = try LambdaHarness()
        let r = await h.create("f", subnets: [h.subnetA], groups: [h.sg1])
        #expect(r.json.str("State") == "Pending")
        #expect(r.json.str("StateReasonCode") == "Creating")
        #expect(r.json["LastUpdateStatus"] == nil)
        let revisionAtCreate = r.json.str("RevisionId")
        try h.advance(4.9)
        #expect(h.config("f")?.status.state == .pending)
        #expect(h.lambdaENIs.isEmpty)
        try h.advance(0.1)
        #expect(h.config("f")?.status == FunctionStatus(state: .active, lastUpdateStatus: .successful))
        #expect(h.config("f")?.revisionId != revisionAtCreate)
        let eni = try #require(h.lambdaENIs.first)
        #expect(h.lambdaENIs.count == 1)
        #expect(eni.interfaceType == "lambda")
        #expect(eni.description.hasPrefix("AWS Lambda VPC ENI-f-"))
        #expect(eni.requesterManaged)
        #expect(eni.status == "in-use")
        #expect(eni.attachment?.id.hasPrefix("ela-attach-") == true)
        #expect(eni.attachment?.status == "attached")
        #expect(eni.privateIpAddress == IPv4Address("10.0.1.4"))
        #expect(eni.groupIds == [h.sg1])
    }

    @Test func nonVpcFunctionIsActiveAtTheNextReconcile() async throws {
        let h = try LambdaHarness()
        _ = await h.create("plain")
        try h.advance(0)
        #expect(h.config("plain")?.status.state == .active)
    }

    @Test func sameSubnetAndGroupsShareOneENIAndTheSecondIsActiveAtOnce() async throws {
        let h = try LambdaHarness()
        _ = await h.create("a", subnets: [h.subnetA], groups: [h.sg1, h.sg2])
        try h.advance(5)
        // Same set in another order: same ENI, no new delay.
        _ = await h.create("b", subnets: [h.subnetA], groups: [h.sg2, h.sg1])
        try h.advance(0)
        #expect(h.config("b")?.status.state == .active)
        #expect(h.lambdaENIs.count == 1)
        // A different set is a new ENI with the next free address.
        _ = await h.create("c", subnets: [h.subnetA], groups: [h.sg1])
        try h.advance(0)
        #expect(h.config("c")?.status.state == .pending)
        try h.advance(5)
        #expect(h.lambdaENIs.map(\.privateIpAddress).sorted() == [IPv4Address("10.0.1.4")!, IPv4Address("10.0.1.5")!])
    }

    @Test func unusedENIIsReleasedAfterTheGracePeriod() async throws {
        let h = try LambdaHarness()
        _ = await h.create("a", subnets: [h.subnetA], groups: [h.sg1])
        _ = await h.create("b", subnets: [h.subnetA], groups: [h.sg1])
        try h.advance(5)
        _ = await h.call("DELETE", "/2015-03-31/functions/a")
        try h.advance(120)
        #expect(h.lambdaENIs.count == 1, "b still uses it")
        _ = await h.call("DELETE", "/2015-03-31/functions/b")
        try h.advance(59)
        #expect(h.lambdaENIs.count == 1)
        try h.advance(1)
        #expect(h.lambdaENIs.isEmpty)
        #expect(h.store.snapshot().hyperplaneENIs.isEmpty)
    }

    @Test func publishedVersionKeepsItsENIWhileLatestMovesAway() async throws {
        let h = try LambdaHarness()
        _ = await h.create("f", subnets: [h.subnetA], groups: [h.sg1])
        try h.advance(5)
        let v = await h.call("POST", "/2015-03-31/functions/f/versions", json: [:])
        #expect(v.status == 201)
        #expect(v.json.str("Version") == "1")
        #expect(v.json.str("State") == "Active")
        _ = await h.call("PUT", "/2015-03-31/functions/f/configuration", json: ["VpcConfig": ["SubnetIds": [h.subnetB], "SecurityGroupIds": [h.sg1]]])
        #expect(h.config("f")?.status.lastUpdateStatus == .inProgress)
        try h.advance(5)
        #expect(h.config("f")?.status.lastUpdateStatus == .successful)
        try h.advance(120)
        #expect(Set(h.lambdaENIs.map(\.subnetId)) == [h.subnetA, h.subnetB], "version 1 keeps subnet A's ENI")
    }

    @Test func quotaPerVpcFailsTheFunction() async throws {
        let h = try LambdaHarness(timings: LambdaTimings(eniCreateDelay: 0, eniReleaseAfter: 60, idleAfter: 86400, eniLimitPerVpc: 1))
        _ = await h.create("a", subnets: [h.subnetA], groups: [h.sg1])
        try h.advance(0)
        _ = await h.create("b", subnets: [h.subnetB], groups: [h.sg1])
        try h.advance(0)
        let b = try #require(h.config("b"))
        #expect(b.status.state == .failed)
        #expect(b.status.stateReasonCode == "EniLimitExceeded")
        #expect(h.lambdaENIs.count == 1)
    }

    @Test func subnetFilledDuringProvisioningFailsWithSubnetOutOfIPAddresses() async throws {
        let h = try LambdaHarness(subnetPrefix: 28)
        _ = await h.create("f", subnets: [h.subnetA], groups: [h.sg1])
        try h.store.write { tx in
            for i in 4..<15 {
                tx.put(NetworkInterface(id: "eni-\(i)", subnetId: h.subnetA, vpcId: h.vpcId, availabilityZone: "us-east-1a",
                                        privateIpAddress: IPv4Address("10.0.1.\(i)")!, macAddress: "02:00:00:00:00:00", groupIds: [h.sg1],
                                        interfaceType: "interface", description: "", requesterId: nil, requesterManaged: false,
                                        status: "available", sourceDestCheck: true, attachment: nil, ownerId: LambdaHarness.account,
                                        tags: [], createdAt: tx.now))
            }
        }
        try h.advance(5)
        #expect(h.config("f")?.status.state == .failed)
        #expect(h.config("f")?.status.stateReasonCode == "SubnetOutOfIPAddresses")
    }

    @Test func deletedSubnetDuringProvisioningIsInvalidSubnet() async throws {
        let h = try LambdaHarness()
        _ = await h.create("f", subnets: [h.subnetA], groups: [h.sg1])
        try h.store.write { tx in tx.delete(Subnet.self, h.subnetA) }
        try h.advance(5)
        #expect(h.config("f")?.status.stateReasonCode == "InvalidSubnet")
    }

    @Test func idleFunctionGoesInactiveReleasesENIAndInvokeBringsItBack() async throws {
        let h = try LambdaHarness(timings: LambdaTimings(eniCreateDelay: 5, eniReleaseAfter: 60, idleAfter: 1000, eniLimitPerVpc: 500))
        _ = await h.create("f", subnets: [h.subnetA], groups: [h.sg1])
        try h.advance(5)
        #expect(h.config("f")?.status.state == .active)
        try h.advance(1000)
        #expect(h.config("f")?.status.state == .inactive)
        #expect(h.config("f")?.status.stateReasonCode == "Idle")
        try h.advance(60)
        #expect(h.lambdaENIs.isEmpty)
        let inv = await h.call("POST", "/2015-03-31/functions/f/invocations", json: [:])
        #expect(inv.status == 502)
        #expect(inv.headers.contains { $0.0 == "x-amzn-ErrorType" && $0.1 == "ResourceNotReadyException" })
        #expect(inv.json.str("Message") == "The function is inactive and its VPC connection is no longer available. Wait for the VPC connection to reestablish and try again.")
        #expect(h.config("f")?.status.state == .pending)
        let again = await h.call("POST", "/2015-03-31/functions/f/invocations", json: [:])
        #expect(again.status == 409)
        #expect(again.json.str("message") == "The operation cannot be performed at this time. The function is currently in the following state: Pending")
        try h.advance(5)
        #expect(h.config("f")?.status.state == .active)
        #expect(h.lambdaENIs.count == 1)
    }

    @Test func updatesArRefusedWhilePendingAndInProgress() async throws {
        let h = try LambdaHarness()
        _ = await h.create("f", subnets: [h.subnetA], groups: [h.sg1])
        let u = await h.call("PUT", "/2015-03-31/functions/f/configuration", json: ["Timeout": 9])
        #expect(u.status == 409)
        #expect(u.json.str("message") == "The operation cannot be performed at this time. The resource arn:aws:lambda:us-east-1:123456789012:function:f is currently in the following state: 'Pending'. StateReasonCode: 'Creating'")
        try h.advance(5)
        let u2 = await h.call("PUT", "/2015-03-31/functions/f/configuration", json: ["VpcConfig": ["SubnetIds": [h.subnetB], "SecurityGroupIds": [h.sg1]]])
        #expect(u2.json.str("LastUpdateStatus") == "InProgress")
        let p = await h.call("POST", "/2015-03-31/functions/f/versions", json: [:])
        #expect(p.status == 409)
        #expect(p.json.str("message") == "The operation cannot be performed at this time. An update is in progress for resource: arn:aws:lambda:us-east-1:123456789012:function:f")
        #expect(h.config("f")?.timeout == 3, "the rejected update changed nothing")
    }

    @Test func dryRunOnActiveFunctionIs204AndRevisionPreconditionIs412() async throws {
        let h = try LambdaHarness()
        _ = await h.create("f")
        try h.advance(0)
        let d = await h.call("POST", "/2015-03-31/functions/f/invocations", headers: [("X-Amz-Invocation-Type", "DryRun")])
        #expect(d.status == 204)
        let u = await h.call("PUT", "/2015-03-31/functions/f/configuration", json: ["Timeout": 9, "RevisionId": "nope"])
        #expect(u.status == 412)
        #expect(u.headers.contains { $0.1 == "PreconditionFailedException" })
    }

    @Test func survivesRestartMidPending() async throws {
        // The allocation (with its request time) is in the store, so a new manager on the same state converges.
        let h = try LambdaHarness()
        _ = await h.create("f", subnets: [h.subnetA], groups: [h.sg1])
        try h.advance(2)
        let fresh = ENIManager(store: h.store, timings: h.manager.timings, accountId: LambdaHarness.account, activity: InvocationActivity())
        h.clock.advance(by: 3)
        try fresh.reconcileUntilStable()
        #expect(h.config("f")?.status.state == .active)
    }
}
