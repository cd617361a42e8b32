/// A policy parsed once and compiled into matchers, ready to evaluate many requests; immutable and shareable.
public final class CompiledPolicy: Sendable {
    /// How the caller names this policy in decisions (`SourcePolicyId`: a policy name or ARN).
    public let id: String
    /// What kind of policy this is for the simulator (`IAM Policy`, `AWS Managed Policy`, ...); free text.
    public let sourceType: String
    public let document: PolicyDocument
    let statements: [CompiledStatement]
    /// Statements that can apply to an action of a service (lower-cased prefix), in document order: those naming
    /// the service plus those whose actions cannot be tied to one service (`*`, `NotAction`, wildcards in the prefix).
    let byService: [String: [CompiledStatement]]
    /// The statements for a service no Action names.
    let anyService: [CompiledStatement]

    public init(document: PolicyDocument, id: String, sourceType: String = "IAM Policy", kind: PolicyKind = .identity) {
        self.id = id
        self.sourceType = sourceType
        self.document = document
        let variables = document.version == .v2012_10_17
        let accountCoversMembers = kind != .resource
        statements = document.statements.enumerated().map {
            CompiledStatement($0.element, index: $0.offset, variables: variables, accountCoversMembers: accountCoversMembers)
        }
        var services: [CompiledStatement: Set<String>?] = [:]
        var named: Set<String> = []
        for st in statements {
            let s = st.services
            services[st] = s
            if let s { named.formUnion(s) }
        }
        anyService = statements.filter { services[$0]! == nil }
        var index: [String: [CompiledStatement]] = [:]
        for svc in named {
            index[svc] = statements.filter { st in services[st]!.map { $0.contains(svc) } ?? true }
        }
        byService = index
    }

    /// The statements worth checking for an action of `service` (lower-cased).
    func candidates(service: String) -> [CompiledStatement] { byService[service] ?? anyService }

    /// Parses, validates and compiles in one step.
    public convenience init(json: String, id: String, kind: PolicyKind = .identity, sourceType: String = "IAM Policy") throws(PolicyError) {
        self.init(document: try PolicyDocument.parse(json, kind: kind), id: id, sourceType: sourceType, kind: kind)
    }
}

/// One statement's matchers.
final class CompiledStatement: Sendable, Hashable {
    let statement: PolicyStatement
    let index: Int
    let isDeny: Bool
    let actions: [Glob]
    let actionNegated: Bool
    /// Nil when the statement has no Resource element (trust policies).
    let resources: [ArnPattern]?
    let resourceNegated: Bool
    let conditions: [CompiledCondition]
    /// Nil when the statement names no principal (identity policies); else whether it is NotPrincipal.
    let principalNegated: Bool?
    /// The services (lower-cased prefixes) this statement's actions can name; nil when it cannot be told.
    let services: Set<String>?
    /// Whether an account principal (`123456789012`, `arn:aws:iam::123456789012:root`) matches every principal of
    /// the account (trust policies, as evaluated here) or the account itself only (resource-based policies: for a
    /// user of the same account such a statement delegates to the user's identity policies and grants nothing).
    let accountCoversMembers: Bool

    init(_ s: PolicyStatement, index: Int, variables: Bool, accountCoversMembers: Bool = true) {
        statement = s
        self.accountCoversMembers = accountCoversMembers
        self.index = index
        isDeny = s.effect == .deny
        actions = s.action.values.map { Glob($0, caseInsensitive: true) }
        actionNegated = s.action.negated
        resources = s.resource.map { $0.values.map { ArnPattern($0, variables: variables, requireArn: false) } }
        resourceNegated = s.resource?.negated ?? false
        conditions = s.conditions.map { CompiledCondition($0, variables: variables) }
        principalNegated = s.principal?.negated
        var svcs: Set<String>? = []
        if s.action.negated { svcs = nil }
        for a in s.action.values {
            guard let colon = a.firstIndex(of: ":") else { svcs = nil; break }
            let prefix = a[..<colon]
            if prefix.contains("*") || prefix.contains("?") { svcs = nil; break }
            svcs?.insert(prefix.lowercased())
        }
        services = svcs
    }

    static func == (a: CompiledStatement, b: CompiledStatement) -> Bool { a === b }
    func hash(into h: inout Hasher) { h.combine(ObjectIdentifier(self)) }

    func matchesAction(_ action: UnsafeBufferPointer<UInt8>) -> Bool {
        var hit = false
        for g in actions where g.matches(bytes: action) { hit = true; break }
        return hit != actionNegated
    }

    func matchesResource(_ r: PreparedRequest) -> Bool {
        var resource = LazyArnParts(r.request.resource, parts: r.arn)
        return matchesResource(&resource, r.request.context)
    }

    /// The resource (its ARN parts split at most once per request) against the Resource/NotResource element.
    func matchesResource(_ resource: inout LazyArnParts, _ context: ConditionContext) -> Bool {
        guard let resources else { return true }
        var hit = false
        for p in resources where p.matches(&resource, context) { hit = true; break }
        return hit != resourceNegated
    }

    func matchesPrincipal(_ p: PrincipalIdentity?) -> Bool {
        guard let negated = principalNegated else { return true }
        guard let p else { return false }
        let hit = statement.principals.contains { e in
            if e.type == "AWS" && e.identifier == "*" { return true }
            guard e.type == p.type else { return false }
            if e.identifier == p.identifier || e.identifier == "*" { return true }
            if e.type == "AWS" && !accountCoversMembers {
                // The account id and its root ARN name the same principal.
                return e.identifier.count == 12 && p.identifier == "arn:aws:iam::\(e.identifier):root"
            }
            if e.type == "AWS" && accountCoversMembers {
                // An account id or its root ARN stands for every principal of the account.
                let account = e.identifier.count == 12 ? e.identifier : (e.identifier.hasSuffix(":root") ?
                    String(e.identifier.split(separator: ":", omittingEmptySubsequences: false).dropFirst(4).first ?? "") : "")
                return !account.isEmpty && p.identifier.split(separator: ":", omittingEmptySubsequences: false).dropFirst(4).first.map(String.init) == account
            }
            return false
        }
        return hit != negated
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
    /// The action's service prefix, lower-cased, to pick candidate statements.
    let service: String
    init(_ r: AuthorizationRequest) {
        self.init(r, service: Self.service(of: r.action))
    }

    /// With the service already known (or not needed).
    init(_ r: AuthorizationRequest, service: String) {
        request = r
        arn = ArnParts(r.resource)
        self.service = service
    }

    static func service(of action: String) -> String {
        action.firstIndex(of: ":").map { action[..<$0].lowercased() } ?? ""
    }
}
