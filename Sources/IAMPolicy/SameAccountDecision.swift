/// How the decisions of a principal's identity-based policies and of a resource's own policy combine when both are in
/// the same account: an explicit Deny in either wins; otherwise an Allow in either suffices. (Across accounts both
/// would have to allow; this server has one account.)
public enum SameAccountDecision {
    /// `resource` is nil when the resource has no policy.
    public static func combine(identity: PolicyDecision.Outcome, resource: PolicyDecision.Outcome?) -> PolicyDecision.Outcome {
        if identity == .explicitDeny || resource == .explicitDeny { return .explicitDeny }
        if identity == .allowed || resource == .allowed { return .allowed }
        return .implicitDeny
    }
}
