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
