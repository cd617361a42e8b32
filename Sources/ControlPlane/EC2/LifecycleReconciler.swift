import CloudModel
import Foundation
import Synchronization

/// How long the simulated provisioning steps take (AWS takes minutes; tests set zero).
public struct LifecycleTimings: Sendable {
    public var natCreateDelay: TimeInterval
    public var natDeleteDelay: TimeInterval
    /// How long terminated instances and deleted NAT gateways stay visible before they are purged.
    public var retention: TimeInterval

    public init(natCreateDelay: TimeInterval = 1, natDeleteDelay: TimeInterval = 1, retention: TimeInterval = 3600) {
        self.natCreateDelay = natCreateDelay
        self.natDeleteDelay = natDeleteDelay
        self.retention = retention
    }
}

/// Drives NAT gateways and instances through their state machines: timed NAT provisioning, and the
/// instance runtime's start/stop. Idempotent and restart-safe: everything it needs is in the store.
public final class LifecycleReconciler: Sendable {
    let store: StateStore
    let runtime: any InstanceRuntime
    let timings: LifecycleTimings
    /// Instances started by this process; after a restart, running instances are started again.
    private let started = Mutex<Set<String>>([])
    private let wake = WakeSignal()

    public init(store: StateStore, runtime: any InstanceRuntime, timings: LifecycleTimings) {
        self.store = store
        self.runtime = runtime
        self.timings = timings
    }

    /// Applies every transition that is due now; returns when the next timed one falls due, if any.
    @discardableResult
    public func reconcileOnce() async -> Date? {
        let next = advanceNatGateways()
        let endpointsAt = advanceVpcEndpoints()
        await advanceInstances()
        let purgeAt = purgeExpired()
        return [next, endpointsAt, purgeAt].compactMap { $0 }.min()
    }

    /// Runs until `stop()`: wakes on every committed write and at each due time.
    public func run() async {
        store.observe { [wake] _ in wake.signal() }
        while !wake.isStopped {
            let next = await reconcileOnce()
            let delay = next.map { max(0, $0.timeIntervalSince(store.now)) } ?? 60
            await wake.wait(timeout: delay)
        }
    }

    public func stop() { wake.stop() }

    // MARK: NAT gateways

    func advanceNatGateways() -> Date? {
        let now = store.now
        var nextDue: Date?
        var due: [String] = []
        for nat in store.snapshot().natGateways.values {
            let delay: TimeInterval
            switch nat.state {
            case .pending: delay = timings.natCreateDelay
            case .deleting: delay = timings.natDeleteDelay
            default: continue
            }
            let at = nat.stateChangedAt.addingTimeInterval(delay)
            if at <= now { due.append(nat.id) } else { nextDue = min(nextDue ?? at, at) }
        }
        if due.isEmpty { return nextDue }
        try? store.write { tx in
            for id in due { Self.advance(nat: id, in: &tx) }
        }
        return nextDue
    }

    /// One timed step of a NAT gateway: provisioning ends (available, or failed without an internet
    /// gateway), or deletion ends (its interface and Elastic IP mapping are released).
    static func advance(nat id: String, in tx: inout Transaction) {
        guard let nat = tx.get(NatGateway.self, id) else { return }
        let event: NatGatewayState.Event
        switch nat.state {
        case .pending:
            let reachable = nat.connectivityType == "private"
                || tx.state.internetGateways.values.contains { $0.attachedVpcId == nat.vpcId }
            event = .provisioned(internetReachable: reachable)
        case .deleting: event = .deprovisioned
        default: return
        }
        guard let next = nat.state.next(event) else { return }
        let now = tx.now
        tx.update(NatGateway.self, id) {
            $0.state = next
            $0.stateChangedAt = now
            if next == .failed {
                $0.failureCode = "Gateway.NotAttached"
                $0.failureMessage = "Network \(nat.vpcId) has no Internet gateway attached"
            }
            if next == .deleted { $0.deletedAt = now }
        }
        if next == .failed || next == .deleted { releaseInterface(nat.networkInterfaceId, in: &tx) }
    }

