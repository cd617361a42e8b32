import AWSWire
import CloudModel
import Foundation
import Synchronization
import Testing
@testable import ControlPlane

/// A runtime that records what it was asked and prints a fixed console line.
final class RecordingRuntime: InstanceRuntime {
    let calls = Mutex<[String]>([])
    let failStarts: Bool
    init(failStarts: Bool = false) { self.failStarts = failStarts }
    func start(_ instance: Instance, userData: Data) async throws {
        calls.withLock { $0.append("start \(instance.id) \(String(decoding: userData, as: UTF8.self))") }
        if failStarts { throw CancellationError() }
    }
    func stop(instanceId: String) async { calls.withLock { $0.append("stop \(instanceId)") } }
    func consoleOutput(instanceId: String) -> String { "hello from \(instanceId)\n" }
}

@Suite struct NatGatewayLifecycleTests {
    let h: EC2Harness
    let reconciler: LifecycleReconciler
    init() throws {
        h = try EC2Harness()
        reconciler = LifecycleReconciler(store: h.store, runtime: InProcessInstanceRuntime(),
                                         timings: LifecycleTimings(natCreateDelay: 5, natDeleteDelay: 3, retention: 60))
    }

    @Test func stateMachine() {
        #expect(NatGatewayState.pending.next(.provisioned(internetReachable: true)) == .available)
        #expect(NatGatewayState.pending.next(.provisioned(internetReachable: false)) == .failed)
        #expect(NatGatewayState.available.next(.deleteRequested) == .deleting)
        #expect(NatGatewayState.deleting.next(.deprovisioned) == .deleted)
        #expect(NatGatewayState.deleted.next(.deleteRequested) == nil)
        #expect(NatGatewayState.available.next(.provisioned(internetReachable: true)) == nil)
    }

    @Test func pendingAvailableDeletingDeletedOnTheClock() async throws {
        let (vpc, subnet, main) = try h.network()
        _ = try h.attachedGateway(vpc)
        let alloc = try h.id("AllocateAddress", [:], "allocationId")
        let xml = try h.call("CreateNatGateway", ["SubnetId": subnet, "AllocationId": alloc])
        let nat = try #require(h.value(xml, "natGatewayId"))
        #expect(h.value(xml, "state") == "pending")
        #expect(xml.contains("<allocationId>\(alloc)</allocationId>") && xml.contains("<privateIp>10.0.1.4</privateIp>")
                && xml.contains("<publicIp>192.88.99.1</publicIp>"))
        let eniId = try #require(h.store.snapshot().natGateways[nat]?.networkInterfaceId)
        let eni = try #require(h.store.snapshot().networkInterfaces[eniId])
        #expect(eni.interfaceType == "nat_gateway" && eni.requesterManaged && eni.description == "Interface for NAT Gateway \(nat)")
        h.expectError("Resource.AlreadyAssociated") { try h.call("CreateNatGateway", ["SubnetId": subnet, "AllocationId": alloc]) }
        h.expectError("InvalidIPAddress.InUse") { try h.call("ReleaseAddress", ["AllocationId": alloc]) }
        h.expectError("OperationNotPermitted") { try h.call("DeleteNetworkInterface", ["NetworkInterfaceId": eniId]) }

        var due = await reconciler.reconcileOnce()
        #expect(h.store.snapshot().natGateways[nat]?.state == .pending)
        #expect(due == h.clock.now().addingTimeInterval(5))
        h.clock.advance(by: 5)
        await reconciler.reconcileOnce()
        #expect(h.store.snapshot().natGateways[nat]?.state == .available)

