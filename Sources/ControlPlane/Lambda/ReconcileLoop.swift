import Foundation
import Logging
import Synchronization

/// Runs the ENI manager in the background: at once after every committed write (so Create → Active takes
/// no polling delay) and when its next deadline comes; never otherwise.
public final class ReconcileLoop: Sendable {
    let manager: ENIManager
    let wake = WakeSignal()
    let logger: Logger

    public init(manager: ENIManager, logger: Logger) {
        self.manager = manager
        self.logger = logger
        manager.store.observe { [wake] _ in wake.signal() }
    }

    /// Starts the loop; cancel the task to stop it.
    public func start() -> Task<Void, Never> {
        let manager = self.manager, wake = self.wake, logger = self.logger
        return Task.detached {
            while !Task.isCancelled {
                var next: Date?
                do { next = try manager.reconcile() } catch {
                    logger.error("ENI reconcile failed: \(error)")
                    next = Date().addingTimeInterval(1)
                }
                let delay = next.map { max(0, $0.timeIntervalSince(manager.store.now)) }
                await wake.wait(timeout: delay)
            }
        }
    }
}

/// A one-slot wake-up: `signal()` from any thread; `wait(timeout:)` returns on the first signal since the last wait,
/// on timeout, or on cancellation.
final class WakeSignal: Sendable {
    private struct State { var pending = false; var waiter: CheckedContinuation<Void, Never>? }
    private let state = Mutex(State())

    func signal() {
        let w = state.withLock { s -> CheckedContinuation<Void, Never>? in
            if let w = s.waiter { s.waiter = nil; return w }
            s.pending = true
            return nil
        }
        w?.resume()
    }

    func wait(timeout: TimeInterval?) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.waitForSignal() }
            if let timeout {
                group.addTask {
                    // A millisecond past the deadline, so the pass that follows sees it as due.
                    try? await Task.sleep(nanoseconds: UInt64((timeout + 0.001) * 1_000_000_000))
                }
            }
            await group.next()
            group.cancelAll()
        }
    }

    private func waitForSignal() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let now = state.withLock { s -> Bool in
                    if s.pending { s.pending = false; return true }
                    s.waiter = c
                    return false
                }
                if now { c.resume() }
            }
        } onCancel: {
            signal()
        }
    }
}
