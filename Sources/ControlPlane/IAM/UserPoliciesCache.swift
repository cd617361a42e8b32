import CloudModel
import IAMPolicy
import Synchronization

/// Each user's compiled identity-based policies, kept until the next committed write: an enforced request then
/// looks its caller's policies up once instead of hashing every policy document into the PolicyCache.
final class UserPoliciesCache: Sendable {
    private struct Entries { var generation = 0; var byUserArn: [String: [CompiledPolicy]] = [:] }
    private let entries = Mutex(Entries())
    /// Past this many users the cache starts over rather than growing without bound.
    private let limit = 10_000

    func invalidate() { entries.withLock { $0.generation += 1; $0.byUserArn.removeAll(keepingCapacity: true) } }

    /// The cached list, or `compute`'s on `state`; a list computed while a write committed is not kept.
    func policies(_ user: IAMUser, state: () -> CloudState, compute: (IAMUser, CloudState) -> [CompiledPolicy]) -> [CompiledPolicy] {
        let (generation, hit) = entries.withLock { ($0.generation, $0.byUserArn[user.arn]) }
        if let hit { return hit }
        let list = compute(user, state())
        entries.withLock { e in
            guard e.generation == generation else { return }
            if e.byUserArn.count >= limit { e.byUserArn.removeAll(keepingCapacity: true) }
            e.byUserArn[user.arn] = list
        }
        return list
    }
}
