/// A policy parsed once and compiled into matchers, ready to evaluate many requests; immutable and shareable.
public final class CompiledPolicy: Sendable {
    /// How the caller names this policy in decisions (`SourcePolicyId`: a policy name or ARN).
    public let id: String
    /// What kind of policy this is for the simulator (`IAM Policy`, `AWS Managed Policy`, ...); free text.
    public let sourceType: String
    public let document: PolicyDocument
    let statements: [CompiledStatement]

    public init(document: PolicyDocument, id: String, sourceType: String = "IAM Policy") {
        self.id = id
        self.sourceType = sourceType
        self.document = document
        let variables = document.version == .v2012_10_17
        statements = document.statements.enumerated().map { CompiledStatement($0.element, index: $0.offset, variables: variables) }
    }

    /// Parses, validates and compiles in one step.
    public convenience init(json: String, id: String, kind: PolicyKind = .identity, sourceType: String = "IAM Policy") throws(PolicyError) {
        self.init(document: try PolicyDocument.parse(json, kind: kind), id: id, sourceType: sourceType)
    }
}

/// One statement's matchers.
struct CompiledStatement: Sendable {
    let statement: PolicyStatement
    let index: Int
    let actions: [Glob]
    let resources: [ArnPattern]
    let conditions: [CompiledCondition]

    init(_ s: PolicyStatement, index: Int, variables: Bool) {
        statement = s
        self.index = index
        actions = s.action.values.map { Glob($0, caseInsensitive: true) }
        resources = (s.resource?.values ?? []).map { ArnPattern($0, variables: variables, requireArn: false) }
        conditions = s.conditions.map { CompiledCondition($0, variables: variables) }
    }

    func matchesAction(_ action: UnsafeBufferPointer<UInt8>) -> Bool {
        var hit = false
        for g in actions where g.matches(bytes: action) { hit = true; break }
        return hit != statement.action.negated
    }

    func matchesResource(_ r: PreparedRequest) -> Bool {
        guard let list = statement.resource else { return true }
        var hit = false
        for p in resources where p.matches(r.request.resource, r.arn, r.request.context) { hit = true; break }
        return hit != list.negated
    }

    func matchesPrincipal(_ p: PrincipalIdentity?) -> Bool {
        guard let list = statement.principal else { return true }
        guard let p else { return false }
        let hit = statement.principals.contains { e in
            if e.type == "AWS" && e.identifier == "*" { return true }
            guard e.type == p.type else { return false }
            if e.identifier == p.identifier || e.identifier == "*" { return true }
            if e.type == "AWS" {
                // An account id or its root ARN stands for every principal of the account.
                let account = e.identifier.count == 12 ? e.identifier : (e.identifier.hasSuffix(":root") ?
                    String(e.identifier.split(separator: ":", omittingEmptySubsequences: false).dropFirst(4).first ?? "") : "")
                return !account.isEmpty && p.identifier.split(separator: ":", omittingEmptySubsequences: false).dropFirst(4).first.map(String.init) == account
            }
            return false
        }
        return hit != list.negated
    }

    func conditionsHold(_ ctx: ConditionContext) -> Bool {
        for c in conditions where !c.evaluate(ctx) { return false }
        return true
    }
}

/// A request with what every statement needs precomputed once.
struct PreparedRequest {
    let request: AuthorizationRequest
    let arn: ArnParts?
    init(_ r: AuthorizationRequest) {
        request = r
        arn = ArnParts(r.resource)
    }
}
