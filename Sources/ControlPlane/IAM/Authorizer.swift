import AWSWire
import CloudModel
import Foundation
import IAMPolicy

/// The enforcement seam: who a request's access key belongs to, whether that principal's identity-based
/// policies allow an action on a resource, each service's AccessDenied error, and Lambda's execution-role checks.
/// A class: every enforced request holds it, and a reference is one retain where the struct was six.
public final class Authorizer: Sendable {
    public let store: StateStore
    public let accountId: String
    public let identity: IdentityPolicies
    let userPolicies = UserPoliciesCache()
    let callers = CallerCache()
    let currentTime = CurrentTimeText()
    let rootSigningKeys = SigningKeySlot()

    public init(store: StateStore, accountId: String, cache: PolicyCache) {
        self.store = store
        self.accountId = accountId
        identity = IdentityPolicies(cache: cache)
        store.observe { [userPolicies, callers] _ in
            userPolicies.invalidate()
            callers.invalidate()
        }
    }

    // MARK: Principals

    /// Who an access key id stands for and its secret, from one lookup: the root key is the account root, an Active
    /// IAM access key its user, temporary credentials their session's principal (expired ones included: the caller
    /// tells `ExpiredToken` from an unknown key); nil for an unknown or Inactive key (the caller answers
    /// InvalidClientTokenId or its equivalent).
    public func caller(accessKeyId: String, rootAccessKeyId: String, rootSecret: String) -> Caller? {
        if accessKeyId == rootAccessKeyId {
            return Caller(principal: .root(accountId: accountId, accessKeyId: accessKeyId), secretAccessKey: rootSecret, entry: nil,
                          signingKeys: rootSigningKeys)
        }
        return userEntry(accessKeyId).map {
            Caller(principal: $0.principal, secretAccessKey: $0.secretAccessKey, entry: $0, signingKeys: $0.signingKeys)
        }
    }

    /// Temporary credentials' caller, or nil when the key is not an STS session's. The default mode asks only this:
    /// every other key is the root there.
    public func sessionCaller(accessKeyId: String) -> Caller? {
        // Session key ids all start with ASIA; anything else costs no lookup.
        guard accessKeyId.utf8.starts(with: "ASIA".utf8) else { return nil }
        return userEntry(accessKeyId).flatMap {
            $0.sessionToken == nil ? nil : Caller(principal: $0.principal, secretAccessKey: $0.secretAccessKey, entry: $0,
                                                 signingKeys: $0.signingKeys)
        }
    }

    /// The principal an access key id stands for (see `caller`).
    public func principal(accessKeyId: String, rootAccessKeyId: String) -> Principal? {
        caller(accessKeyId: accessKeyId, rootAccessKeyId: rootAccessKeyId, rootSecret: "")?.principal
    }

    /// The secret to verify a signature with, for the key ids `principal(accessKeyId:)` accepts.
    public func secret(accessKeyId: String, rootAccessKeyId: String, rootSecret: String) -> String? {
        caller(accessKeyId: accessKeyId, rootAccessKeyId: rootAccessKeyId, rootSecret: rootSecret)?.secretAccessKey
    }

    /// An Active IAM access key's (or an STS session's) entry, resolved from one snapshot and kept until the next write.
    func userEntry(_ accessKeyId: String) -> CallerEntry? {
        callers.entry(accessKeyId) {
            let s = store.snapshot()
            if let session = s.stsSessions[accessKeyId] { return sessionEntry(session, in: s) }
            guard let key = s.iamAccessKeys[accessKeyId], key.status == "Active",
                  let user = s.iamUsers[IAMName.key(key.userName)] else { return nil }
            let p = Principal(arn: user.arn, userId: user.userId, accountId: accountId, accessKeyId: accessKeyId)
            return CallerEntry(principal: p, secretAccessKey: key.secretAccessKey,
                               policies: PolicySet(identity.forUser(user, in: s)),
                               sharedKeys: SharedConditionKeys(principalKeys(p)))
        }
    }

