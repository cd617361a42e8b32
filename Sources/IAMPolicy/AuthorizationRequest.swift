/// The condition keys of one request: key (case-insensitive) → values. A single-valued key holds one value;
/// a multivalued key (`lambda:SubnetIds`) any number, including none. The keys many requests share (a principal's)
/// can sit in a `SharedConditionKeys` underneath, and the global keys of the request itself in `RequestGlobals`
/// fields, so an enforced request builds no dictionary unless its operation adds keys of its own.
public struct ConditionContext: Sendable {
    /// Keys lower-cased, as IAM compares keys case-insensitively; they hide the globals and shared keys of the same name.
    private var storage: [String: [String]]
    /// Keys declared multivalued here, for the simulator and documentation; evaluation does not depend on it.
    private var ownMultivalued: Set<String>
    private var globals: RequestGlobals?
    private var shared: SharedConditionKeys?

    public init() { storage = [:]; ownMultivalued = []; globals = nil; shared = nil }

    /// A context holding `shared`'s keys.
    public init(shared: SharedConditionKeys) {
        storage = [:]
        ownMultivalued = []
        globals = nil
        self.shared = shared
    }

    /// Builds a context of single values (`aws:username` → `alice`).
    public init(_ single: [String: String]) {
        self.init()
        for (k, v) in single { set(k, v) }
    }

    /// Keys declared multivalued (by `set(_:values:)`).
    public var multivaluedKeys: Set<String> {
        guard let shared else { return ownMultivalued }
        return shared.multivalued.union(ownMultivalued)
    }

    /// Sets a single-valued key.
    public mutating func set(_ key: String, _ value: String) { storage[key.lowercased()] = [value] }

    /// Sets a single-valued key whose name the caller already lower-cased.
    public mutating func set(lowercasedKey key: String, _ value: String) { storage[key] = [value] }

    /// Sets `aws:SourceIp`, `aws:CurrentTime`, `aws:EpochTime`, `aws:RequestedRegion` and the VPC endpoint keys,
    /// replacing any earlier value; `aws:SecureTransport` becomes `true` over TLS.
    public mutating func setRequestGlobals(_ g: RequestGlobals) {
        if !storage.isEmpty { for k in RequestGlobals.keys { storage[k] = nil } }
        globals = g
        if g.network.secureTransport { storage["aws:securetransport"] = ["true"] }
    }

    /// Sets a multivalued key; an empty array is present-but-empty.
    public mutating func set(_ key: String, values: [String]) {
        storage[key.lowercased()] = values
        ownMultivalued.insert(key.lowercased())
    }

    public mutating func remove(_ key: String) {
        let k = key.lowercased()
        if shared?.storage[k] != nil || globals?.value(k) != nil { materialize() }
        storage[k] = nil
    }

    /// The values of a key, nil when the request does not carry it.
    public func values(_ key: String) -> [String]? { values(lowercasedKey: key.lowercased()) }

    func values(lowercasedKey key: String) -> [String]? {
        if !storage.isEmpty, let own = storage[key] { return own }
        if let g = globals, let v = g.value(key) { return [v] }
        return shared?.storage[key]
    }

    public var keys: [String] { Array(merged.keys) }

    /// Every key with its values, the request's own over the shared ones.
    var merged: [String: [String]] {
        var all = shared?.storage ?? [:]
        if let globals { for k in RequestGlobals.keys { all[k] = globals.value(k).map { [$0] } } }
        return all.merging(storage) { _, own in own }
    }

    /// Copies the globals and shared keys in, so that one of them can be removed.
    private mutating func materialize() {
        storage = merged
        ownMultivalued = multivaluedKeys
        globals = nil
        shared = nil
    }
}

/// The global condition keys that differ from one request to the next; held in fields because every enforced
/// request sets them and most policies read one or none.
public struct RequestGlobals: Sendable, Equatable {
    public var sourceIP: String
    public var currentTime: String
    public var epochTime: String
    public var requestedRegion: String
    public var network: NetworkOrigin

    public init(sourceIP: String, currentTime: String, epochTime: String, requestedRegion: String,
                network: NetworkOrigin = .direct) {
        self.sourceIP = sourceIP
        self.currentTime = currentTime
        self.epochTime = epochTime
        self.requestedRegion = requestedRegion
        self.network = network
    }

    /// Their keys, lower-cased.
    static let keys = ["aws:sourceip", "aws:currenttime", "aws:epochtime", "aws:requestedregion",
                       "aws:vpcsourceip", "aws:sourcevpc", "aws:sourcevpce"]

    /// The value of a lower-cased key, nil when it is not one of these or the request does not carry it.
    func value(_ key: String) -> String? {
        switch key {
        // AWS gives a request through a VPC endpoint the VPC keys instead of a public source address.
        case "aws:sourceip": return network.sourceVpce == nil ? sourceIP : nil
        case "aws:currenttime": return currentTime
        case "aws:epochtime": return epochTime
        case "aws:requestedregion": return requestedRegion
        case "aws:vpcsourceip": return network.sourceVpce == nil ? nil : network.vpcSourceIP
        case "aws:sourcevpc": return network.sourceVpce == nil ? nil : network.sourceVpc
        case "aws:sourcevpce": return network.sourceVpce
        default: return nil
        }
    }
}

/// How a request reached AWS, for `aws:SourceVpce`, `aws:SourceVpc`, `aws:VpcSourceIp` (present only for a request
/// through a VPC endpoint, as on AWS) and `aws:SecureTransport` (set by the authorizer over TLS; a principal's
/// shared keys say `false`).
public struct NetworkOrigin: Sendable, Equatable {
    public var sourceVpce: String?
    public var sourceVpc: String?
    /// The caller's private address in its VPC.
    public var vpcSourceIP: String?
    public var secureTransport: Bool

    public init(sourceVpce: String? = nil, sourceVpc: String? = nil, vpcSourceIP: String? = nil, secureTransport: Bool = false) {
        self.sourceVpce = sourceVpce
        self.sourceVpc = sourceVpc
        self.vpcSourceIP = vpcSourceIP
        self.secureTransport = secureTransport
    }

    /// Plain HTTP, not through a VPC endpoint (the host endpoint).
    public static let direct = NetworkOrigin()
}

extension ConditionContext: Equatable {
    public static func == (a: ConditionContext, b: ConditionContext) -> Bool {
        a.merged == b.merged && a.multivaluedKeys == b.multivaluedKeys
    }
}

/// Condition keys fixed for many requests (a principal's `aws:username`, `aws:userid`...), built once and shared.
public final class SharedConditionKeys: Sendable {
    let storage: [String: [String]]
    let multivalued: Set<String>

    /// The keys of `context`, frozen.
    public init(_ context: ConditionContext) {
        storage = context.merged
        multivalued = context.multivaluedKeys
    }
}

/// Who is asking, for policies with a `Principal` element (trust policies): `Service`/`AWS`/`Federated`/`CanonicalUser`.
public struct PrincipalIdentity: Sendable, Equatable {
    public var type: String
    public var identifier: String
    public init(type: String, identifier: String) { self.type = type; self.identifier = identifier }
}

/// What is being decided: an action on a resource, with the request's condition keys.
public struct AuthorizationRequest: Sendable {
    public var action: String
    public var resource: String
    public var context: ConditionContext
    /// Only for policies that name principals (trust policies); identity policies ignore it.
    public var principal: PrincipalIdentity?

    public init(action: String, resource: String = "*", context: ConditionContext = ConditionContext(),
                principal: PrincipalIdentity? = nil) {
        self.action = action
        self.resource = resource
        self.context = context
        self.principal = principal
    }
}
