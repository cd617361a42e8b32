import AWSWire
import CloudModel
import IAMPolicy

extension IAMService {
    /// Authorizes an IAM call of a non-root principal (only possible when IAM is enforced): `iam:<Action>` on the
    /// resource IAM names for it; a denial is IAM's 403 AccessDenied.
    func authorizeCall(_ action: String, _ p: QueryParameters, _ ctx: RequestContext) throws {
        guard let authorizer, !ctx.principal.arn.hasSuffix(":root") else { return }
        let resource = resourceArn(action, p, ctx)
        let iamAction = "iam:" + action
        let decision = authorizer.decide(ctx.principal, action: iamAction, resource: resource, sourceIP: ctx.sourceIP,
                                         region: ctx.region, now: store.now) { keys in
            // Creations and Tag* carry the tags they set, Untag* the keys they remove.
            let tags = p.structures("Tags.member").compactMap { t in t["Key"].map { (key: $0, value: t["Value"] ?? "") } }
            keys.setRequestTags(tags)
            let removed = p.list("TagKeys.member")
            if !removed.isEmpty { keys.set("aws:TagKeys", values: removed) }
        }
        if case .denied(let explicit) = decision {
            throw Authorizer.iamDenied(ctx.principal, action: iamAction, resource: resource, explicit: explicit)
        }
    }

    /// The resource an IAM action acts on: the named instance profile, group, role, user or policy (its stored ARN, path included),
    /// the caller for its own access keys, or the kind's root (`arn:aws:iam::ACCOUNT:user/`) for listings.
    func resourceArn(_ action: String, _ p: QueryParameters, _ ctx: RequestContext) -> String {
        let s = store.snapshot()
        if let source = p["PolicySourceArn"] { return source }
        if action == "SimulateCustomPolicy" { return "*" }
        if action.contains("InstanceProfile"), let n = p["InstanceProfileName"] {
            return s.iamInstanceProfiles[IAMName.key(n)]?.arn ?? arn("instance-profile", (try? path(p)) ?? "/", n)
        }
        if action.contains("Group"), let g = p["GroupName"] {
            return s.iamGroups[IAMName.key(g)]?.arn ?? arn("group", (try? path(p)) ?? "/", g)
        }
        if action.contains("Role"), let r = p["RoleName"] {
            return s.iamRoles[IAMName.key(r)]?.arn ?? arn("role", (try? path(p)) ?? "/", r)
        }
        if let u = p["UserName"] { return s.iamUsers[IAMName.key(u)]?.arn ?? arn("user", (try? path(p)) ?? "/", u) }
        if let policy = p["PolicyArn"] { return policy }
        if action == "CreatePolicy", let n = p["PolicyName"] { return arn("policy", (try? path(p)) ?? "/", n) }
        if action.contains("AccessKey") || action == "GetUser" { return ctx.principal.arn }
        switch action {
        case "ListRoles": return "arn:aws:iam::\(accountId):role/"
        case "ListGroups": return "arn:aws:iam::\(accountId):group/"
        case "ListPolicies": return "arn:aws:iam::\(accountId):policy/"
        case "ListInstanceProfiles": return "arn:aws:iam::\(accountId):instance-profile/"
        default: return "arn:aws:iam::\(accountId):user/"
        }
    }
}
