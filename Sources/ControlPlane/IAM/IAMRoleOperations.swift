import AWSWire
import CloudModel
import Foundation

extension IAMService {
    static let roleOperations: [String: Operation] = [
        "CreateRole": { try $0.createRole($1, $2) },
        "GetRole": { try $0.getRole($1, $2) },
        "ListRoles": { try $0.listRoles($1, $2) },
        "DeleteRole": { try $0.deleteRole($1, $2) },
        "UpdateAssumeRolePolicy": { try $0.updateAssumeRolePolicy($1, $2) },
        "UpdateRole": { try $0.updateRole($1, $2) },
        "UpdateRoleDescription": { try $0.updateRoleDescription($1, $2) },
    ]

    /// A role's `Description`: IAM's description rule plus the role's character set (tab, newlines, Latin-1).
    func roleDescription(_ p: QueryParameters) throws -> String? {
        let d = try description(p)
        let ok = d?.unicodeScalars.allSatisfy { c in
            c == "\t" || c == "\n" || c == "\r" || (0x20...0x7E).contains(c.value) || (0xA1...0xFF).contains(c.value)
        } ?? true
        guard ok else {
            throw IAMErrors.validation(d!, "description", #"Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*"#)
        }
        return d
    }

    func maxSessionDuration(_ p: QueryParameters) throws -> Int {
        guard let text = p["MaxSessionDuration"] else { return 3600 }
        guard let n = Int(text) else { throw IAMErrors.validation(text, "maxSessionDuration", "Member must be an integer") }
        if n < 3600 { throw IAMErrors.validation(text, "maxSessionDuration", "Member must have value greater than or equal to 3600") }
        if n > 43200 { throw IAMErrors.validation(text, "maxSessionDuration", "Member must have value less than or equal to 43200") }
        return n
    }

    func createRole(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let name = try name(p, "RoleName")
        let path = try path(p)
        let trust = try document(p, "AssumeRolePolicyDocument", kind: .trust)
        guard Self.policySize(trust) <= 2048 else { throw IAMErrors.trustPolicyTooLarge }
        let description = try roleDescription(p)
        let duration = try maxSessionDuration(p)
        let tags = try tags(p)
        let role = try store.write { tx -> IAMRole in
            guard tx.get(IAMRole.self, IAMName.key(name)) == nil else { throw IAMErrors.roleExists(name) }
            let r = IAMRole(name: name, roleId: IAMID.make("AROA"), path: path, arn: arn("role", path, name),
                            assumeRolePolicyDocument: trust, description: description, maxSessionDuration: duration,
                            createdAt: tx.now, tags: tags)
            tx.put(r)
            return r
        }
        return IAMXML.response("CreateRole", requestID: ctx.requestID) { w in w.element("Role") { IAMXML.role(&$0, role) } }
    }

    func getRole(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let name = try name(p, "RoleName")
        guard let role = store.snapshot().iamRoles[IAMName.key(name)] else { throw IAMErrors.noSuchRole(name) }
        return IAMXML.response("GetRole", requestID: ctx.requestID) { w in w.element("Role") { IAMXML.role(&$0, role) } }
    }

    func listRoles(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let prefix = try path(p, "PathPrefix")
        let all = store.snapshot().iamRoles.values.filter { $0.path.hasPrefix(prefix) }.sorted { $0.id < $1.id }
        let (roles, marker) = try page(all, p)
        return IAMXML.response("ListRoles", requestID: ctx.requestID) { w in
            IAMXML.members(&w, "Roles", roles) { IAMXML.role(&$0, $1, listed: true) }
            Self.truncation(&w, marker)
        }
    }

    func deleteRole(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let name = try name(p, "RoleName")
        try store.write { tx in
            guard let r = tx.get(IAMRole.self, IAMName.key(name)) else { throw IAMErrors.noSuchRole(name) }
            if !r.inlinePolicies.isEmpty { throw IAMErrors.mustDeletePolicies }
            if !r.attachedPolicyArns.isEmpty { throw IAMErrors.mustDetachPolicies }
            if tx.all(IAMInstanceProfile.self).contains(where: { $0.holds(role: name) }) {
                throw IAMErrors.mustRemoveRolesFromInstanceProfile
            }
            tx.delete(IAMRole.self, r.id)
        }
        return IAMXML.response("DeleteRole", requestID: ctx.requestID, nil)
    }

    func updateAssumeRolePolicy(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let name = try name(p, "RoleName")
        let trust = try document(p, "PolicyDocument", kind: .trust)
        guard Self.policySize(trust) <= 2048 else { throw IAMErrors.trustPolicyTooLarge }
        try store.write { tx in
            guard tx.update(IAMRole.self, IAMName.key(name), { $0.assumeRolePolicyDocument = trust }) else {
                throw IAMErrors.noSuchRole(name)
            }
        }
        return IAMXML.response("UpdateAssumeRolePolicy", requestID: ctx.requestID, nil)
    }

    /// UpdateRole: only what the request names changes; an empty Description removes it.
    func updateRole(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let name = try name(p, "RoleName")
        let description = try roleDescription(p)
        let setsDescription = p["Description"] != nil
        let duration: Int? = try p["MaxSessionDuration"].map { _ in try maxSessionDuration(p) }
        try store.write { tx in
            let found = tx.update(IAMRole.self, IAMName.key(name)) { r in
                if setsDescription { r.description = description }
                if let duration { r.maxSessionDuration = duration }
            }
            guard found else { throw IAMErrors.noSuchRole(name) }
        }
        return IAMXML.response("UpdateRole", requestID: ctx.requestID) { _ in }
    }

    func updateRoleDescription(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let name = try name(p, "RoleName")
        guard p["Description"] != nil else { throw IAMErrors.missing("description") }
        let description = try roleDescription(p)
        let role = try store.write { tx -> IAMRole in
            guard tx.update(IAMRole.self, IAMName.key(name), { $0.description = description }),
                  let r = tx.get(IAMRole.self, IAMName.key(name)) else { throw IAMErrors.noSuchRole(name) }
            return r
        }
        return IAMXML.response("UpdateRoleDescription", requestID: ctx.requestID) { w in
            w.element("Role") { IAMXML.role(&$0, role) }
        }
    }
}
