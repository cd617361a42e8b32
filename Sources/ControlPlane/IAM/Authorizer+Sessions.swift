import CloudModel
import Foundation
import IAMPolicy

extension Authorizer {
    /// Temporary credentials resolved against one state. A role session acts with the role's identity policies
    /// (inline and attached) narrowed by its session policies, and carries the role's tags and its session tags as
    /// `aws:PrincipalTag/KEY`; a GetSessionToken session acts as its user (or the root). A role or user deleted
    /// since (or deleted and created again) leaves the session with no policies: everything is denied, as on AWS.
    func sessionEntry(_ session: STSSession, in s: CloudState) -> CallerEntry {
        let principal = Principal(arn: session.principalArn, userId: session.userId, accountId: accountId,
                                  accessKeyId: session.id, roleArn: session.roleArn)
        var policies: [CompiledPolicy] = []
        var tags: [Tag] = []
        if let roleName = session.roleName {
            // A role deleted and created again under the same name is another role (another id): no policies.
            if let role = s.iamRoles[IAMName.key(roleName)], role.arn == session.roleArn, session.userId.hasPrefix(role.roleId + ":") {
                policies = identity.forRole(role, in: s)
                tags = role.tags
            }
        } else if let userName = session.userName, let user = s.iamUsers[IAMName.key(userName)], user.arn == session.principalArn {
            policies = identity.forUser(user, in: s)
        }
        var keys = principalKeys(principal)
        for t in session.tags { tags.removeAll { $0.key.lowercased() == t.key.lowercased() }; tags.append(t) }
        for t in tags { keys.set("aws:PrincipalTag/\(t.key)", t.value) }
        if let source = session.sourceIdentity { keys.set("aws:SourceIdentity", source) }
        return CallerEntry(principal: principal, secretAccessKey: session.secretAccessKey, policies: PolicySet(policies),
                           sharedKeys: SharedConditionKeys(keys), sessionPolicies: sessionPolicies(session, in: s),
                           sessionToken: session.sessionToken, expiration: session.expiration)
    }

    /// The session's inline policy and managed session policies, compiled; nil when it has none.
    func sessionPolicies(_ session: STSSession, in s: CloudState) -> PolicySet? {
        guard session.hasSessionPolicies else { return nil }
        var out: [CompiledPolicy] = []
        if let text = session.sessionPolicy, let c = try? identity.cache.compiled(text, id: "session", sourceType: "session") {
            out.append(c)
        }
        for arn in session.sessionPolicyArns {
            guard let m = s.managedPolicyDocument(arn) else { continue }
            if let c = try? identity.cache.compiled(m.document, id: m.name, sourceType: "session") { out.append(c) }
        }
        return PolicySet(out)
    }
}
