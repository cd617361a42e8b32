import AWSWire
import Foundation
import IAMPolicy

/// What an enforced request carries to authorize its operation: the Authorizer, the caller and the denial in the
/// service's own format. Nil on `RequestContext` in the default mode, where `authorize` costs one branch. A class,
/// so that copying the request's context copies one reference.
public final class RequestAuthorization: Sendable {
    public let authorizer: Authorizer
    /// Builds the service's AccessDenied error (`Authorizer.lambdaDenied`, `.ec2Denied`, `.iamDenied`).
    public let denial: @Sendable (Principal, String, String, Bool) -> AWSError
    public let now: Date
    /// The caller's entry as the request's signature check resolved it (nil: resolved again at decision time).
    let entry: CallerEntry?
    /// False when only an endpoint policy applies (IAM not enforced): identity policies are then not asked.
    public let enforcesIdentity: Bool
    /// The policy of the VPC endpoint the request came through, evaluated whether or not IAM is enforced.
    public let endpointPolicy: CompiledPolicy?

    public init(authorizer: Authorizer, now: Date, caller: Caller? = nil, enforcesIdentity: Bool = true,
                endpointPolicy: CompiledPolicy? = nil,
                denial: @escaping @Sendable (Principal, String, String, Bool) -> AWSError) {
        self.authorizer = authorizer
        self.now = now
        entry = caller?.entry
        self.enforcesIdentity = enforcesIdentity
        self.endpointPolicy = endpointPolicy
        self.denial = denial
    }

    /// The endpoint policy's decision: it must allow (as a resource policy naming the caller), and no statement may
    /// deny; otherwise the service's denial with AWS's wording for endpoint policies.
    func checkEndpoint(_ ctx: RequestContext, _ action: String, _ resource: String,
                       _ keys: (inout ConditionContext) -> Void) throws(AWSError) {
        guard let endpointPolicy else { return }
        var context = authorizer.baseContext(ctx.principal, sourceIP: ctx.sourceIP, region: ctx.region, now: now, network: ctx.network)
        keys(&context)
        let request = AuthorizationRequest(action: action, resource: resource, context: context,
                                           principal: PrincipalIdentity(type: "AWS", identifier: ctx.principal.arn))
        let outcome = PolicyEvaluator.evaluate([endpointPolicy], request).outcome
        guard outcome != .allowed else { return }
        var e = denial(ctx.principal, action, resource, outcome == .explicitDeny)
        e.message = Self.endpointDenialText(ctx.principal, action: action, resource: resource, explicit: outcome == .explicitDeny)
        throw e
    }

    /// AWS's wording when a VPC endpoint policy refuses.
    static func endpointDenialText(_ p: Principal, action: String, resource: String, explicit: Bool) -> String {
        "User: \(p.arn) is not authorized to perform: \(action) on resource: \(resource) because "
            + (explicit ? "of an explicit deny in a VPC endpoint policy" : "no VPC endpoint policy allows the \(action) action")
    }
}

extension RequestContext {
    /// Authorizes `action` on `resource` for this request's principal with the global keys plus those `keys`
    /// adds, or throws the service's denial. Does nothing when IAM is not enforced or the caller is the root.
    public func authorize(_ action: String, _ resource: String,
                          _ keys: (inout ConditionContext) -> Void = { _ in }) throws(AWSError) {
        guard let authorization else { return }
        try authorization.checkEndpoint(self, action, resource, keys)
        guard authorization.enforcesIdentity, !principal.isRoot else { return }
        let decision = authorization.authorizer.decide(principal, entry: authorization.entry, action: action, resource: resource,
                                                       sourceIP: sourceIP, region: region, now: authorization.now,
                                                       network: network, keys: keys)
        if case .denied(let explicit) = decision { throw authorization.denial(principal, action, resource, explicit) }
    }

    /// The same for a resource with its own policy (a Lambda function's): identity and resource policy combine as
    /// for a principal of the resource's account (`SameAccountDecision`). `resourcePolicy` is asked only when the
    /// request is authorized at all.
    public func authorize(_ action: String, _ resource: String, resourcePolicy: () -> CompiledPolicy?,
                          _ keys: (inout ConditionContext) -> Void = { _ in }) throws(AWSError) {
        guard let authorization else { return }
        try authorization.checkEndpoint(self, action, resource, keys)
        guard authorization.enforcesIdentity, !principal.isRoot else { return }
        let decision = authorization.authorizer.decide(principal, entry: authorization.entry, action: action, resource: resource,
                                                       sourceIP: sourceIP, region: region, now: authorization.now,
                                                       network: network, resourcePolicy: resourcePolicy(), keys: keys)
        if case .denied(let explicit) = decision { throw authorization.denial(principal, action, resource, explicit) }
    }

    /// True when operations must be authorized (IAM enforced and the caller is not the root, or an endpoint policy).
    public var isAuthorizing: Bool {
        guard let authorization else { return false }
        return (authorization.enforcesIdentity && !principal.isRoot) || authorization.endpointPolicy != nil
    }
}

extension ConditionContext {
    /// `aws:RequestTag/KEY` for each tag and `aws:TagKeys`, as every tagging request carries them.
    public mutating func setRequestTags(_ tags: [(key: String, value: String)]) {
        guard !tags.isEmpty else { return }
        for t in tags { set("aws:RequestTag/\(t.key)", t.value) }
        set("aws:TagKeys", values: tags.map(\.key))
    }
}
