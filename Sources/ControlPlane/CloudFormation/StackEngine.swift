import AWSWire
import CloudFormationTemplate
import CloudModel
import Foundation

/// Deploys stacks: a background loop (like `LifecycleReconciler`) woken by every committed write, that moves each
/// stack in progress one wave further. Restart-safe: each step's progress is a committed record, and a step found
/// half-done after a restart (in progress, not waiting on its service) is run again.
public final class StackEngine: Sendable {
    let service: CloudFormationService
    private let wake = WakeSignal()
    /// How often a stack waiting on a service (a NAT gateway becoming available) looks again, besides every write.
    let pollInterval: TimeInterval

    /// How long a resource may wait on its service before its step fails.
    let stabilizeTimeout: TimeInterval

    public init(service: CloudFormationService, pollInterval: TimeInterval = 0.25, stabilizeTimeout: TimeInterval = 1800) {
        self.service = service
        self.pollInterval = pollInterval
        self.stabilizeTimeout = stabilizeTimeout
    }

    var store: StateStore { service.store }

    /// Runs until `stop()`.
    public func run() async {
        // Only a signal on the writer's path (it runs under the store's write lock); the loop looks at the stacks.
        store.observe { [wake] _ in wake.signal() }
        while !wake.isStopped {
            let busy = await reconcileOnce()
            await wake.wait(timeout: busy ? pollInterval : 60)
        }
    }

    public func stop() { wake.stop() }

    /// Advances every stack in progress by one wave; true while any is still in progress.
    @discardableResult
    public func reconcileOnce() async -> Bool {
        let working = store.snapshot().cloudFormationStacks.values.filter { StackStatusMachine.phase($0.status) != .idle }
        for s in working.sorted(by: { $0.creationTime < $1.creationTime }) {
            switch StackStatusMachine.phase(s.status) {
            case .apply: await apply(s)
            case .deleteAll: await deleteAll(s)
            case .cleanup: await cleanup(s)
            case .idle: break
            }
        }
        return store.snapshot().cloudFormationStacks.values.contains { StackStatusMachine.phase($0.status) != .idle }
    }

    // MARK: Steps

    /// One call the engine makes for one resource.
    struct Step: Sendable {
        enum Kind: Sendable {
            case create
            case update(physicalId: String, old: ResourceProperties)
            case replace(old: ResourceProperties)
            case stabilize(physicalId: String)
            case delete(physicalId: String)
            case pollDelete(physicalId: String)
            /// A failure known before any call (a template error, an unsupported type).
            case refuse(String)
        }
        var logicalId: String
        var type: String
        var properties: ResourceProperties
        var kind: Kind
        /// `CREATE`, `UPDATE` or `DELETE`: the prefix of the statuses this step writes.
        var verb: String
        /// The template's `DeletionPolicy` (`Retain` keeps the resource when the stack or the resource goes).
        var deletionPolicy: String?
    }

    enum Outcome: Sendable {
        case provisioned(Provisioned)
        case stabilized([String: StackAttributeValue])
        case waiting
        case deleted
        case deletePending
        case failed(String)
    }

    func providerContext(_ s: CloudFormationStack, _ logicalId: String) -> ProviderContext {
        var ctx = RequestContext(requestID: newRequestID(), accountId: service.accountId, region: service.region,
                                 principal: s.callerPrincipal(accountId: service.accountId),
                                 sourceIP: "127.0.0.1")
        ctx.secureTransport = true
        return ProviderContext(backends: service.backends, caller: ctx, stackName: s.name, stackId: s.stackId, logicalId: logicalId)
    }

    func run(_ step: Step, _ s: CloudFormationStack) async -> Outcome {
        if case .refuse(let reason) = step.kind { return .failed(reason) }
        guard let provider = ResourceProviders.byType[step.type] else { return .failed("Unsupported resource type: \(step.type)") }
        let c = providerContext(s, step.logicalId)
        do {
            switch step.kind {
            case .create, .replace: return .provisioned(try await provider.create(step.properties, c))
            case .update(let id, let old):
                guard let p = try await provider.update(id, old: old, new: step.properties, c) else {
                    return .provisioned(try await provider.create(step.properties, c))
                }
                return .provisioned(p)
            case .stabilize(let id):
                switch try await provider.stabilize(id, step.properties, c) {
                case .ready(let a): return .stabilized(a)
                case .waiting: return .waiting
                case .failed(let reason): return .failed(reason)
                }
            case .delete(let id): return try await provider.delete(id, step.properties, c) ? .deleted : .deletePending
            case .pollDelete(let id): return try provider.isDeleted(id, c) ? .deleted : .deletePending
            case .refuse(let reason): return .failed(reason)
            }
        } catch let f as ResourceFailure {
            return .failed(f.reason)
        } catch let e as AWSError {
            return .failed(e.message)
        } catch {
            return .failed("Internal Failure")
        }
    }

    /// Runs the steps concurrently (independent resources in parallel).
    func runAll(_ steps: [Step], _ s: CloudFormationStack) async -> [(Step, Outcome)] {
        await withTaskGroup(of: (Step, Outcome).self) { group in
            for step in steps { group.addTask { (step, await self.run(step, s)) } }
            var out: [(Step, Outcome)] = []
            for await r in group { out.append(r) }
            return out
        }
    }

