import CloudModel
import Foundation
import Synchronization

/// The single owner of the control plane's state: readers get snapshots, writers run one
/// transaction at a time that becomes visible only after the durable store has committed it.
public final class StateStore: Sendable {
    private let current: Mutex<CloudState>
    private let writer = Mutex<Void>(())
    private let durable: any RecordStore
    private let clock: any TimeSource
    private let observers = Mutex<[@Sendable (CloudState) -> Void]>([])

    public init(durable: any RecordStore, clock: any TimeSource) throws {
        self.durable = durable
        self.clock = clock
        current = Mutex(try CloudState.load(from: durable.loadAll()))
    }

    /// A consistent copy of the whole state (copy-on-write, so cheap).
    public func snapshot() -> CloudState { current.withLock { $0 } }

    /// Runs `body` on a draft; if it returns, the changes are committed durably and then published.
    /// If it throws, nothing changes anywhere.
    @discardableResult
    public func write<T>(_ body: (inout Transaction) throws -> T) throws -> T {
        try writer.withLock { _ in
            var tx = Transaction(state: snapshot(), now: clock.now())
            let result = try body(&tx)
            if !tx.isEmpty {
                try durable.commit(try tx.changes())
                let published = tx.state
                current.withLock { $0 = published }
                for o in observers.withLock({ $0 }) { o(published) }
            }
            return result
        }
    }

    /// Registers a callback run after every committed write (reconcilers use it to wake up).
    public func observe(_ callback: @escaping @Sendable (CloudState) -> Void) {
        observers.withLock { $0.append(callback) }
    }

    public var now: Date { clock.now() }
}
