import IAMPolicy
import Testing

/// Identity and resource policy decisions of a principal in the resource's own account.
struct SameAccountDecisionTests {
    @Test func anExplicitDenyInEitherWinsAndAnAllowInEitherSuffices() {
        let table: [(PolicyDecision.Outcome, PolicyDecision.Outcome?, PolicyDecision.Outcome)] = [
            (.allowed, nil, .allowed),
            (.implicitDeny, nil, .implicitDeny),
            (.explicitDeny, nil, .explicitDeny),
            (.implicitDeny, .allowed, .allowed),
            (.allowed, .implicitDeny, .allowed),
            (.implicitDeny, .implicitDeny, .implicitDeny),
            (.explicitDeny, .allowed, .explicitDeny),
            (.allowed, .explicitDeny, .explicitDeny),
            (.allowed, .allowed, .allowed),
        ]
        for (identity, resource, expected) in table {
            #expect(SameAccountDecision.combine(identity: identity, resource: resource) == expected, "\(identity) + \(String(describing: resource))")
        }
    }
}