    /// The global condition keys every request carries (`aws:username`, `aws:userid`, `aws:PrincipalArn`,
    /// `aws:SourceIp`, `aws:CurrentTime`...); callers add the service's own keys.
    public func baseContext(_ p: Principal, sourceIP: String, region: String, now: Date,
                            network: NetworkOrigin = .direct) -> ConditionContext {
        var c = principalKeys(p)
        addRequestKeys(&c, sourceIP: sourceIP, region: region, now: now, network: network)
        return c
    }

    /// The global keys that depend on the principal alone.
    func principalKeys(_ p: Principal) -> ConditionContext {
        var c = ConditionContext()
        let isRoot = p.arn.hasSuffix(":root")
        if let role = p.roleArn {
            // A role session: no user name; the role is the principal policies name.
            c.set("aws:userid", p.userId)
            c.set("aws:PrincipalArn", role)
            c.set("aws:PrincipalAccount", p.accountId)
            c.set("aws:PrincipalType", "AssumedRole")
            c.set("aws:SecureTransport", "false")
            return c
        }
        if !isRoot, let slash = p.arn.lastIndex(of: "/") { c.set("aws:username", String(p.arn[p.arn.index(after: slash)...])) }
        c.set("aws:userid", p.userId)
        c.set("aws:PrincipalArn", p.arn)
        c.set("aws:PrincipalAccount", p.accountId)
        c.set("aws:PrincipalType", isRoot ? "Account" : "User")
        c.set("aws:SecureTransport", "false")
        return c
    }

    /// The global keys of one request: where it came from, when, and the region asked.
    func addRequestKeys(_ c: inout ConditionContext, sourceIP: String, region: String, now: Date, network: NetworkOrigin = .direct) {
        let time = currentTime.texts(now)
        c.setRequestGlobals(RequestGlobals(sourceIP: sourceIP, currentTime: time.iso, epochTime: time.epoch, requestedRegion: region,
                                           network: network))
    }

    // MARK: Decisions

    /// The outcome of authorizing one request.
    public enum Decision: Sendable, Equatable {
        case allowed
        /// `explicit`: a Deny statement matched (AWS words the message differently).
        case denied(explicit: Bool)
    }

    /// Decides with the principal's identity-based policies (its inline and attached policies and those of
    /// its groups). The root is always allowed; a principal that no longer exists is denied.
    public func authorize(_ p: Principal, action: String, resource: String, context: ConditionContext) -> Decision {
        if p.arn == "arn:aws:iam::\(p.accountId):root" { return .allowed }
        let s = store.snapshot()
        // A user ARN ends with the user name (after its path); the name is the table key.
        let name = p.arn.split(separator: "/").last.map(String.init) ?? ""
        guard let user = s.iamUsers[IAMName.key(name)], user.arn == p.arn else { return .denied(explicit: false) }
        let policies = userPolicies.policies(user, state: { store.snapshot() }, compute: identity.forUser)
        let request = AuthorizationRequest(action: action, resource: resource, context: context)
        if PolicyEvaluator.isAllowed(policies, request) { return .allowed }
        return .denied(explicit: PolicyEvaluator.evaluate(policies, request).outcome == .explicitDeny)
    }

    /// Decides one request of `p` with the global keys for its source, time and region plus those `keys` adds.
    /// An IAM user's key uses its cached entry (`caller`'s, when the request resolved it already): the shared keys,
    /// and the statements indexed by action.
    public func decide(_ p: Principal, caller: Caller? = nil, action: String, resource: String, sourceIP: String,
                       region: String, now: Date, keys: (inout ConditionContext) -> Void = { _ in }) -> Decision {
        decide(p, entry: caller?.entry, action: action, resource: resource, sourceIP: sourceIP, region: region, now: now, keys: keys)
    }

