import AWSWire
import Foundation
import CloudModel
import IAMPolicy
import Synchronization

/// Who an access key stands for and the secret its signatures are checked with.
public struct Caller: Sendable {
    public let principal: Principal
    public let secretAccessKey: String
    /// An IAM user's cached entry, handed on to the request's authorization so that it is not looked up twice.
    let entry: CallerEntry?
    /// The caller's own signing-key slot, for `SigV4Verifier.verify`.
    public let signingKeys: SigningKeySlot
    /// Temporary credentials: the session token every request must carry, and when they stop working.
    public var sessionToken: String? { entry?.sessionToken }
    public var expiration: Date? { entry?.expiration }
}

/// An IAM user's access key, or temporary credentials, resolved against one state: its principal and secret, the
/// identity policies (with their per-action statement index), a session's own policies, and the condition keys every
/// request of the caller carries. Only facts about the key and its principal are kept; every request is still
/// verified and evaluated in full.
final class CallerEntry: Sendable {
    let principal: Principal
    let secretAccessKey: String
    let policies: PolicySet
    /// A session's policies (AssumeRole's `Policy`/`PolicyArns`): the session may do only what both allow.
    let sessionPolicies: PolicySet?
    let sharedKeys: SharedConditionKeys
    let signingKeys = SigningKeySlot()
    let sessionToken: String?
    let expiration: Date?

    init(principal: Principal, secretAccessKey: String, policies: PolicySet, sharedKeys: SharedConditionKeys,
         sessionPolicies: PolicySet? = nil, sessionToken: String? = nil, expiration: Date? = nil) {
        self.principal = principal
        self.secretAccessKey = secretAccessKey
        self.policies = policies
        self.sharedKeys = sharedKeys
        self.sessionPolicies = sessionPolicies
        self.sessionToken = sessionToken
        self.expiration = expiration
    }
}

/// Caller entries by access key id, dropped at every committed write (a key deactivated, a policy changed) so that
/// the next request resolves its key again.
final class CallerCache: Sendable {
    private struct Entries { var generation = 0; var byKey: [String: CallerEntry] = [:] }
    private let entries = Mutex(Entries())
    /// Past this many keys the cache starts over rather than growing without bound.
    private let limit = 10_000

    func invalidate() { entries.withLock { $0.generation += 1; $0.byKey.removeAll(keepingCapacity: true) } }

    /// The cached entry, or `compute`'s (not kept if a write committed meanwhile; an unknown key is not kept).
    func entry(_ accessKeyId: String, compute: () -> CallerEntry?) -> CallerEntry? {
        let (generation, hit) = entries.withLock { ($0.generation, $0.byKey[accessKeyId]) }
        if let hit { return hit }
        guard let entry = compute() else { return nil }
        entries.withLock { e in
            guard e.generation == generation else { return }
            if e.byKey.count >= limit { e.byKey.removeAll(keepingCapacity: true) }
            e.byKey[accessKeyId] = entry
        }
        return entry
    }
}
