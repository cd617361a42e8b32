import Synchronization

/// A principal's compiled identity policies, with the statements whose Action element matches each action found
/// once: an enforced request then checks resource, principal and conditions of those statements only, in the order
/// `PolicyEvaluator.isAllowed` would, so the decision is the same.
public final class PolicySet: Sendable {
    public let policies: [CompiledPolicy]
    private let byAction = Mutex<[String: [CompiledStatement]]>([:])
    /// Past this many distinct actions the index starts over rather than growing without bound.
    private let limit = 1024

    public init(_ policies: [CompiledPolicy]) { self.policies = policies }

    /// True when any statement allows and none denies (stops at the first matching Deny).
    public func isAllowed(_ request: AuthorizationRequest) -> Bool {
        isAllowed(action: request.action, resource: request.resource, context: request.context, principal: request.principal)
    }

    /// The same, on the request's parts: the enforcement path builds no AuthorizationRequest (copying one into
    /// another value retains each of its strings).
    public func isAllowed(action: String, resource: String, context: ConditionContext, principal: PrincipalIdentity? = nil) -> Bool {
        let statements = self.statements(for: action)
        if statements.isEmpty { return false }
        var arn = LazyArnParts(resource)
        var allowed = false
        for st in statements {
            if allowed && !st.isDeny { continue }
            guard st.matchesResource(&arn, context), st.matchesPrincipal(principal),
                  st.conditionsHold(context) else { continue }
            if st.isDeny { return false }
            allowed = true
        }
        return allowed
    }

    /// The full decision, as `PolicyEvaluator.evaluate` gives it.
    public func evaluate(_ request: AuthorizationRequest, details: Bool = false) -> PolicyDecision {
        PolicyEvaluator.evaluate(policies, request, details: details)
    }

    /// The statements, across all policies in order, whose Action/NotAction element lets `action` through.
    func statements(for action: String) -> [CompiledStatement] {
        if let hit = byAction.withLock({ $0[action] }) { return hit }
        let service = PreparedRequest.service(of: action)
        var found: [CompiledStatement] = []
        var text = action
        text.withUTF8 { bytes in
            for policy in policies {
                for st in policy.candidates(service: service) where st.matchesAction(bytes) { found.append(st) }
            }
        }
        byAction.withLock { index in
            if index.count >= limit { index.removeAll(keepingCapacity: true) }
            index[action] = found
        }
        return found
    }
}
