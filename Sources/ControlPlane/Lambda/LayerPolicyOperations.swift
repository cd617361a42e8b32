import AWSWire
import CloudModel
import Foundation

/// A layer version's resource policy: AddLayerVersionPermission, GetLayerVersionPolicy, RemoveLayerVersionPermission.
/// Stored and returned as Lambda writes it; layers are only ever used from this account here, so nothing else reads it.
extension LambdaService {
    func addLayerVersionPermission(_ layer: String, _ version: String, _ q: LambdaQuery, _ b: JSONBody,
                                   _ ctx: RequestContext) throws -> WireResponse {
        var problems: [String] = []
        let sid = try b.string("StatementId")
        if let sid, sid.isEmpty || sid.count > 100 || !Self.isLayerNameText(Substring(sid)) {
            problems.append("Value '\(sid)' at 'statementId' failed to satisfy constraint: Member must satisfy regular expression pattern: ([a-zA-Z0-9-_]+)")
        }
        let action = try b.string("Action")
        if let action, action != "lambda:GetLayerVersion" {
            problems.append("Value '\(action)' at 'action' failed to satisfy constraint: Member must satisfy regular expression pattern: lambda:GetLayerVersion")
        }
        let principal = try b.string("Principal")
        if let principal, !Self.isLayerPrincipal(principal) {
            problems.append("Value '\(principal)' at 'principal' failed to satisfy constraint: Member must satisfy regular expression pattern: \\d{12}|\\*|arn:(aws[a-zA-Z-]*):iam::\\d{12}:root")
        }
        let org = try b.string("OrganizationId")
        if let org, !(org.hasPrefix("o-") && (12...34).contains(org.count)
                       && org.dropFirst(2).allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber) }) {
            problems.append("Value '\(org)' at 'organizationId' failed to satisfy constraint: Member must satisfy regular expression pattern: o-[a-z0-9]{10,32}")
        }
        for (value, member) in [(sid, "statementId"), (action, "action"), (principal, "principal")] where value == nil {
            problems.append("Value null at '\(member)' failed to satisfy constraint: Member must not be null")
        }
        if !problems.isEmpty { throw LambdaErrors.validation(problems) }
        guard let sid, let principal else { throw LambdaErrors.layerNotFound }
        let id = try layerVersionId(layer, version)
        let statement = LayerPolicyStatement(sid: sid, principal: principal, organizationId: org)
        let (text, revision) = try store.write { tx -> (String, String) in
            guard var v = tx.get(LambdaLayerVersion.self, id) else { throw LambdaErrors.layerNotFound }
            if let given = q.first("RevisionId"), given != v.policyRevisionId { throw LambdaErrors.policyRevisionMismatch }
            if v.policy?.contains(where: { $0.sid == sid }) == true { throw LambdaErrors.statementExists(sid) }
            v.policy = (v.policy ?? []) + [statement]
            v.policyRevisionId = newRevisionId()
            tx.put(v)
            return (layerStatementJSON(statement, v), v.policyRevisionId!)
        }
        return respond(201, ctx) { w in
            w.beginObject(); w.member("Statement", text); w.member("RevisionId", revision); w.endObject()
        }
    }

    func getLayerVersionPolicy(_ layer: String, _ version: String, _ ctx: RequestContext) throws -> WireResponse {
        let id = try layerVersionId(layer, version)
        guard let v = store.snapshot().lambdaLayerVersions[id] else { throw LambdaErrors.layerNotFound }
        guard let statements = v.policy, !statements.isEmpty else { throw LambdaErrors.noPolicy }
        var doc = JSONWriter()
        doc.beginObject()
        doc.member("Version", "2012-10-17")
        doc.member("Id", "default")
        doc.key("Statement"); doc.beginArray()
        for s in statements { doc.raw(Array(layerStatementJSON(s, v).utf8)) }
        doc.endArray()
        doc.endObject()
        let policy = String(decoding: doc.bytes, as: UTF8.self)
        return respond(200, ctx) { w in
            w.beginObject(); w.member("Policy", policy); w.member("RevisionId", v.policyRevisionId); w.endObject()
        }
    }

    func removeLayerVersionPermission(_ layer: String, _ version: String, _ sid: String, _ q: LambdaQuery,
                                      _ ctx: RequestContext) throws -> WireResponse {
        let id = try layerVersionId(layer, version)
        try store.write { tx in
            guard var v = tx.get(LambdaLayerVersion.self, id) else { throw LambdaErrors.layerNotFound }
            if let given = q.first("RevisionId"), given != v.policyRevisionId { throw LambdaErrors.policyRevisionMismatch }
            guard let i = v.policy?.firstIndex(where: { $0.sid == sid }) else { throw LambdaErrors.statementNotFound(sid) }
            v.policy?.remove(at: i)
            if v.policy?.isEmpty == true { v.policy = nil }
            v.policyRevisionId = newRevisionId()
            tx.put(v)
        }
        return empty(204, ctx)
    }

    /// The record id of `{LayerName}` + `{VersionNumber}`; another account's or region's layer is not found.
    private func layerVersionId(_ layer: String, _ version: String) throws(AWSError) -> String {
        guard let l = parseLayerName(layer) else {
            throw LambdaErrors.validation(["Value '\(layer)' at 'layerName' failed to satisfy constraint: Member must satisfy regular expression pattern: \(Self.layerNamePattern)"])
        }
        guard let n = Int(version) else {
            throw LambdaErrors.unparsableBody("Cannot deserialize value of type `long` from String \"\(version)\"")
        }
        guard l.region == region, l.account == accountId else { throw LambdaErrors.layerNotFound }
        return LambdaLayerVersion.id(l.name, n)
    }

    private static func isLayerPrincipal(_ p: String) -> Bool {
        if p == "*" { return true }
        if p.count == 12 && isDigits(Substring(p), count: 12) { return true }
        let parts = p.split(separator: ":", omittingEmptySubsequences: false)
        return parts.count == 6 && parts[0] == "arn" && parts[1].hasPrefix("aws") && parts[2] == "iam" && parts[3].isEmpty
            && isDigits(parts[4], count: 12) && parts[5] == "root"
    }

    /// A statement as Lambda writes it: an account principal as its root ARN, `*` as is.
    private func layerStatementJSON(_ s: LayerPolicyStatement, _ v: LambdaLayerVersion) -> String {
        var w = JSONWriter()
        w.beginObject()
        w.member("Sid", s.sid)
        w.member("Effect", "Allow")
        if s.principal == "*" {
            w.member("Principal", "*")
        } else {
            let arn = s.principal.count == 12 ? "arn:aws:iam::\(s.principal):root" : s.principal
            w.object("Principal") { $0.member("AWS", arn) }
        }
        w.member("Action", "lambda:GetLayerVersion")
        w.member("Resource", layerVersionArn(v.layerName, v.version))
        if let org = s.organizationId {
            w.object("Condition") { $0.object("StringEquals") { $0.member("aws:PrincipalOrgID", org) } }
        }
        w.endObject()
        return String(decoding: w.bytes, as: UTF8.self)
    }
}
