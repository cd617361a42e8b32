import AWSWire
import CloudModel
import Foundation
import IAMPolicy

extension IAMService {
    static let managedPolicyOperations: [String: Operation] = [
        "CreatePolicy": { try $0.createPolicy($1, $2) },
        "GetPolicy": { try $0.getPolicy($1, $2) },
        "DeletePolicy": { try $0.deletePolicy($1, $2) },
        "ListPolicies": { try $0.listPolicies($1, $2) },
        "CreatePolicyVersion": { try $0.createPolicyVersion($1, $2) },
        "GetPolicyVersion": { try $0.getPolicyVersion($1, $2) },
        "ListPolicyVersions": { try $0.listPolicyVersions($1, $2) },
        "DeletePolicyVersion": { try $0.deletePolicyVersion($1, $2) },
        "SetDefaultPolicyVersion": { try $0.setDefaultPolicyVersion($1, $2) },
        "ListEntitiesForPolicy": { try $0.listEntitiesForPolicy($1, $2) },
    ]

    func listEntitiesForPolicy(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let arn = try policyArn(p)
        let filter = p["EntityFilter"]
        if let f = filter, !["User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"].contains(f) {
            throw IAMErrors.validation(f, "entityFilter",
                                       "Member must satisfy enum value set: [User, Role, Group, LocalManagedPolicy, AWSManagedPolicy]")
        }
        let prefix = try path(p, "PathPrefix")
        let s = store.snapshot()
        guard s.managedPolicy(arn) != nil else { throw IAMErrors.policyNotFound(arn) }
        func wanted(_ kind: String) -> Bool { filter == nil || filter == kind }
        let users = wanted("User") ? s.iamUsers.values.filter { $0.attachedPolicyArns.contains(arn) && $0.path.hasPrefix(prefix) }.sorted { $0.id < $1.id } : []
        let roles = wanted("Role") ? s.iamRoles.values.filter { $0.attachedPolicyArns.contains(arn) && $0.path.hasPrefix(prefix) }.sorted { $0.id < $1.id } : []
        let groups = wanted("Group") ? s.iamGroups.values.filter { $0.attachedPolicyArns.contains(arn) && $0.path.hasPrefix(prefix) }.sorted { $0.id < $1.id } : []
        return IAMXML.response("ListEntitiesForPolicy", requestID: ctx.requestID) { w in
            IAMXML.members(&w, "PolicyGroups", groups) { w, g in w.element("GroupName", g.name); w.element("GroupId", g.groupId) }
            IAMXML.members(&w, "PolicyUsers", users) { w, u in w.element("UserName", u.name); w.element("UserId", u.userId) }
            IAMXML.members(&w, "PolicyRoles", roles) { w, r in w.element("RoleName", r.name); w.element("RoleId", r.roleId) }
            w.element("IsTruncated", false)
        }
    }

    func policyArn(_ p: QueryParameters) throws -> String {
        guard let arn = p["PolicyArn"] else { throw IAMErrors.missing("policyArn") }
        if arn.count < 20 { throw IAMErrors.validation(arn, "policyArn", "Member must have length greater than or equal to 20") }
        return arn
    }

    /// A customer managed policy for a change; AWS managed policies cannot be changed.
    func customerPolicy(_ arn: String, _ tx: Transaction) throws -> IAMManagedPolicy {
        if let p = tx.get(IAMManagedPolicy.self, arn) { return p }
        if AWSManagedPolicies.byArn[arn] != nil { throw IAMErrors.awsManagedPolicyImmutable(arn) }
        throw IAMErrors.policyNotFound(arn)
    }

    func createPolicy(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let name = try name(p, "PolicyName", max: 128)
        let path = try path(p)
        let doc = try document(p, "PolicyDocument", kind: .identity)
        guard Self.policySize(doc) <= 6144 else { throw IAMErrors.managedPolicyTooLarge }
        let description = try description(p)
        let tags = try tags(p)
        let arn = arn("policy", path, name)
        let created = try store.write { tx -> IAMManagedPolicy in
            guard !tx.all(IAMManagedPolicy.self).contains(where: { IAMName.key($0.name) == IAMName.key(name) }) else {
                throw IAMErrors.policyExists(name)
            }
            let pol = IAMManagedPolicy(name: name, policyId: IAMID.make("ANPA"), path: path, arn: arn, description: description,
                                       defaultVersionId: "v1", versions: [IAMPolicyVersion(versionId: "v1", document: doc, createdAt: tx.now)],
                                       nextVersionNumber: 2, createdAt: tx.now, updatedAt: tx.now, tags: tags)
            tx.put(pol)
            return pol
        }
        let view = store.snapshot().managedPolicy(created.arn)!
        return IAMXML.response("CreatePolicy", requestID: ctx.requestID) { w in w.element("Policy") { IAMXML.policy(&$0, view) } }
    }

    func getPolicy(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let arn = try policyArn(p)
        guard let view = store.snapshot().managedPolicy(arn) else { throw IAMErrors.policyNotFound(arn) }
        return IAMXML.response("GetPolicy", requestID: ctx.requestID) { w in w.element("Policy") { IAMXML.policy(&$0, view) } }
    }

