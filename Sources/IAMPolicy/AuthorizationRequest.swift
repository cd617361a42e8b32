/// The condition keys of one request: key (case-insensitive) → values. A single-valued key holds one value;
/// a multivalued key (`lambda:SubnetIds`) any number, including none.
public struct ConditionContext: Sendable, Equatable {
    /// Keys lower-cased, as IAM compares keys case-insensitively.
    private var storage: [String: [String]]
    /// Keys declared multivalued, for the simulator and documentation; evaluation does not depend on it.
    public private(set) var multivaluedKeys: Set<String>

    public init() { storage = [:]; multivaluedKeys = [] }

    /// Builds a context of single values (`aws:username` → `alice`).
    public init(_ single: [String: String]) {
        self.init()
        for (k, v) in single { set(k, v) }
    }

    /// Sets a single-valued key.
    public mutating func set(_ key: String, _ value: String) { storage[key.lowercased()] = [value] }

    /// Sets a multivalued key; an empty array is present-but-empty.
    public mutating func set(_ key: String, values: [String]) {
        storage[key.lowercased()] = values
        multivaluedKeys.insert(key.lowercased())
    }

    public mutating func remove(_ key: String) { storage[key.lowercased()] = nil }

    /// The values of a key, nil when the request does not carry it.
    public func values(_ key: String) -> [String]? { storage[key.lowercased()] }

    func values(lowercasedKey key: String) -> [String]? { storage[key] }

    public var keys: [String] { Array(storage.keys) }
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
