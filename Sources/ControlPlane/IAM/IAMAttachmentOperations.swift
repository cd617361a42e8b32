import AWSWire
import CloudModel

extension IAMService {
    static let attachmentOperations: [String: Operation] = [
        "AttachUserPolicy": { try $0.attach(.user, "AttachUserPolicy", $1, $2) },
        "DetachUserPolicy": { try $0.detach(.user, "DetachUserPolicy", $1, $2) },
        "ListAttachedUserPolicies": { try $0.listAttached(.user, "ListAttachedUserPolicies", $1, $2) },
        "AttachRolePolicy": { try $0.attach(.role, "AttachRolePolicy", $1, $2) },
        "DetachRolePolicy": { try $0.detach(.role, "DetachRolePolicy", $1, $2) },
        "ListAttachedRolePolicies": { try $0.listAttached(.role, "ListAttachedRolePolicies", $1, $2) },
        "AttachGroupPolicy": { try $0.attach(.group, "AttachGroupPolicy", $1, $2) },
        "DetachGroupPolicy": { try $0.detach(.group, "DetachGroupPolicy", $1, $2) },
        "ListAttachedGroupPolicies": { try $0.listAttached(.group, "ListAttachedGroupPolicies", $1, $2) },
    ]

    func attach<R>(_ k: PolicyHolderKind<R>, _ action: String, _ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let holder = try name(p, k.param, max: k.nameMax)
        let arn = try policyArn(p)
        try store.write { tx in
            guard var r = tx.get(R.self, IAMName.key(holder)) else { throw k.notFound(holder) }
            guard tx.state.managedPolicy(arn) != nil else { throw IAMErrors.policyNotAttachable(arn) }
            // Attaching again is accepted and changes nothing.
            if r.attachedPolicyArns.contains(arn) { return }
            guard r.attachedPolicyArns.count < 10 else { throw IAMErrors.tooManyAttachedPolicies(k.quotaKind) }
            r.attachedPolicyArns.append(arn)
            tx.put(r)
        }
        return IAMXML.response(action, requestID: ctx.requestID, nil)
    }

    func detach<R>(_ k: PolicyHolderKind<R>, _ action: String, _ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let holder = try name(p, k.param, max: k.nameMax)
        let arn = try policyArn(p)
        try store.write { tx in
            guard var r = tx.get(R.self, IAMName.key(holder)) else { throw k.notFound(holder) }
            guard let i = r.attachedPolicyArns.firstIndex(of: arn) else { throw IAMErrors.policyNotFound(arn) }
            r.attachedPolicyArns.remove(at: i)
            tx.put(r)
        }
        return IAMXML.response(action, requestID: ctx.requestID, nil)
    }

    func listAttached<R>(_ k: PolicyHolderKind<R>, _ action: String, _ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let holder = try name(p, k.param, max: k.nameMax)
        let prefix = try path(p, "PathPrefix")
        let s = store.snapshot()
        guard let r = s[keyPath: R.table][IAMName.key(holder)] else { throw k.notFound(holder) }
        let all = r.attachedPolicyArns.compactMap { s.managedPolicy($0) }.filter { $0.path.hasPrefix(prefix) }
        let (policies, marker) = try page(all, p)
        return IAMXML.response(action, requestID: ctx.requestID) { w in
            IAMXML.members(&w, "AttachedPolicies", policies) { w, pol in
                w.element("PolicyName", pol.name)
                w.element("PolicyArn", pol.arn)
            }
            Self.truncation(&w, marker)
        }
    }
}
