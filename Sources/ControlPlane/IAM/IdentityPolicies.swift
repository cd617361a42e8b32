import CloudModel
import IAMPolicy

/// The identity-based policies that apply to a user, role or group, compiled (through the cache).
public struct IdentityPolicies: Sendable {
    public let cache: PolicyCache

    public init(cache: PolicyCache) { self.cache = cache }

    /// A user's inline and attached policies, then those of each of its groups.
    public func forUser(_ u: IAMUser, in s: CloudState) -> [CompiledPolicy] {
        var out = holder(u, sourceType: "user", in: s)
        for g in s.groups(of: u) { out += holder(g, sourceType: "group", in: s) }
        return out
    }

    public func forRole(_ r: IAMRole, in s: CloudState) -> [CompiledPolicy] { holder(r, sourceType: "role", in: s) }

    public func forGroup(_ g: IAMGroup, in s: CloudState) -> [CompiledPolicy] { holder(g, sourceType: "group", in: s) }

    private func holder(_ h: some IAMPolicyHolder, sourceType: String, in s: CloudState) -> [CompiledPolicy] {
        var out: [CompiledPolicy] = []
        for p in h.inlinePolicies {
            // Stored documents were validated when put; one that no longer parses grants nothing.
            if let c = try? cache.compiled(p.document, id: p.name, sourceType: sourceType) { out.append(c) }
        }
        for arn in h.attachedPolicyArns {
            guard let m = s.managedPolicyDocument(arn) else { continue }
            if let c = try? cache.compiled(m.document, id: m.name, sourceType: m.isAWSManaged ? "aws-managed" : "user-managed") {
                out.append(c)
            }
        }
        return out
    }
}
