import Foundation
import Synchronization

/// A one-slot wake-up: `signal()` from any thread; `wait(timeout:)` returns on the first signal since the last wait,
/// on timeout, or on cancellation.
final class WakeSignal: Sendable {
    private struct State { var pending = false; var stopped = false; var waiter: CheckedContinuation<Void, Never>? }
    private let state = Mutex(State())

    /// True once `stop()` was called; loops check it after every wake-up.
    var isStopped: Bool { state.withLock { $0.stopped } }

    /// Stops the loop for good: the current and every later wait returns at once.
    func stop() {
        state.withLock { $0.stopped = true }
        signal()
    }

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
                    if s.pending || s.stopped { s.pending = false; return true }
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
