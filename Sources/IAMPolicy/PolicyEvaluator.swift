/// The outcome of evaluating a request against a set of policies.
public struct PolicyDecision: Sendable, Equatable {
    /// IAM's three outcomes, named as the simulator names them.
    public enum Outcome: String, Sendable, Equatable {
        case allowed
        case explicitDeny
        case implicitDeny
    }

    public var outcome: Outcome
    /// The statements that decided: the matching Deny statements for an explicit deny, the matching Allow
    /// statements for an allow, none for an implicit deny.
    public var matchedStatements: [MatchedStatement]
    /// Condition keys (as the policy spells them) that statements applicable to the action and resource read
    /// but the request did not carry, sorted and without duplicates.
    public var missingContextKeys: [String]

    public var isAllowed: Bool { outcome == .allowed }
}

/// A statement that matched a request, located in its policy's text.
public struct MatchedStatement: Sendable, Equatable {
    public var policyId: String
    public var sourceType: String
    public var sid: String?
    public var effect: PolicyEffect
    public var index: Int
    public var start: TextPosition
    public var end: TextPosition
}

/// Evaluates requests: an explicit Deny in any policy wins, else an Allow allows, else the request is denied.
public enum PolicyEvaluator {
    /// Decides one request against a set of compiled policies. `details` also collects the missing context keys
    /// (the simulator wants them; enforcement does not, and skips the work).
    public static func evaluate(_ policies: [CompiledPolicy], _ request: AuthorizationRequest, details: Bool = false) -> PolicyDecision {
        let prepared = PreparedRequest(request)
        var action = request.action
        var denies: [MatchedStatement] = []
        var allows: [MatchedStatement] = []
        var missing: Set<String> = []
        action.withUTF8 { actionBytes in
            for policy in policies {
                for st in policy.candidates(service: prepared.service) {
                    guard st.matchesAction(actionBytes), st.matchesResource(prepared),
                          st.matchesPrincipal(request.principal) else { continue }
                    if details {
                        for c in st.conditions {
                            for k in c.referencedKeys where request.context.values(k) == nil { missing.insert(k) }
                        }
                    }
                    guard st.conditionsHold(request.context) else { continue }
                    let m = MatchedStatement(policyId: policy.id, sourceType: policy.sourceType, sid: st.statement.sid,
                                             effect: st.statement.effect, index: st.index,
                                             start: st.statement.start, end: st.statement.end)
                    if st.isDeny { denies.append(m) } else { allows.append(m) }
                }
            }
        }
        let keys = missing.sorted()
        if !denies.isEmpty { return PolicyDecision(outcome: .explicitDeny, matchedStatements: denies, missingContextKeys: keys) }
        if !allows.isEmpty { return PolicyDecision(outcome: .allowed, matchedStatements: allows, missingContextKeys: keys) }
        return PolicyDecision(outcome: .implicitDeny, matchedStatements: [], missingContextKeys: keys)
    }

    /// True when any policy allows and none denies; the fast path for enforcement (stops at the first Deny).
    public static func isAllowed(_ policies: [CompiledPolicy], _ request: AuthorizationRequest) -> Bool {
        let prepared = PreparedRequest(request)
        var action = request.action
        return action.withUTF8 { actionBytes in
            var allowed = false
            for policy in policies {
                for st in policy.candidates(service: prepared.service) {
                    if allowed && !st.isDeny { continue }
                    guard st.matchesAction(actionBytes), st.matchesResource(prepared),
                          st.matchesPrincipal(request.principal), st.conditionsHold(request.context) else { continue }
                    if st.isDeny { return false }
                    allowed = true
                }
            }
            return allowed
        }
    }
}
