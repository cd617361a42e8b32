import CloudModel
import Synchronization

/// The latest version of recently used keys, so a GET of a hot object reads no SQLite row and decodes no JSON; with
/// the bytes of small ones that were just written (up to `byteBudget` in all).
/// Writers update it inside their transaction (serialized by the store's writer); a reader that missed inserts what it
/// read only if no write happened meanwhile (the generation), so a slow read never overwrites a newer version.
final class LatestObjectCache: Sendable {
    struct Key: Hashable, Sendable {
        var bucket: String
        var key: String
    }

    private struct State {
        var entries: [Key: S3Object] = [:]
        var bytes: [Key: (version: String, data: [UInt8])] = [:]
        var byteCount = 0
        var generation: UInt64 = 0

        mutating func dropBytes(_ k: Key) {
            if let old = bytes.removeValue(forKey: k) { byteCount -= old.data.count }
        }
    }

    private let state = Mutex(State())
    private let capacity: Int

    private let byteBudget: Int

    init(capacity: Int = 20_000, byteBudget: Int = 32 << 20) {
        self.capacity = capacity
        self.byteBudget = byteBudget
    }

    /// The bytes of `versionId` of the key, when they are held.
    func bytes(_ k: Key, versionId: String) -> [UInt8]? {
        state.withLock { s in s.bytes[k].flatMap { $0.version == versionId ? $0.data : nil } }
    }

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

    /// A writer's new latest version (nil: the key's latest is unknown now), with its bytes when they are in its row.
    func set(_ k: Key, _ o: S3Object?, bytes: [UInt8]? = nil) {
        state.withLock { s in
            s.generation &+= 1
            if s.entries.count >= capacity { s.entries.removeAll(keepingCapacity: true) }
            s.entries[k] = o
            s.dropBytes(k)
            if let o, let bytes, bytes.count <= byteBudget / 64 {
                if s.byteCount + bytes.count > byteBudget {
                    s.bytes.removeAll()
                    s.byteCount = 0
                }
                s.bytes[k] = (o.versionId, bytes)
                s.byteCount += bytes.count
            }
        }
    }

    /// After a failed commit: what the writers set may not be what the database holds.
    func clear() {
        state.withLock { s in
            s.generation &+= 1
            s.entries.removeAll()
            s.bytes.removeAll()
            s.byteCount = 0
        }
    }
}
