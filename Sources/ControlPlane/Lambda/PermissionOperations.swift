import AWSWire
import CloudModel
import Foundation
import IAMPolicy

extension LambdaService {
    /// AddPermission: one Allow statement in the policy of the function or of the qualifier.
    func addPermission(_ name: String, _ q: LambdaQuery, _ b: JSONBody, _ ctx: RequestContext) throws -> WireResponse {
        let ref = try reference(name, namespaced: true)
        let qual = try qualifier(ref, q)
        let statement = try Self.permissionStatement(b)
        let revision = try b.string("RevisionId")
        let arn = json.functionArn(ref.name, qualifier: qual)
        try store.write { tx in
            _ = try resolve(ref, qualifier: qual, in: tx.state)
            let id = LambdaResourcePolicy.id(ref.name, qual)
            var policy = tx.get(LambdaResourcePolicy.self, id)
                ?? LambdaResourcePolicy(functionName: ref.name, qualifier: qual, statements: [], revisionId: newRevisionId())
            if let revision, revision != policy.revisionId { throw LambdaErrors.policyRevisionMismatch }
            if policy.statements.contains(where: { $0.sid == statement.sid }) { throw LambdaErrors.statementExists(statement.sid) }
            policy.statements.append(statement)
            policy.revisionId = newRevisionId()
            tx.put(policy)
        }
        return respond(201, ctx) { w in
            w.beginObject()
            w.member("Statement", LambdaPolicyDocument.statement(statement, resource: arn))
            w.endObject()
        }
    }

    func getPolicy(_ name: String, _ q: LambdaQuery, _ ctx: RequestContext) throws -> WireResponse {
        let ref = try reference(name, namespaced: true)
        let qual = try qualifier(ref, q)
        let s = store.snapshot()
        _ = try resolve(ref, qualifier: qual, in: s)
        guard let policy = s.lambdaPolicies[LambdaResourcePolicy.id(ref.name, qual)], !policy.statements.isEmpty else {
            throw LambdaErrors.policyNotFound
        }
        return respond(200, ctx) { w in
            w.beginObject()
            w.member("Policy", LambdaPolicyDocument.policy(policy.statements, resource: json.functionArn(ref.name, qualifier: qual)))
            w.member("RevisionId", policy.revisionId)
            w.endObject()
        }
    }

    func removePermission(_ name: String, _ sid: String, _ q: LambdaQuery, _ ctx: RequestContext) throws -> WireResponse {
        let ref = try reference(name, namespaced: true)
        let qual = try qualifier(ref, q)
        try Self.checkStatementId(sid, pattern: "([a-zA-Z0-9-_.]+)", allowsDot: true)
        let revision = q.first("RevisionId")
        try store.write { tx in
            _ = try resolve(ref, qualifier: qual, in: tx.state)
            let id = LambdaResourcePolicy.id(ref.name, qual)
            guard var policy = tx.get(LambdaResourcePolicy.self, id) else { throw LambdaErrors.noPolicy }
            if let revision, revision != policy.revisionId { throw LambdaErrors.policyRevisionMismatch }
            guard let i = policy.statements.firstIndex(where: { $0.sid == sid }) else { throw LambdaErrors.statementNotFound(sid) }
            policy.statements.remove(at: i)
            if policy.statements.isEmpty {
                tx.delete(LambdaResourcePolicy.self, id)
            } else {
                policy.revisionId = newRevisionId()
                tx.put(policy)
            }
        }
        return empty(204, ctx)
    }

    /// The compiled policy of a function or qualifier, for `--enforce-iam` (nil when it has none). `$LATEST` and a
    /// version or alias each have their own policy, as their ARNs differ.
    func resourcePolicy(function: String, qualifier: String?, cache: PolicyCache) -> CompiledPolicy? {
        guard let p = store.snapshot().lambdaPolicies[LambdaResourcePolicy.id(function, qualifier)], !p.statements.isEmpty else {
            return nil
        }
        let text = LambdaPolicyDocument.policy(p.statements, resource: json.functionArn(function, qualifier: qualifier))
        return try? cache.compiled(text, kind: .resource, id: "resource-policy", sourceType: "resource")
    }

    /// AddPermission's body checked as Lambda's model and service check it.
    static func permissionStatement(_ b: JSONBody) throws(AWSError) -> LambdaPermissionStatement {
        let sid = try b.string("StatementId")
        let action = try b.string("Action")
        let principal = try b.string("Principal")
        let sourceArn = try b.string("SourceArn")
        let sourceAccount = try b.string("SourceAccount")
        let org = try b.string("PrincipalOrgID")
        let urlAuth = try b.string("FunctionUrlAuthType")
        let token = try b.string("EventSourceToken")
        var problems: [String] = []
        func pattern(_ v: String?, _ member: String, _ regex: String, required: Bool = false) {
            guard let v else {
                if required { problems.append("Value null at '\(member)' failed to satisfy constraint: Member must not be null") }
                return
            }
            if v.range(of: "^(?:\(regex))$", options: .regularExpression) == nil {
                problems.append("Value '\(v)' at '\(member)' failed to satisfy constraint: Member must satisfy regular expression pattern: \(regex)")
            }
        }
        pattern(sid, "statementId", "([a-zA-Z0-9-_]+)", required: true)
        if let sid, sid.count > 100 {
            problems.append("Value '\(sid)' at 'statementId' failed to satisfy constraint: Member must have length less than or equal to 100")
        }
        pattern(action, "action", "(lambda:[*]|lambda:[a-zA-Z]+|[*])", required: true)
        pattern(principal, "principal", "[^\\s]+", required: true)
        pattern(sourceArn, "sourceArn", "arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\\-])+:([a-z]{2}(-gov)?-[a-z]+-\\d{1})?:(\\d{12})?:(.*)")
        pattern(sourceAccount, "sourceAccount", "\\d{12}")
        pattern(org, "principalOrgID", "o-[a-z0-9]{10,32}")
        pattern(token, "eventSourceToken", "[a-zA-Z0-9._\\-]+")
        if let urlAuth, urlAuth != "NONE", urlAuth != "AWS_IAM" {
            problems.append("Value '\(urlAuth)' at 'functionUrlAuthType' failed to satisfy constraint: Member must satisfy enum value set: [NONE, AWS_IAM]")
        }
        if !problems.isEmpty { throw LambdaErrors.validation(problems) }
        guard let sid, let action, let principal else { throw LambdaErrors.validation(problems) }
        if LambdaPolicyDocument.principalKind(principal) == .invalid { throw LambdaErrors.invalidPrincipal }
        return LambdaPermissionStatement(sid: sid, action: action, principal: principal, sourceArn: sourceArn,
                                         sourceAccount: sourceAccount, principalOrgID: org, functionUrlAuthType: urlAuth,
                                         eventSourceToken: token)
    }

    /// RemovePermission's `{StatementId}` (its pattern also allows dots).
    static func checkStatementId(_ sid: String, pattern: String, allowsDot: Bool) throws(AWSError) {
        let ok = !sid.isEmpty && sid.count <= 100 && sid.utf8.allSatisfy { b in
            (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39) || b == 0x2D || b == 0x5F
                || (allowsDot && b == 0x2E)
        }
        if !ok {
            throw LambdaErrors.validation(["Value '\(sid)' at 'statementId' failed to satisfy constraint: Member must satisfy regular expression pattern: \(pattern)"])
        }
    }
}
