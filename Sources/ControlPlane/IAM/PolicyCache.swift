import IAMPolicy
import Synchronization

/// Compiled policies by document text, so each document is parsed and compiled once however many requests
/// it decides. Bounded: when full it starts over (documents change rarely; a miss only costs a parse).
public final class PolicyCache: Sendable {
    private struct Key: Hashable {
        let text: String
        let kind: PolicyKind
        let id: String
        let sourceType: String
    }

    private let entries = Mutex<[Key: CompiledPolicy]>([:])
    private let capacity: Int

    public init(capacity: Int = 10_000) { self.capacity = capacity }

    /// The compiled form of a document; throws IAM's MalformedPolicyDocument message for a bad one.
    public func compiled(_ text: String, kind: PolicyKind = .identity, id: String = "", sourceType: String = "none") throws(PolicyError) -> CompiledPolicy {
        let key = Key(text: text, kind: kind, id: id, sourceType: sourceType)
        if let hit = entries.withLock({ $0[key] }) { return hit }
        let compiled = try CompiledPolicy(json: text, id: id, kind: kind, sourceType: sourceType)
        entries.withLock { e in
            if e.count >= capacity { e.removeAll(keepingCapacity: true) }
            e[key] = compiled
        }
        return compiled
    }
}