    static func properties(_ json: String) -> ResourceProperties {
        ResourceProperties((try? TemplateParser.parse(json))?.objectValue ?? [:])
    }

    func zones() -> [String] { service.backends.ec2.zones.zones.map(\.name) }

    func exportLookup() -> @Sendable (String) -> String? {
        let all = service.exports(in: store.snapshot())
        return { name in all.first { $0.name == name }?.value }
    }

    // MARK: Writing results

    /// Marks the steps' resources in progress (with their events) before their calls run.
    func begin(_ steps: [Step], _ stackId: String) {
        let starting = steps.filter { if case .stabilize = $0.kind { return false }; if case .pollDelete = $0.kind { return false }; return true }
        guard !starting.isEmpty else { return }
        try? store.write { tx in
            guard var s = tx.get(CloudFormationStack.self, stackId) else { return }
            for step in starting {
                var r = s.resources[step.logicalId] ?? StackResourceState(logicalId: step.logicalId, type: step.type, status: "",
                                                                         lastUpdated: tx.now, generation: s.generation)
                r.status = step.verb + "_IN_PROGRESS"
                r.statusReason = nil
                r.lastUpdated = tx.now
                r.generation = s.generation
                r.type = step.type
                if case .create = step.kind { r.propertiesJSON = step.properties.json }
                if step.verb != "DELETE" { r.deletionPolicy = step.deletionPolicy }
                var reason: String?
                if case .replace = step.kind { reason = "Requested update requires the creation of a new physical resource; hence creating one." }
                s.resources[step.logicalId] = r
                StackEvents.resource(&tx, &s, r, reason: reason, properties: step.verb == "DELETE" ? nil : step.properties.json)
            }
            tx.put(s)
        }
    }

    /// Records what the calls did.
    func finish(_ results: [(Step, Outcome)], _ stackId: String) {
        guard !results.isEmpty else { return }
        try? store.write { tx in
            guard var s = tx.get(CloudFormationStack.self, stackId) else { return }
            for (step, outcome) in results {
                guard var r = s.resources[step.logicalId] else { continue }
                let waitingSince = r.lastUpdated
                r.lastUpdated = tx.now
                switch outcome {
                case .waiting, .deletePending:
                    r.stabilizing = true
                    // Waiting keeps the time it started; past the deadline the step fails, as a handler times out.
                    r.lastUpdated = waitingSince
                    if tx.now.timeIntervalSince(waitingSince) > stabilizeTimeout {
                        r.stabilizing = false
                        r.status = step.verb + "_FAILED"
                        r.statusReason = "Resource timed out waiting for completion"
                        StackEvents.resource(&tx, &s, r)
                    }
                case .provisioned(let p):
                    if case .replace(let old) = step.kind, let oldId = r.physicalId {
                        r.replaced.append(ReplacedResource(physicalId: oldId, propertiesJSON: old.json))
                    }
                    if case .update(let oldId, _) = step.kind, oldId != p.physicalId {
                        r.replaced.append(ReplacedResource(physicalId: oldId, propertiesJSON: r.propertiesJSON))
                    }
                    r.physicalId = p.physicalId
                    r.ref = p.ref
                    r.attributes.merge(p.attributes) { _, new in new }
                    r.propertiesJSON = step.properties.json
                    if p.pending {
                        r.stabilizing = true
                        StackEvents.resource(&tx, &s, r, reason: "Resource creation Initiated")
                    } else {
                        r.stabilizing = false
                        r.status = step.verb + "_COMPLETE"
                        StackEvents.resource(&tx, &s, r)
                    }
                case .stabilized(let a):
                    r.attributes.merge(a) { _, new in new }
                    r.stabilizing = false
                    r.status = step.verb + "_COMPLETE"
                    StackEvents.resource(&tx, &s, r)
                case .deleted:
                    r.stabilizing = false
                    r.status = "DELETE_COMPLETE"
                    StackEvents.resource(&tx, &s, r)
                case .failed(let reason):
                    r.stabilizing = false
                    r.status = step.verb + "_FAILED"
                    r.statusReason = reason
                    StackEvents.resource(&tx, &s, r)
                }
                s.resources[step.logicalId] = r
            }
            tx.put(s)
        }
    }

    /// Moves the stack's status (with its event); `body` may change the record further.
    func transition(_ stackId: String, _ event: StackStatusMachine.Event, reason: String?,
                    _ body: (inout CloudFormationStack, inout Transaction) -> Void = { _, _ in }) {
        try? store.write { tx in
            guard var s = tx.get(CloudFormationStack.self, stackId), let next = StackStatusMachine.next(s.status, event) else { return }
            s.status = next
            s.statusReason = reason
            body(&s, &tx)
            StackEvents.stack(&tx, &s, next.rawValue, reason: reason)
            if let csId = s.changeSetId, var cs = tx.get(CloudFormationChangeSet.self, csId), cs.executionStatus == "EXECUTE_IN_PROGRESS" {
                switch next {
                case .createComplete, .updateComplete: cs.executionStatus = "EXECUTE_COMPLETE"; tx.put(cs)
                case .rollbackInProgress, .updateRollbackInProgress, .createFailed: cs.executionStatus = "EXECUTE_FAILED"; tx.put(cs)
                default: break
                }
            }
            tx.put(s)
        }
    }
}
