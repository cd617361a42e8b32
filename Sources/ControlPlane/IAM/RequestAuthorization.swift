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

    public init(authorizer: Authorizer, now: Date, caller: Caller? = nil,
                denial: @escaping @Sendable (Principal, String, String, Bool) -> AWSError) {
        self.authorizer = authorizer
        self.now = now
        entry = caller?.entry
        self.denial = denial
    }
}

extension RequestContext {
    /// Authorizes `action` on `resource` for this request's principal with the global keys plus those `keys`
    /// adds, or throws the service's denial. Does nothing when IAM is not enforced or the caller is the root.
    public func authorize(_ action: String, _ resource: String,
                          _ keys: (inout ConditionContext) -> Void = { _ in }) throws(AWSError) {
        guard let authorization, !principal.isRoot else { return }
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
        guard let authorization, !principal.isRoot else { return }
        let decision = authorization.authorizer.decide(principal, entry: authorization.entry, action: action, resource: resource,
                                                       sourceIP: sourceIP, region: region, now: authorization.now,
                                                       network: network, resourcePolicy: resourcePolicy(), keys: keys)
        if case .denied(let explicit) = decision { throw authorization.denial(principal, action, resource, explicit) }
    }

    /// True when operations must be authorized (IAM enforced and the caller is not the root).
    public var isAuthorizing: Bool { authorization != nil && !principal.isRoot }
}

extension ConditionContext {
    /// `aws:RequestTag/KEY` for each tag and `aws:TagKeys`, as every tagging request carries them.
    public mutating func setRequestTags(_ tags: [(key: String, value: String)]) {
        guard !tags.isEmpty else { return }
        for t in tags { set("aws:RequestTag/\(t.key)", t.value) }
        set("aws:TagKeys", values: tags.map(\.key))
    }
}
