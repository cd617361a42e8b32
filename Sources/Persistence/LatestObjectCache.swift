import CloudModel
import Synchronization

/// The latest version of recently used keys, so a GET of a hot object reads no SQLite row and decodes no JSON.
/// Writers update it inside their transaction (serialized by the store's writer); a reader that missed inserts what it
/// read only if no write happened meanwhile (the generation), so a slow read never overwrites a newer version.
final class LatestObjectCache: Sendable {
    struct Key: Hashable, Sendable {
        var bucket: String
        var key: String
    }

    private struct State {
        var entries: [Key: S3Object] = [:]
        var generation: UInt64 = 0
    }

    private let state = Mutex(State())
    private let capacity: Int

    init(capacity: Int = 20_000) { self.capacity = capacity }

    func get(_ k: Key) -> S3Object? { state.withLock { $0.entries[k] } }

    var generation: UInt64 { state.withLock { $0.generation } }

    /// A reader's result, kept unless a write happened since `generation` was read.
    func insert(_ o: S3Object, for k: Key, ifUnchangedSince generation: UInt64) {
        state.withLock { s in
            guard s.generation == generation else { return }
            if s.entries.count >= capacity { s.entries.removeAll(keepingCapacity: true) }
            s.entries[k] = o
        }
    }

    /// A writer's new latest version (nil: the key's latest is unknown now).
    func set(_ k: Key, _ o: S3Object?) {
        state.withLock { s in
            s.generation &+= 1
            if s.entries.count >= capacity { s.entries.removeAll(keepingCapacity: true) }
            s.entries[k] = o
        }
    }

    /// After a failed commit: what the writers set may not be what the database holds.
    func clear() {
        state.withLock { s in
            s.generation &+= 1
            s.entries.removeAll()
        }
    }
}
