import AWSWire
import CloudModel
import Foundation
import Logging
import Synchronization

/// Delivers queued Event invocations at least once: a record is deleted only after the function answered (or the event
/// ran out of retries or age), so events still queued at a crash or a restart are delivered by the next server.
public final class AsyncInvocationWorker: Sendable {
    let service: LambdaService
    let logger: Logger
    let wake = WakeSignal()
    private let inFlight = Mutex<Set<String>>([])
    /// How long a throttled function's event waits before the next try (not counted as a retry): short at first, then
    /// growing with the event's age up to a minute, so a function throttled for hours costs little.
    static func busyDelay(age: TimeInterval) -> TimeInterval { min(60, max(0.2, age / 10)) }

    public init(service: LambdaService, logger: Logger) {
        self.service = service
        self.logger = logger
        service.store.observe { [wake] _ in wake.signal() }
    }

    /// Starts the loop; `stop()` ends it (deliveries still running keep their records for the next start).
    public func start() -> Task<Void, Never> {
        Task.detached { [self] in
            while !wake.isStopped {
                let next = dispatchDue()
                await wake.wait(timeout: next.map { max(0, $0.timeIntervalSince(service.store.now)) })
            }
        }
    }

    public func stop() { wake.stop() }

    /// Starts a delivery for every due event not already running; answers when the next one is due.
    func dispatchDue() -> Date? {
        let (due, next) = claimDue()
        for e in due { Task.detached { [self] in await deliver(e) } }
        return next
    }

    /// Delivers every due event and returns when all have been delivered (tests drive the queue with this).
    func deliverDueNow() async {
        for e in claimDue().due { await deliver(e) }
    }

    private func claimDue() -> (due: [AsyncInvocation], next: Date?) {
        let now = service.store.now
        var due: [AsyncInvocation] = []
        var next: Date?
        for e in service.store.snapshot().asyncInvocations.values.sorted(by: { $0.enqueuedAt < $1.enqueuedAt }) {
            if e.notBefore > now {
                next = min(next ?? e.notBefore, e.notBefore)
            } else if inFlight.withLock({ $0.insert(e.id).inserted }) {
                due.append(e)
            }
        }
        return (due, next)
    }

    private func deliver(_ e: AsyncInvocation) async {
        defer { inFlight.withLock { _ = $0.remove(e.id) }; wake.signal() }
        let outcome = await attempt(e)
        if wake.isStopped { return }
        do {
            try service.store.write { tx in
                guard var current = tx.get(AsyncInvocation.self, e.id) else { return }
                switch outcome {
                case .done: tx.delete(AsyncInvocation.self, e.id)
                case .later(let delay): current.notBefore = tx.now.addingTimeInterval(delay); tx.put(current)
                case .failed:
                    current.attempts += 1
                    let retries = service.eventSettings(tx.state, function: e.functionName, qualifier: e.qualifier).retries
                    if current.attempts > retries {
                        logger.warning("async invocation \(e.id) of \(e.functionName) failed after \(current.attempts) attempts; dropped")
                        tx.delete(AsyncInvocation.self, e.id)
                    } else {
                        let delays = service.timings.asyncRetryDelays
                        let delay = delays.isEmpty ? 0 : delays[min(current.attempts - 1, delays.count - 1)]
                        current.notBefore = tx.now.addingTimeInterval(delay)
                        tx.put(current)
                    }
                }
            }
        } catch {
            logger.error("async invocation \(e.id): could not record the outcome: \(error)")
        }
    }

    private enum Outcome { case done, later(TimeInterval), failed }

    private func attempt(_ e: AsyncInvocation) async -> Outcome {
        let s = service.store.snapshot()
        let now = service.store.now
        guard s.lambdaFunctions[e.functionName] != nil else { return .done }
        let maxAge = service.eventSettings(s, function: e.functionName, qualifier: e.qualifier).maxAge
        if now.timeIntervalSince(e.enqueuedAt) > Double(maxAge) {
            logger.warning("async invocation \(e.id) of \(e.functionName) is older than \(maxAge) s; dropped")
            return .done
        }
        do {
            let ref = try FunctionReference.parse(e.functionName, namespaced: false).get()
            let r = service.routed(try service.resolve(ref, qualifier: e.qualifier, in: s), alias: e.qualifier, in: s)
            do { try service.checkInvocable(r, ref: ref, at: now) } catch { return .later(1) }
            let result = try await service.invoker.invoke(InvocationRequest(
                config: r.config, invokedArn: service.json.functionArn(ref.name, qualifier: r.arnQualifier),
                invocationType: "Event", logType: "None", clientContext: e.clientContext, payload: Array(e.payload),
                requestId: e.id, reservedConcurrency: r.function.reservedConcurrency))
            return result.functionError == nil ? .done : .failed
        } catch let error as AWSError where error.code == "TooManyRequestsException" {
            return .later(Self.busyDelay(age: service.store.now.timeIntervalSince(e.enqueuedAt)))
        } catch let error as AWSError where error.code == "ResourceNotFoundException" {
            // The qualifier (version or alias) was deleted since: nothing left to deliver to.
            return .done
        } catch {
            logger.warning("async invocation \(e.id) of \(e.functionName): \(error)")
            return .failed
        }
    }
}