    /// Interface endpoints are provisioned (pending → available) after the same delay as a NAT gateway.
    func advanceVpcEndpoints() -> Date? {
        let now = store.now
        var nextDue: Date?
        var due: [String] = []
        for e in store.snapshot().vpcEndpoints.values where e.state == .pending {
            let at = e.stateChangedAt.addingTimeInterval(timings.natCreateDelay)
            if at <= now { due.append(e.id) } else { nextDue = min(nextDue ?? at, at) }
        }
        if due.isEmpty { return nextDue }
        try? store.write { tx in
            let now = tx.now
            for id in due {
                tx.update(VpcEndpoint.self, id) { e in
                    guard e.state == .pending else { return }
                    e.state = .available
                    e.stateChangedAt = now
                }
            }
        }
        return nextDue
    }

    /// Deletes an interface together with its Elastic IP mapping.
    static func releaseInterface(_ eniId: String, in tx: inout Transaction) {
        if let a = tx.state.address(onInterface: eniId) { tx.update(ElasticAddress.self, a.id) { $0.association = nil } }
        tx.delete(NetworkInterface.self, eniId)
    }

    // MARK: Instances

    func advanceInstances() async {
        for inst in store.snapshot().instances.values {
            switch inst.state {
            case .pending:
                do {
                    try await runtime.start(inst, userData: Self.decodedUserData(inst))
                    started.withLock { _ = $0.insert(inst.id) }
                    apply(.runtimeStarted, to: inst.id, expecting: .pending)
                } catch {
                    failLaunch(inst.id)
                }
            case .running where !started.withLock({ $0.contains(inst.id) }):
                // After a restart: the store says running, so the runtime must run it again.
                if (try? await runtime.start(inst, userData: Self.decodedUserData(inst))) != nil {
                    started.withLock { _ = $0.insert(inst.id) }
                }
            case .stopping, .shuttingDown:
                await runtime.stop(instanceId: inst.id)
                started.withLock { _ = $0.remove(inst.id) }
                apply(.runtimeStopped, to: inst.id, expecting: inst.state)
            default: continue
            }
        }
    }

    static func decodedUserData(_ i: Instance) -> Data {
        i.userData.flatMap { Data(base64Encoded: $0) } ?? Data()
    }

    /// Applies a runtime report if the instance is still in the state the report is about.
    func apply(_ event: InstanceState.Event, to id: String, expecting: InstanceState) {
        try? store.write { tx in
            guard let inst = tx.get(Instance.self, id), inst.state == expecting, let next = inst.state.next(event) else { return }
            let now = tx.now
            tx.update(Instance.self, id) { $0.state = next; $0.stateChangedAt = now }
            if next == .terminated {
                // As on EC2: interfaces marked deleteOnTermination (the primary by default) go with the
                // instance, the others are detached and become available.
                for eni in tx.state.interfaces(attachedTo: id) {
                    if eni.attachment?.deleteOnTermination ?? true {
                        Self.releaseInterface(eni.id, in: &tx)
                    } else {
                        tx.update(NetworkInterface.self, eni.id) { $0.attachment = nil; $0.status = "available" }
                    }
                }
                tx.update(Instance.self, id) { $0.networkInterfaceId = nil }
            }
        }
    }

    /// A launch the runtime refused ends as EC2 ends one: shutting down, then terminated.
    func failLaunch(_ id: String) {
        try? store.write { tx in
            guard let inst = tx.get(Instance.self, id), let next = inst.state.next(.terminateRequested) else { return }
            let now = tx.now
            tx.update(Instance.self, id) {
                $0.state = next
                $0.stateChangedAt = now
                $0.stateReasonCode = "Server.InternalError"
                $0.stateTransitionReason = "Server.InternalError"
            }
        }
    }

    // MARK: Retention

    func purgeExpired() -> Date? {
        let now = store.now
        let s = store.snapshot()
        var next: Date?
        var natIds: [String] = [], instanceIds: [String] = []
        for n in s.natGateways.values where n.state == .deleted || n.state == .failed {
            let at = n.stateChangedAt.addingTimeInterval(timings.retention)
            if at <= now { natIds.append(n.id) } else { next = min(next ?? at, at) }
        }
        for i in s.instances.values where i.state == .terminated {
            let at = i.stateChangedAt.addingTimeInterval(timings.retention)
            if at <= now { instanceIds.append(i.id) } else { next = min(next ?? at, at) }
        }
        if !natIds.isEmpty || !instanceIds.isEmpty {
            try? store.write { tx in
                for id in natIds { tx.delete(NatGateway.self, id) }
                for id in instanceIds { tx.delete(Instance.self, id) }
            }
        }
        return next
    }
}