        try h.call("CreateRoute", ["RouteTableId": main, "DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": nat])
        try h.call("DeleteNatGateway", ["NatGatewayId": nat])
        #expect(h.store.snapshot().natGateways[nat]?.state == .deleting)
        let route = try #require(h.store.snapshot().routeTables[main]?.routes.last)
        #expect(h.store.snapshot().routeState(route, vpcId: vpc) == "blackhole")
        due = await reconciler.reconcileOnce()
        #expect(due == h.clock.now().addingTimeInterval(3))
        h.clock.advance(by: 3)
        await reconciler.reconcileOnce()
        let s = h.store.snapshot()
        #expect(s.natGateways[nat]?.state == .deleted && s.natGateways[nat]?.deletedAt != nil)
        #expect(s.networkInterfaces[eniId] == nil && s.addresses[alloc]?.association == nil)
        h.expectError("NatGatewayNotFound", "The Nat Gateway \(nat) was not found") { try h.call("DeleteNatGateway", ["NatGatewayId": nat]) }
        try h.call("ReleaseAddress", ["AllocationId": alloc])
        h.clock.advance(by: 60)
        await reconciler.reconcileOnce()
        #expect(h.store.snapshot().natGateways[nat] == nil)
    }

    @Test func publicGatewayWithoutInternetGatewayFails() async throws {
        let (vpc, subnet, _) = try h.network()
        let alloc = try h.id("AllocateAddress", [:], "allocationId")
        let nat = try h.id("CreateNatGateway", ["SubnetId": subnet, "AllocationId": alloc], "natGatewayId")
        h.clock.advance(by: 5)
        await reconciler.reconcileOnce()
        let g = try #require(h.store.snapshot().natGateways[nat])
        #expect(g.state == .failed && g.failureCode == "Gateway.NotAttached" && g.failureMessage == "Network \(vpc) has no Internet gateway attached")
        #expect(h.store.snapshot().networkInterfaces[g.networkInterfaceId] == nil)
    }

    @Test func createErrors() throws {
        let (_, subnet, _) = try h.network()
        h.expectError("MissingParameter") { try h.call("CreateNatGateway", ["SubnetId": subnet]) }
        h.expectError("InvalidAllocationID.NotFound") {
            try h.call("CreateNatGateway", ["SubnetId": subnet, "AllocationId": "eipalloc-0123456789abcdef0"])
        }
        h.expectError("InvalidSubnetID.NotFound") {
            try h.call("CreateNatGateway", ["SubnetId": "subnet-0123456789abcdef0", "ConnectivityType": "private"])
        }
        h.expectError("NatGatewayMalformed") { try h.call("DeleteNatGateway", ["NatGatewayId": "nat-1"]) }
        let xml = try h.call("CreateNatGateway", ["SubnetId": subnet, "ConnectivityType": "private"])
        #expect(xml.contains("<connectivityType>private</connectivityType>") && !xml.contains("<publicIp>"))
    }
}

@Suite struct InstanceLifecycleTests {
    let runtime = RecordingRuntime()
    let h: EC2Harness
    let reconciler: LifecycleReconciler
    init() throws {
        h = try EC2Harness(runtime: runtime)
        reconciler = LifecycleReconciler(store: h.store, runtime: runtime, timings: LifecycleTimings(retention: 60))
    }

    @Test func stateMachine() {
        #expect(InstanceState.pending.next(.runtimeStarted) == .running)
        #expect(InstanceState.running.next(.stopRequested) == .stopping)
        #expect(InstanceState.stopping.next(.runtimeStopped) == .stopped)
        #expect(InstanceState.stopped.next(.startRequested) == .pending)
        #expect(InstanceState.running.next(.terminateRequested) == .shuttingDown)
        #expect(InstanceState.shuttingDown.next(.runtimeStopped) == .terminated)
        #expect(InstanceState.terminated.next(.startRequested) == nil)
        #expect(InstanceState.terminated.next(.stopRequested) == nil)
        #expect(InstanceState.allCases.map(\.code) == [0, 16, 32, 48, 64, 80])
    }

    @Test func runStopStartTerminate() async throws {
        let (_, subnet, _) = try h.network()
        let userData = Data("echo hi".utf8).base64EncodedString()
        let xml = try h.call("RunInstances", ["MinCount": "2", "MaxCount": "2", "SubnetId": subnet, "UserData": userData])
        #expect(xml.contains("<instanceState><code>0</code><name>pending</name></instanceState>"))
        #expect(h.value(xml, "reservationId")?.hasPrefix("r-") == true)
        let ids = h.store.snapshot().instances.values.sorted { $0.amiLaunchIndex < $1.amiLaunchIndex }.map(\.id)
        #expect(ids.count == 2)
        let first = try #require(h.store.snapshot().instances[ids[0]])
        #expect(first.privateIpAddress == IPv4Address("10.0.1.4") && first.imageId == "ami-lambdavpc" && first.instanceType == "t3.micro")
        let eni = try #require(h.store.snapshot().networkInterfaces[first.networkInterfaceId ?? ""])
        #expect(eni.attachment?.id.hasPrefix("eni-attach-") == true && eni.attachment?.deleteOnTermination == true)

        await reconciler.reconcileOnce()
        #expect(h.store.snapshot().instances.values.allSatisfy { $0.state == .running })
        #expect(runtime.calls.withLock { $0 }.contains("start \(ids[0]) echo hi"))
        let console = try h.call("GetConsoleOutput", ["InstanceId": ids[0]])
        #expect(h.value(console, "output") == Data("hello from \(ids[0])\n".utf8).base64EncodedString())

        let stop = try h.call("StopInstances", ["InstanceId.1": ids[0]])
        #expect(stop.contains("<currentState><code>64</code><name>stopping</name></currentState><previousState><code>16</code><name>running</name></previousState>"))
        await reconciler.reconcileOnce()
        #expect(h.store.snapshot().instances[ids[0]]?.state == .stopped)
        try h.call("StartInstances", ["InstanceId.1": ids[0]])
        await reconciler.reconcileOnce()
        #expect(h.store.snapshot().instances[ids[0]]?.state == .running)

        try h.call("TerminateInstances", ["InstanceId.1": ids[0], "InstanceId.2": ids[1]])
        #expect(h.store.snapshot().instances[ids[0]]?.state == .shuttingDown)
        await reconciler.reconcileOnce()
        let s = h.store.snapshot()
        #expect(s.instances[ids[0]]?.state == .terminated && s.networkInterfaces[eni.id] == nil)
        #expect(s.networkInterfaces.isEmpty)
        h.expectError("IncorrectInstanceState", "The instance '\(ids[0])' is not in a state from which it can be started.") {
            try h.call("StartInstances", ["InstanceId.1": ids[0]])
        }
        let again = try h.call("TerminateInstances", ["InstanceId.1": ids[0]])
        #expect(again.contains("<currentState><code>48</code><name>terminated</name></currentState><previousState><code>48</code>"))
        h.clock.advance(by: 60)
        await reconciler.reconcileOnce()
        #expect(h.store.snapshot().instances.isEmpty)
    }

