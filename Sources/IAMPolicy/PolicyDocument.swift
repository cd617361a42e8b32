/// The policy language versions IAM accepts; policy variables exist only in 2012-10-17.
public enum PolicyVersion: String, Sendable, Equatable {
    case v2012_10_17 = "2012-10-17"
    case v2008_10_17 = "2008-10-17"
}

/// A statement's Effect.
public enum PolicyEffect: String, Sendable, Equatable {
    case allow = "Allow"
    case deny = "Deny"
}

/// Which rules a document is validated against: identity policies must not name a principal and need a
/// resource; trust (assume-role) policies need a principal and must not name resources; resource-based policies
/// (a Lambda function's) need both, and their account principals stand for the account, not for its users.
public enum PolicyKind: Sendable, Hashable {
    case identity
    case trust
    case resource
}

/// `Action` / `NotAction`, `Resource` / `NotResource`, `Principal` / `NotPrincipal`: a list that matches by
/// inclusion, or by exclusion when negated.
public struct PolicyList: Sendable, Equatable {
    public var negated: Bool
    public var values: [String]
    public init(negated: Bool, values: [String]) { self.negated = negated; self.values = values }
}

/// One principal entry: `{"Service": "lambda.amazonaws.com"}` gives type Service; `"*"` gives type AWS, id `*`.
public struct PolicyPrincipal: Sendable, Equatable {
    public var type: String
    public var identifier: String
    public init(type: String, identifier: String) { self.type = type; self.identifier = identifier }
}

/// One condition test: an operator applied to one key with the policy's values (OR'ed).
public struct PolicyCondition: Sendable, Equatable {
    public var op: ConditionOperator
    public var key: String
    public var values: [String]
    public init(op: ConditionOperator, key: String, values: [String]) { self.op = op; self.key = key; self.values = values }
}

/// One statement of a document, with where it sits in the text.
public struct PolicyStatement: Sendable, Equatable {
    public var sid: String?
    public var effect: PolicyEffect
    public var action: PolicyList
    /// Nil in trust policies, which apply to the role itself.
    public var resource: PolicyList?
    public var principal: PolicyList?
    /// Parsed principal entries (types kept apart); empty when there is no Principal element.
    public var principals: [PolicyPrincipal]
    public var conditions: [PolicyCondition]
    public var start: TextPosition
    public var end: TextPosition
}

/// A parsed and validated policy document.
public struct PolicyDocument: Sendable, Equatable {
    /// Nil when the document has no Version element (IAM then applies 2008-10-17 rules).
    public var version: PolicyVersion?
    public var id: String?
    public var statements: [PolicyStatement]

    /// Parses and validates JSON text as IAM does; throws IAM's MalformedPolicyDocument message.
    public static func parse(_ text: String, kind: PolicyKind = .identity) throws(PolicyError) -> PolicyDocument {
        try PolicyParser(kind: kind).parse(text)
    }
}

/// Why a document was refused: the message of IAM's MalformedPolicyDocument error.
public struct PolicyError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
