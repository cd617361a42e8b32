import AWSWire
import CloudModel
import IAMPolicy

extension IAMService {
    static let inlinePolicyOperations: [String: Operation] = [
        "PutUserPolicy": { try $0.putInline(.user, "PutUserPolicy", $1, $2) },
        "GetUserPolicy": { try $0.getInline(.user, "GetUserPolicy", $1, $2) },
        "ListUserPolicies": { try $0.listInline(.user, "ListUserPolicies", $1, $2) },
        "DeleteUserPolicy": { try $0.deleteInline(.user, "DeleteUserPolicy", $1, $2) },
        "PutRolePolicy": { try $0.putInline(.role, "PutRolePolicy", $1, $2) },
        "GetRolePolicy": { try $0.getInline(.role, "GetRolePolicy", $1, $2) },
        "ListRolePolicies": { try $0.listInline(.role, "ListRolePolicies", $1, $2) },
        "DeleteRolePolicy": { try $0.deleteInline(.role, "DeleteRolePolicy", $1, $2) },
        "PutGroupPolicy": { try $0.putInline(.group, "PutGroupPolicy", $1, $2) },
        "GetGroupPolicy": { try $0.getInline(.group, "GetGroupPolicy", $1, $2) },
        "ListGroupPolicies": { try $0.listInline(.group, "ListGroupPolicies", $1, $2) },
        "DeleteGroupPolicy": { try $0.deleteInline(.group, "DeleteGroupPolicy", $1, $2) },
    ]

    func putInline<R>(_ k: PolicyHolderKind<R>, _ action: String, _ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let holder = try name(p, k.param, max: k.nameMax)
        let policyName = try name(p, "PolicyName", max: 128)
        let doc = try document(p, "PolicyDocument", kind: .identity)
        try store.write { tx in
            guard var r = tx.get(R.self, IAMName.key(holder)) else { throw k.notFound(holder) }
            let entry = IAMInlinePolicy(name: policyName, document: doc)
            if let i = r.inlinePolicies.firstIndex(where: { $0.name == policyName }) {
                r.inlinePolicies[i] = entry
            } else {
                r.inlinePolicies.append(entry)
            }
            let size = r.inlinePolicies.reduce(0) { $0 + $1.document.filter { !$0.isWhitespace }.utf8.count }
            guard size <= k.inlineQuota else {
                throw IAMErrors.limitExceeded("Maximum policy size of \(k.inlineQuota) bytes exceeded for \(k.kind) \(holder)")
            }
            tx.put(r)
        }
        return IAMXML.response(action, requestID: ctx.requestID, nil)
    }

    func getInline<R>(_ k: PolicyHolderKind<R>, _ action: String, _ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let holder = try name(p, k.param, max: k.nameMax)
        let policyName = try name(p, "PolicyName", max: 128)
        guard let r = store.snapshot()[keyPath: R.table][IAMName.key(holder)] else { throw k.notFound(holder) }
        guard let pol = r.inlinePolicies.first(where: { $0.name == policyName }) else {
            throw IAMErrors.noSuchInlinePolicy(k.kind, policyName)
        }
        return IAMXML.response(action, requestID: ctx.requestID) { w in
            w.element(k.param, holder)
            w.element("PolicyName", pol.name)
            w.element("PolicyDocument", IAMXML.encodeDocument(pol.document))
        }
    }

    func listInline<R>(_ k: PolicyHolderKind<R>, _ action: String, _ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let holder = try name(p, k.param, max: k.nameMax)
        guard let r = store.snapshot()[keyPath: R.table][IAMName.key(holder)] else { throw k.notFound(holder) }
        let (names, marker) = try page(r.inlinePolicies.map(\.name).sorted(), p)
        return IAMXML.response(action, requestID: ctx.requestID) { w in
            IAMXML.members(&w, "PolicyNames", names) { $0.appendEscaped($1) }
            Self.truncation(&w, marker)
        }
    }

    func deleteInline<R>(_ k: PolicyHolderKind<R>, _ action: String, _ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let holder = try name(p, k.param, max: k.nameMax)
        let policyName = try name(p, "PolicyName", max: 128)
        try store.write { tx in
            guard var r = tx.get(R.self, IAMName.key(holder)) else { throw k.notFound(holder) }
            guard let i = r.inlinePolicies.firstIndex(where: { $0.name == policyName }) else {
                throw IAMErrors.noSuchInlinePolicy(k.kind, policyName)
            }
            r.inlinePolicies.remove(at: i)
            tx.put(r)
        }
        return IAMXML.response(action, requestID: ctx.requestID, nil)
    }
}