    @Test func runningInstancesAreStartedAgainByANewReconciler() async throws {
        let (_, subnet, _) = try h.network()
        try h.call("RunInstances", ["MinCount": "1", "MaxCount": "1", "SubnetId": subnet])
        await reconciler.reconcileOnce()
        let restarted = LifecycleReconciler(store: h.store, runtime: runtime, timings: LifecycleTimings())
        await restarted.reconcileOnce()
        await restarted.reconcileOnce()
        #expect(runtime.calls.withLock { $0 }.filter { $0.hasPrefix("start") }.count == 2)
    }

    @Test func failedLaunchEndsTerminated() async throws {
        let failing = RecordingRuntime(failStarts: true)
        let h2 = try EC2Harness(runtime: failing)
        let r = LifecycleReconciler(store: h2.store, runtime: failing, timings: LifecycleTimings())
        let (_, subnet, _) = try h2.network()
        let id = try h2.id("RunInstances", ["MinCount": "1", "MaxCount": "1", "SubnetId": subnet], "instanceId")
        await r.reconcileOnce()
        await r.reconcileOnce()
        let inst = try #require(h2.store.snapshot().instances[id])
        #expect(inst.state == .terminated && inst.stateReasonCode == "Server.InternalError")
    }

    @Test func launchErrors() throws {
        let (_, subnet, _) = try h.network()
        h.expectError("VPCIdNotSpecified") { try h.call("RunInstances", ["MinCount": "1", "MaxCount": "1"]) }
        h.expectError("InvalidSubnetID.NotFound") {
            try h.call("RunInstances", ["MinCount": "1", "MaxCount": "1", "SubnetId": "subnet-0123456789abcdef0"])
        }
        h.expectError("InvalidParameterValue", "Invalid BASE64 encoding of user data.") {
            try h.call("RunInstances", ["MinCount": "1", "MaxCount": "1", "SubnetId": subnet, "UserData": "!!!"])
        }
        h.expectError("InvalidParameterValue") { try h.call("RunInstances", ["MinCount": "2", "MaxCount": "1", "SubnetId": subnet]) }
        h.expectError("InvalidParameterValue") {
            try h.call("RunInstances", ["MinCount": "1", "MaxCount": "1", "SubnetId": subnet, "InstanceType": "huge"])
        }
        h.expectError("InvalidGroup.NotFound") {
            try h.call("RunInstances", ["MinCount": "1", "MaxCount": "1", "SubnetId": subnet, "SecurityGroupId.1": "sg-0123456789abcdef0"])
        }
        h.expectError("InstanceLimitExceeded") { try h.call("RunInstances", ["MinCount": "21", "MaxCount": "21", "SubnetId": subnet]) }
        h.expectError("InvalidInstanceID.NotFound", "The instance IDs 'i-0123456789abcdef0, i-0123456789abcdef1' do not exist") {
            try h.call("TerminateInstances", ["InstanceId.1": "i-0123456789abcdef0", "InstanceId.2": "i-0123456789abcdef1"])
        }
        h.expectError("InvalidInstanceID.Malformed") { try h.call("StopInstances", ["InstanceId.1": "i-xyz"]) }
    }
}
