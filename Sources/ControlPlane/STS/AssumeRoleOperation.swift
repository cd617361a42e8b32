import AWSWire
import CloudModel
import Foundation
import IAMPolicy

/// AssumeRole's input, validated against the model's constraints.
struct AssumeRoleRequest: Sendable {
    var roleArn: String
    var sessionName: String
    var duration: Int?
    var policy: String?
    var policyArns: [String]
    var tags: [Tag]
    var transitiveTagKeys: [String]
    var externalId: String?
    var sourceIdentity: String?

    /// Session policies or tags were given: the answer reports their packed size.
    var packsPolicies: Bool { policy != nil || !policyArns.isEmpty || !tags.isEmpty }
}

extension STSService {
    static let wordPattern = #"[\w+=,.@-]*"#

    /// Checks every member against botocore's constraints and reports all failures at once, as AWS's front end does.
    func assumeRoleRequest(_ p: QueryParameters) throws -> AssumeRoleRequest {
        var failures: [String] = []
        let roleArn = p["RoleArn"], sessionName = p["RoleSessionName"]
        if roleArn == nil { failures.append(STSErrors.missing("roleArn")) }
        if sessionName == nil { failures.append(STSErrors.missing("roleSessionName")) }
        if let arn = roleArn { Self.checkLength(arn, "roleArn", 20, 2048, &failures) }
        if let name = sessionName { Self.checkWord(name, "roleSessionName", 2, 64, Self.wordPattern, extra: "", &failures) }
        var duration: Int?
        if let d = p["DurationSeconds"] {
            if let n = Int(d) {
                if n < 900 { failures.append(STSErrors.constraint(d, "durationSeconds", "Member must have value greater than or equal to 900")) }
                if n > 43200 { failures.append(STSErrors.constraint(d, "durationSeconds", "Member must have value less than or equal to 43200")) }
                duration = n
            } else {
                failures.append(STSErrors.constraint(d, "durationSeconds", "Member must be an integer"))
            }
        }
        let policy = p["Policy"]
        if let text = policy {
            Self.checkLength(text, "policy", 1, 2048, &failures)
        }
        let policyArns = p.structures("PolicyArns.member").compactMap { $0["arn"] }
        for (i, arn) in policyArns.enumerated() { Self.checkLength(arn, "policyArns.\(i + 1).member.arn", 20, 2048, &failures) }
        var tags: [Tag] = []
        for (i, t) in p.structures("Tags.member").enumerated() {
            let key = t["Key"], value = t["Value"]
            if key == nil { failures.append(STSErrors.missing("tags.\(i + 1).member.key")) }
            if value == nil { failures.append(STSErrors.missing("tags.\(i + 1).member.value")) }
            if let key { Self.checkTagText(key, "tags.\(i + 1).member.key", 1, 128, &failures) }
            if let value { Self.checkTagText(value, "tags.\(i + 1).member.value", 0, 256, &failures) }
            if let key, let value { tags.append(Tag(key: key, value: value)) }
        }
        if tags.count > 50 {
            failures.append(STSErrors.constraint("[" + tags.map { "\($0.key)=\($0.value)" }.joined(separator: ", ") + "]", "tags",
                                                 "Member must have length less than or equal to 50"))
        }
        let transitive = p.list("TransitiveTagKeys.member")
        let externalId = p["ExternalId"]
        if let e = externalId { Self.checkWord(e, "externalId", 2, 1224, #"[\w+=,.@:\/-]*"#, extra: ":/", &failures) }
        let source = p["SourceIdentity"]
        if let s = source { Self.checkWord(s, "sourceIdentity", 2, 64, Self.wordPattern, extra: "", &failures) }
        if !failures.isEmpty { throw STSErrors.validation(failures) }
        var seen = Set<String>()
        for t in tags where !seen.insert(t.key.lowercased()).inserted { throw STSErrors.duplicateTagKeys }
        if transitive.contains(where: { k in !tags.contains { $0.key.lowercased() == k.lowercased() } }) {
            throw STSErrors.transitiveKeyWithoutTag
        }
        return AssumeRoleRequest(roleArn: roleArn!, sessionName: sessionName!, duration: duration, policy: policy,
                                 policyArns: policyArns, tags: tags, transitiveTagKeys: transitive, externalId: externalId,
                                 sourceIdentity: source)
    }

    static func checkLength(_ v: String, _ member: String, _ min: Int, _ max: Int, _ failures: inout [String]) {
        if v.count < min { failures.append(STSErrors.constraint(v, member, "Member must have length greater than or equal to \(min)")) }
        if v.count > max { failures.append(STSErrors.constraint(v, member, "Member must have length less than or equal to \(max)")) }
    }

    /// `[\w+=,.@-]*` (plus `extra` characters): ASCII letters, digits, `_` and the listed punctuation.
    static func checkWord(_ v: String, _ member: String, _ min: Int, _ max: Int, _ pattern: String, extra: String,
                          _ failures: inout [String]) {
        checkLength(v, member, min, max, &failures)
        let allowed = "_+=,.@-" + extra
        let ok = v.unicodeScalars.allSatisfy { c in
            c.isASCII && (c.properties.isAlphabetic || ("0"..."9").contains(c) || allowed.unicodeScalars.contains(c))
        }
        if !ok { failures.append(STSErrors.constraint(v, member, "Member must satisfy regular expression pattern: \(pattern)")) }
    }

    /// Tag keys and values: `[\p{L}\p{Z}\p{N}_.:/=+\-@]`.
    static func checkTagText(_ v: String, _ member: String, _ min: Int, _ max: Int, _ failures: inout [String]) {
        checkLength(v, member, min, max, &failures)
        let ok = v.unicodeScalars.allSatisfy { c in
            c.properties.isAlphabetic || c.properties.numericType != nil || c.properties.generalCategory == .spaceSeparator
                || "_.:/=+-@".unicodeScalars.contains(c)
        }
        let pattern = min == 0 ? #"[\p{L}\p{Z}\p{N}_.:/=+\-@]*"# : #"[\p{L}\p{Z}\p{N}_.:/=+\-@]+"#
        if !ok { failures.append(STSErrors.constraint(v, member, "Member must satisfy regular expression pattern: \(pattern)")) }
    }

    // MARK: Trust

    /// Decides whether the caller may assume the role (and tag the session), and returns the role. The trust policy
    /// must admit the caller: its ARN, for a role session also its role's ARN, or the account (`123456789012`,
    /// `arn:aws:iam::123456789012:root`), which admits every principal of the account. The root is then let in (AWS
    /// refuses role assumption by a root user outright; here every key is the root in the default mode, so the root
    /// is treated as the account's principal the trust policy names). Under `--enforce-iam` a non-root caller also
    /// needs an identity policy allowing the action, unless the trust policy names the caller itself: a trust
    /// policy is the role's resource policy, combined with the caller's as `SameAccountDecision` does. An unknown
    /// role is refused with the same message, as AWS does.
    func authorizeAssumeRole(_ r: AssumeRoleRequest, _ ctx: RequestContext) throws -> IAMRole {
        let s = store.snapshot()
        let name = r.roleArn.split(separator: "/").last.map(String.init) ?? ""
        guard let role = s.iamRoles[IAMName.key(name)], role.arn == r.roleArn,
              let trust = try? authorizer.identity.cache.compiled(role.assumeRolePolicyDocument, kind: .trust, id: "trust") else {
            throw STSErrors.notAuthorized(ctx.principal.arn, r.roleArn)
        }
        let now = ctx.authorization?.now ?? Date()
        var context = authorizer.baseContext(ctx.principal, sourceIP: ctx.sourceIP, region: ctx.region, now: now)
        context.set("sts:RoleSessionName", r.sessionName)
        if let e = r.externalId { context.set("sts:ExternalId", e) }
        if let source = r.sourceIdentity { context.set("sts:SourceIdentity", source) }
        context.setRequestTags(r.tags.map { (key: $0.key, value: $0.value) })
        if !r.transitiveTagKeys.isEmpty { context.set("sts:TransitiveTagKeys", values: r.transitiveTagKeys) }
        let actions = r.tags.isEmpty ? ["sts:AssumeRole"] : ["sts:AssumeRole", "sts:TagSession"]
        for action in actions where !allows(action, role: role, trust: trust, context: context, ctx) {
            throw STSErrors.notAuthorized(ctx.principal.arn, action: action, r.roleArn)
        }
        return role
    }

    private func allows(_ action: String, role: IAMRole, trust: CompiledPolicy, context: ConditionContext,
                        _ ctx: RequestContext) -> Bool {
        let ids = [ctx.principal.arn] + (ctx.principal.roleArn.map { [$0] } ?? [])
        let admitted = Self.outcome(trust, action: action, resource: role.arn, context: context, principals: ids)
        guard admitted == .allowed else { return false }
        guard let authorization = ctx.authorization, !ctx.principal.isRoot else { return true }
        let direct = Self.outcome(directGrant(trust, text: role.assumeRolePolicyDocument), action: action, resource: role.arn, context: context, principals: ids)
        let identity = authorization.authorizer.decide(ctx.principal, entry: authorization.entry, action: action, resource: role.arn,
                                                       sourceIP: ctx.sourceIP, region: ctx.region, now: authorization.now) { _ in }
        let byIdentity: PolicyDecision.Outcome = switch identity {
        case .allowed: .allowed
        case .denied(let explicit): explicit ? .explicitDeny : .implicitDeny
        }
        return SameAccountDecision.combine(identity: byIdentity, resource: direct) == .allowed
    }

    /// The trust policy's verdict for the first of `principals` it decides: an explicit Deny for any wins.
    static func outcome(_ policy: CompiledPolicy, action: String, resource: String, context: ConditionContext,
                        principals: [String]) -> PolicyDecision.Outcome {
        var best = PolicyDecision.Outcome.implicitDeny
        for id in principals {
            let request = AuthorizationRequest(action: action, resource: resource, context: context,
                                               principal: PrincipalIdentity(type: "AWS", identifier: id))
            switch PolicyEvaluator.evaluate([policy], request).outcome {
            case .explicitDeny: return .explicitDeny
            case .allowed: best = .allowed
            case .implicitDeny: break
            }
        }
        return best
    }

    /// The trust policy read as a resource policy: only statements naming the caller itself grant.
    func directGrant(_ trust: CompiledPolicy, text: String) -> CompiledPolicy {
        if let hit = directGrants.withLock({ $0[text] }) { return hit }
        let compiled = CompiledPolicy(document: trust.document, id: "trust", kind: .resource)
        directGrants.withLock { d in
            if d.count > 1000 { d.removeAll() }
            d[text] = compiled
        }
        return compiled
    }

    // MARK: The session

    func assumeRole(_ r: AssumeRoleRequest, role: IAMRole, _ ctx: RequestContext) throws -> String {
        let caller = store.snapshot().stsSessions[ctx.principal.accessKeyId]
        let chained = ctx.principal.roleArn != nil
        let duration = r.duration ?? 3600
        if chained && duration > 3600 { throw STSErrors.exceedsChainingLimit }
        if duration > role.maxSessionDuration { throw STSErrors.exceedsMaxSessionDuration }
        if let text = r.policy {
            do { _ = try authorizer.identity.cache.compiled(text, id: "session", sourceType: "session") } catch {
                throw STSErrors.malformedPolicy(error.message)
            }
        }
        var packed: Int?
        if r.packsPolicies {
            let percent = Self.packedPolicyPercent(r)
            if percent > 100 { throw STSErrors.packedPolicyTooLarge(percent) }
            packed = percent
        }
        // Transitive tags of the calling session pass on along the chain, as does its source identity.
        var tags = r.tags, transitive = r.transitiveTagKeys
        if let caller {
            for t in caller.tags where caller.transitiveTagKeys.contains(where: { $0.lowercased() == t.key.lowercased() })
                && !tags.contains(where: { $0.key.lowercased() == t.key.lowercased() }) {
                tags.append(t)
                transitive.append(t.key)
            }
        }
        let session = try issueRoleSession(role, sessionName: r.sessionName, duration: TimeInterval(duration),
                                           policy: r.policy, policyArns: r.policyArns, tags: tags, transitiveTagKeys: transitive,
                                           sourceIdentity: r.sourceIdentity ?? caller?.sourceIdentity, chained: chained)
        return Self.response("AssumeRole", requestID: ctx.requestID) { w in
            Self.credentials(&w, session)
            w.open("AssumedRoleUser")
            w.element("AssumedRoleId", session.userId)
            w.element("Arn", session.principalArn)
            w.close("AssumedRoleUser")
            w.element("PackedPolicySize", packed)
            w.element("SourceIdentity", session.sourceIdentity)
        }
    }

    /// How full the packed session policies and tags are, in percent. AWS packs them into a compressed binary form
    /// we do not reproduce; this counts their plain text without whitespace against 2,048 characters, halved for the
    /// compression (an estimate: the same inputs give a value of the same order as AWS's).
    static func packedPolicyPercent(_ r: AssumeRoleRequest) -> Int {
        let policy = r.policy.map { $0.unicodeScalars.filter { !$0.properties.isWhitespace }.count } ?? 0
        let plain = policy + r.policyArns.reduce(0) { $0 + $1.count } + r.tags.reduce(0) { $0 + $1.key.count + $1.value.count }
        return max(1, Int((Double(plain) * 100 / 4096).rounded(.up)))
    }
}