    func deletePolicy(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let arn = try policyArn(p)
        try store.write { tx in
            let pol = try customerPolicy(arn, tx)
            if tx.state.attachmentCount(arn) > 0 { throw IAMErrors.policyAttached }
            if pol.versions.count > 1 { throw IAMErrors.policyHasVersions }
            tx.delete(IAMManagedPolicy.self, arn)
        }
        return IAMXML.response("DeletePolicy", requestID: ctx.requestID, nil)
    }

    func listPolicies(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let scope = p["Scope"] ?? "All"
        guard ["All", "AWS", "Local"].contains(scope) else {
            throw IAMErrors.validation(scope, "scope", "Member must satisfy enum value set: [All, AWS, Local]")
        }
        let onlyAttached = p["OnlyAttached"]?.lowercased() == "true"
        let prefix = try path(p, "PathPrefix")
        let s = store.snapshot()
        var arns: [String] = []
        if scope != "Local" { arns += AWSManagedPolicies.all.map(\.arn) }
        if scope != "AWS" { arns += s.iamPolicies.keys }
        let all = arns.compactMap { s.managedPolicy($0) }
            .filter { $0.path.hasPrefix(prefix) && (!onlyAttached || $0.attachmentCount > 0) }
            .sorted { ($0.name.lowercased(), $0.arn) < ($1.name.lowercased(), $1.arn) }
        let (policies, marker) = try page(all, p)
        return IAMXML.response("ListPolicies", requestID: ctx.requestID) { w in
            IAMXML.members(&w, "Policies", policies) { IAMXML.policy(&$0, $1, listed: true) }
            Self.truncation(&w, marker)
        }
    }

    func versionId(_ p: QueryParameters) throws -> String {
        guard let v = p["VersionId"] else { throw IAMErrors.missing("versionId") }
        let digits = v.dropFirst()
        guard v.hasPrefix("v"), let first = digits.first, first != "0", digits.allSatisfy(\.isNumber) else {
            throw IAMErrors.validation(v, "versionId", #"Member must satisfy regular expression pattern: v[1-9][0-9]*(\.[A-Za-z0-9-]*)?"#)
        }
        return v
    }

    func createPolicyVersion(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let arn = try policyArn(p)
        let doc = try document(p, "PolicyDocument", kind: .identity)
        guard Self.policySize(doc) <= 6144 else { throw IAMErrors.managedPolicyTooLarge }
        let setDefault = p["SetAsDefault"]?.lowercased() == "true"
        let (version, isDefault) = try store.write { tx -> (IAMPolicyVersion, Bool) in
            var pol = try customerPolicy(arn, tx)
            guard pol.versions.count < 5 else { throw IAMErrors.tooManyVersions }
            let v = IAMPolicyVersion(versionId: "v\(pol.nextVersionNumber)", document: doc, createdAt: tx.now)
            pol.nextVersionNumber += 1
            pol.versions.append(v)
            if setDefault { pol.defaultVersionId = v.versionId }
            pol.updatedAt = tx.now
            tx.put(pol)
            return (v, setDefault)
        }
        return IAMXML.response("CreatePolicyVersion", requestID: ctx.requestID) { w in
            w.element("PolicyVersion") { IAMXML.policyVersion(&$0, version, isDefault: isDefault, withDocument: false) }
        }
    }

    func getPolicyVersion(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let arn = try policyArn(p)
        let vid = try versionId(p)
        guard let view = store.snapshot().managedPolicy(arn),
              let v = view.versions.first(where: { $0.versionId == vid }) else { throw IAMErrors.noSuchPolicyVersion(arn, vid) }
        return IAMXML.response("GetPolicyVersion", requestID: ctx.requestID) { w in
            w.element("PolicyVersion") { IAMXML.policyVersion(&$0, v, isDefault: v.versionId == view.defaultVersionId, withDocument: true) }
        }
    }

    func listPolicyVersions(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let arn = try policyArn(p)
        guard let view = store.snapshot().managedPolicy(arn) else { throw IAMErrors.policyNotFound(arn) }
        let (versions, marker) = try page(view.versions.reversed(), p)
        return IAMXML.response("ListPolicyVersions", requestID: ctx.requestID) { w in
            IAMXML.members(&w, "Versions", versions) {
                IAMXML.policyVersion(&$0, $1, isDefault: $1.versionId == view.defaultVersionId, withDocument: false)
            }
            Self.truncation(&w, marker)
        }
    }

    func deletePolicyVersion(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let arn = try policyArn(p)
        let vid = try versionId(p)
        try store.write { tx in
            var pol = try customerPolicy(arn, tx)
            guard let i = pol.versions.firstIndex(where: { $0.versionId == vid }) else { throw IAMErrors.noSuchPolicyVersion(arn, vid) }
            if pol.defaultVersionId == vid { throw IAMErrors.cannotDeleteDefaultVersion }
            pol.versions.remove(at: i)
            tx.put(pol)
        }
        return IAMXML.response("DeletePolicyVersion", requestID: ctx.requestID, nil)
    }

    func setDefaultPolicyVersion(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let arn = try policyArn(p)
        let vid = try versionId(p)
        try store.write { tx in
            var pol = try customerPolicy(arn, tx)
            guard pol.versions.contains(where: { $0.versionId == vid }) else { throw IAMErrors.noSuchPolicyVersion(arn, vid) }
            pol.defaultVersionId = vid
            pol.updatedAt = tx.now
            tx.put(pol)
        }
        return IAMXML.response("SetDefaultPolicyVersion", requestID: ctx.requestID, nil)
    }
}
