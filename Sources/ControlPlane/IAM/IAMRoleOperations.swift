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
    ]

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
        let description = p["Description"]
        if let d = description, d.count > 1000 {
            throw IAMErrors.validation(d, "description", "Member must have length less than or equal to 1000")
        }
        let duration = try maxSessionDuration(p)
        let tags = tags(p)
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
            IAMXML.members(&w, "Roles", roles) { IAMXML.role(&$0, $1) }
            Self.truncation(&w, marker)
        }
    }

    func deleteRole(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let name = try name(p, "RoleName")
        try store.write { tx in
            guard let r = tx.get(IAMRole.self, IAMName.key(name)) else { throw IAMErrors.noSuchRole(name) }
            if !r.inlinePolicies.isEmpty { throw IAMErrors.mustDeletePolicies }
            if !r.attachedPolicyArns.isEmpty { throw IAMErrors.mustDetachPolicies }
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
}