    func decide(_ p: Principal, entry known: CallerEntry?, action: String, resource: String, sourceIP: String,
                region: String, now: Date, network: NetworkOrigin = .direct, resourcePolicy: CompiledPolicy? = nil,
                keys: (inout ConditionContext) -> Void) -> Decision {
        if p.isRoot && p.arn == "arn:aws:iam::\(p.accountId):root" { return .allowed }
        guard let entry = known ?? userEntry(p.accessKeyId), entry.principal == p else {
            var context = baseContext(p, sourceIP: sourceIP, region: region, now: now, network: network)
            keys(&context)
            let identity = authorize(p, action: action, resource: resource, context: context)
            return combine(identity, p, action: action, resource: resource, context: context, resourcePolicy)
        }
        var context = ConditionContext(shared: entry.sharedKeys)
        addRequestKeys(&context, sourceIP: sourceIP, region: region, now: now, network: network)
        keys(&context)
        var identity: Decision
        if entry.policies.isAllowed(action: action, resource: resource, context: context) {
            identity = .allowed
        } else {
            let request = AuthorizationRequest(action: action, resource: resource, context: context)
            identity = .denied(explicit: entry.policies.evaluate(request).outcome == .explicitDeny)
        }
        // A session's own policies narrow what its identity allows; they never grant.
        if identity == .allowed, let session = entry.sessionPolicies,
           !session.isAllowed(action: action, resource: resource, context: context) {
            let request = AuthorizationRequest(action: action, resource: resource, context: context)
            identity = .denied(explicit: session.evaluate(request).outcome == .explicitDeny)
        }
        return combine(identity, p, action: action, resource: resource, context: context, resourcePolicy)
    }

    /// The identity decision combined with the resource's own policy (a Lambda function's), which names the caller
    /// by its ARN: `SameAccountDecision`.
    func combine(_ identity: Decision, _ p: Principal, action: String, resource: String, context: ConditionContext,
                 _ resourcePolicy: CompiledPolicy?) -> Decision {
        guard let resourcePolicy else { return identity }
        let request = AuthorizationRequest(action: action, resource: resource, context: context,
                                           principal: PrincipalIdentity(type: "AWS", identifier: p.arn))
        let byResource = PolicyEvaluator.evaluate([resourcePolicy], request).outcome
        let byIdentity: PolicyDecision.Outcome = switch identity {
        case .allowed: .allowed
        case .denied(let explicit): explicit ? .explicitDeny : .implicitDeny
        }
        switch SameAccountDecision.combine(identity: byIdentity, resource: byResource) {
        case .allowed: return .allowed
        case .explicitDeny: return .denied(explicit: true)
        case .implicitDeny: return .denied(explicit: false)
        }
    }

    /// Authorizes or throws the service's own denial (`Authorizer.lambdaDenied`, `.ec2Denied`, `.iamDenied`).
    public func require(_ p: Principal, action: String, resource: String, context: ConditionContext,
                        denial: (Principal, String, String, Bool) -> AWSError) throws(AWSError) {
        if case .denied(let explicit) = authorize(p, action: action, resource: resource, context: context) {
            throw denial(p, action, resource, explicit)
        }
    }

    /// Adds Lambda's VPC condition keys for CreateFunction/UpdateFunctionConfiguration. A request without a
    /// VPC (no VpcConfig, or empty lists) carries none of them, so `Null: {"lambda:VpcIds": "true"}` holds for it.
    public static func addLambdaVPCKeys(_ c: inout ConditionContext, vpcId: String?, subnetIds: [String], securityGroupIds: [String]) {
        guard let vpcId, !vpcId.isEmpty, !subnetIds.isEmpty else { return }
        c.set("lambda:VpcIds", vpcId)
        c.set("lambda:SubnetIds", values: subnetIds)
        c.set("lambda:SecurityGroupIds", values: securityGroupIds)
    }

    /// `User: ARN is not authorized to perform: ACTION on resource: RES because ...`, shared by every service.
    public static func denialText(_ p: Principal, action: String, resource: String, explicit: Bool) -> String {
        let why = explicit ? "with an explicit deny in an identity-based policy"
                           : "because no identity-based policy allows the \(action) action"
        return "User: \(p.arn) is not authorized to perform: \(action) on resource: \(resource) \(why)"
    }

