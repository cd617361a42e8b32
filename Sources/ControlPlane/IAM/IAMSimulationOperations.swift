import AWSWire
import CloudModel
import IAMPolicy

extension IAMService {
    static let simulationOperations: [String: Operation] = [
        "SimulatePrincipalPolicy": { try $0.simulatePrincipalPolicy($1, $2) },
        "SimulateCustomPolicy": { try $0.simulateCustomPolicy($1, $2) },
    ]

    func simulatePrincipalPolicy(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        guard let source = p["PolicySourceArn"] else { throw IAMErrors.missing("policySourceArn") }
        let s = store.snapshot()
        let identity = IdentityPolicies(cache: policies)
        var set: [CompiledPolicy]
        if let u = s.iamUsers.values.first(where: { $0.arn == source }) {
            set = identity.forUser(u, in: s)
        } else if let r = s.iamRoles.values.first(where: { $0.arn == source }) {
            set = identity.forRole(r, in: s)
        } else if let g = s.iamGroups.values.first(where: { $0.arn == source }) {
            set = identity.forGroup(g, in: s)
        } else {
            throw IAMErrors.noSuchPrincipal(source)
        }
        set += try inputPolicies(p, required: false)
        return try simulate("SimulatePrincipalPolicy", set, p, ctx)
    }

    func simulateCustomPolicy(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        try simulate("SimulateCustomPolicy", try inputPolicies(p, required: true), p, ctx)
    }

    /// `PolicyInputList.member.N`, named `PolicyInputList.N` in matched statements as IAM names them.
    func inputPolicies(_ p: QueryParameters, required: Bool) throws -> [CompiledPolicy] {
        let docs = p.list("PolicyInputList.member")
        if required && docs.isEmpty { throw IAMErrors.missing("policyInputList") }
        var out: [CompiledPolicy] = []
        for (i, text) in docs.enumerated() {
            do { out.append(try policies.compiled(text, id: "PolicyInputList.\(i + 1)", sourceType: "none")) } catch {
                throw IAMErrors.malformed(error.message)
            }
        }
        return out
    }

    /// `ContextEntries.member.N.{ContextKeyName, ContextKeyType, ContextKeyValues.member.M}`.
    func simulationContext(_ p: QueryParameters) throws -> ConditionContext {
        var ctx = ConditionContext()
        for e in p.structures("ContextEntries.member") {
            guard let name = e["ContextKeyName"] else { continue }
            let values = e.list("ContextKeyValues.member")
            let type = e["ContextKeyType"] ?? "string"
            let known = ["string", "numeric", "boolean", "ip", "binary", "date"]
            if type.hasSuffix("List"), known.contains(String(type.dropLast(4))) {
                ctx.set(name, values: values)
            } else if known.contains(type) {
                guard values.count <= 1 else {
                    throw IAMErrors.invalidInput("Context key \(name) of type \(type) can only have one value.")  // (unconfirmed)
                }
                if let v = values.first { ctx.set(name, v) }
            } else {
                throw IAMErrors.validation(type, "contextEntries.member.contextKeyType",
                    "Member must satisfy enum value set: [string, stringList, numeric, numericList, boolean, booleanList, ip, ipList, binary, binaryList, date, dateList]")
            }
        }
        return ctx
    }

    func simulate(_ action: String, _ set: [CompiledPolicy], _ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let actions = p.list("ActionNames.member")
        guard !actions.isEmpty else { throw IAMErrors.missing("actionNames") }
        let resources = p.list("ResourceArns.member")
        let context = try simulationContext(p)
        var results: [(String, String, PolicyDecision)] = []
        for a in actions {
            for r in resources.isEmpty ? ["*"] : resources {
                let d = PolicyEvaluator.evaluate(set, AuthorizationRequest(action: a, resource: r, context: context), details: true)
                results.append((a, r, d))
            }
        }
        let (pageResults, marker) = try page(results, p)
        return IAMXML.response(action, requestID: ctx.requestID) { w in
            IAMXML.members(&w, "EvaluationResults", pageResults) { w, res in
                let (a, r, d) = res
                w.element("EvalActionName", a)
                w.element("EvalResourceName", r)
                w.element("EvalDecision", d.outcome.rawValue)
                IAMXML.members(&w, "MatchedStatements", d.matchedStatements) { w, m in
                    w.element("SourcePolicyId", m.policyId)
                    w.element("SourcePolicyType", m.sourceType)
                    w.element("StartPosition") { w in w.element("Line", m.start.line); w.element("Column", m.start.column) }
                    w.element("EndPosition") { w in w.element("Line", m.end.line); w.element("Column", m.end.column) }
                }
                IAMXML.members(&w, "MissingContextValues", d.missingContextKeys) { $0.appendEscaped($1) }
            }
            Self.truncation(&w, marker)
        }
    }
}
