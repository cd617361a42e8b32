import CloudModel
import Foundation
import Synchronization

/// The state's partitions: one global `StateStore` (IAM, STS sessions) and one per region, each opened on first use.
/// A region's requests read and write only its own store, so its VPCs, functions and parameters are its own world.
public final class RegionalStores: Sendable {
    public let global: StateStore
    private let open: @Sendable (String) throws -> StateStore
    private struct Opened {
        var stores: [String: StateStore] = [:]
        var observers: [@Sendable () -> Void] = []
        var openedCallbacks: [@Sendable (String, StateStore) -> Void] = []
    }
    private let state = Mutex(Opened())

    /// `open` makes a region's store (reading its partition); it is called once per region.
    public init(global: StateStore, open: @escaping @Sendable (String) throws -> StateStore) {
        self.global = global
        self.open = open
    }

    /// The region's store, opened (and announced to `onOpen` callbacks) on first use.
    public func store(_ region: String) throws -> StateStore {
        let (store, fresh, announce, watchers) = try state.withLock { s -> (StateStore, Bool, [@Sendable (String, StateStore) -> Void], [@Sendable () -> Void]) in
            if let existing = s.stores[region] { return (existing, false, [], []) }
            let made = try open(region)
            s.stores[region] = made
            return (made, true, s.openedCallbacks, s.observers)
        }
        if fresh {
            for w in watchers { store.observe { _ in w() } }
            for a in announce { a(region, store) }
        }
        return store
    }

    /// The regions opened so far, sorted.
    public var regions: [String] { state.withLock { $0.stores.keys.sorted() } }

    /// Every opened region's store.
    public var all: [(region: String, store: StateStore)] {
        state.withLock { s in s.stores.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } }
    }

    /// The global partition and every region together (ids never collide), for the parts that serve all regions:
    /// the network fabric, the code sweeper.
    public func unionSnapshot() -> CloudState {
        CloudState.union([global.snapshot()] + all.map { $0.store.snapshot() })
    }

    /// Calls `callback` after every committed write in any partition, including regions opened later.
    public func observeAll(_ callback: @escaping @Sendable () -> Void) {
        let current = state.withLock { s -> [StateStore] in
            s.observers.append(callback)
            return Array(s.stores.values)
        }
        global.observe { _ in callback() }
        for s in current { s.observe { _ in callback() } }
    }

    /// Calls `callback` for each region opened from now on (not for those already open).
    public func onOpen(_ callback: @escaping @Sendable (String, StateStore) -> Void) {
        state.withLock { $0.openedCallbacks.append(callback) }
    }
}