    /// Lambda: 403 `AccessDeniedException` (body member `Message`, unconfirmed; no `Type`).
    public static func lambdaDenied(_ p: Principal, action: String, resource: String, explicit: Bool) -> AWSError {
        AWSError(code: "AccessDeniedException", message: denialText(p, action: action, resource: resource, explicit: explicit),
                 httpStatus: 403, lambdaType: nil, lambdaMessageKey: "Message")
    }

    /// EC2: 403 `UnauthorizedOperation` (AWS appends an encoded authorization message, which we leave out).
    public static func ec2Denied(_ p: Principal, action: String, resource: String, explicit: Bool) -> AWSError {
        AWSError(code: "UnauthorizedOperation",
                 message: "You are not authorized to perform this operation. " + denialText(p, action: action, resource: resource, explicit: explicit),
                 httpStatus: 403)
    }

    /// IAM (and STS): 403 `AccessDenied`.
    public static func iamDenied(_ p: Principal, action: String, resource: String, explicit: Bool) -> AWSError {
        AWSError(code: "AccessDenied", message: denialText(p, action: action, resource: resource, explicit: explicit), httpStatus: 403)
    }

    // MARK: Lambda execution-role checks (issue 4 §4)

    /// Why Lambda could not use this role to create a VPC function's network interface, or nil: the reason
    /// written into StateReason with StateReasonCode `InsufficientRolePermissions`.
    public func eniProvisioningProblem(roleArn: String, in s: CloudState) -> String? {
        guard let role = s.iamRoles.values.first(where: { $0.arn == roleArn }), trusts(role) else {
            return "The role defined for the function cannot be assumed by Lambda."
        }
        guard let missing = missingENIPermission(role, in: s) else { return nil }
        return "The provided execution role does not have permissions to call \(missing.dropFirst("ec2:".count)) on EC2"
    }

    /// The ENI actions Lambda needs from a VPC function's execution role, in the order they are checked.
    public static let eniActions = ["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface"]

    /// The role with this ARN, if it exists.
    public func role(arn: String) -> IAMRole? { store.snapshot().iamRoles.values.first { $0.arn == arn } }

    /// True when the role's trust policy lets `service` (e.g. `lambda.amazonaws.com`) call sts:AssumeRole.
    public func trusts(_ role: IAMRole, service: String = "lambda.amazonaws.com") -> Bool {
        guard let trust = try? identity.cache.compiled(role.assumeRolePolicyDocument, kind: .trust, id: "trust") else { return false }
        let request = AuthorizationRequest(action: "sts:AssumeRole", resource: role.arn,
                                           principal: PrincipalIdentity(type: "Service", identifier: service))
        return PolicyEvaluator.isAllowed([trust], request)
    }

    /// The first ENI action (`ec2:CreateNetworkInterface`...) the role's policies do not allow on `*`, or nil.
    public func missingENIPermission(_ role: IAMRole) -> String? { missingENIPermission(role, in: store.snapshot()) }

    /// The same, on a given state (the ENI manager asks inside its transaction).
    public func missingENIPermission(_ role: IAMRole, in s: CloudState) -> String? {
        let policies = identity.forRole(role, in: s)
        return Self.eniActions.first { !PolicyEvaluator.isAllowed(policies, AuthorizationRequest(action: $0, resource: "*")) }
    }

    /// Lambda's check at CreateFunction/UpdateFunctionConfiguration: nil when the role is usable, else the
    /// InvalidParameterValueException Lambda answers. `needsVPC` adds the ENI permission check.
    public func executionRoleProblem(roleArn: String, needsVPC: Bool) -> AWSError? {
        guard let role = role(arn: roleArn), trusts(role) else {
            return AWSError(code: "InvalidParameterValueException", message: "The role defined for the function cannot be assumed by Lambda.")
        }
        if needsVPC, let missing = missingENIPermission(role) {
            let op = missing.dropFirst("ec2:".count)
            return AWSError(code: "InvalidParameterValueException",
                            message: "The provided execution role does not have permissions to call \(op) on EC2")
        }
        return nil
    }
}
