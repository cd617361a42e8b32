/// A condition operator as written (`ForAllValues:StringLikeIfExists`), split into its parts.
public struct ConditionOperator: Sendable, Equatable {
    /// How a multivalued request key is tested.
    public enum SetQualifier: Sendable, Equatable {
        /// No qualifier: some request value against the policy values.
        case none
        /// `ForAnyValue:`: at least one request value satisfies the test; false for an empty/absent set.
        case forAnyValue
        /// `ForAllValues:`: every request value satisfies the test; true for an empty/absent set.
        case forAllValues
    }

    /// The comparison family; negation is kept apart so that "not" operators can be built from positive tests.
    public enum Comparison: Sendable, Equatable {
        case stringEquals
        case stringEqualsIgnoreCase
        case stringLike
        case numeric(Ordering)
        case date(Ordering)
        case bool
        case binaryEquals
        case ipAddress
        case arnLike
        case null
    }

    /// The order relation of Numeric* and Date* operators.
    public enum Ordering: Sendable, Equatable {
        case equals, lessThan, lessThanEquals, greaterThan, greaterThanEquals
    }

    public var name: String
    public var comparison: Comparison
    /// StringNotEquals, NumericNotEquals, NotIpAddress, ArnNotLike...: true when no policy value matches.
    public var negated: Bool
    public var ifExists: Bool
    public var qualifier: SetQualifier

    /// Parses an operator name; nil for names IAM does not know.
    public init?(_ name: String) {
        self.name = name
        var rest = Substring(name)
        if rest.hasPrefix("ForAnyValue:") { qualifier = .forAnyValue; rest = rest.dropFirst("ForAnyValue:".count) }
        else if rest.hasPrefix("ForAllValues:") { qualifier = .forAllValues; rest = rest.dropFirst("ForAllValues:".count) }
        else { qualifier = .none }
        ifExists = false
        if rest.hasSuffix("IfExists") { ifExists = true; rest = rest.dropLast("IfExists".count) }
        guard let (c, neg) = ConditionOperator.base[String(rest)] else { return nil }
        // Null takes no IfExists and no set qualifier: it is itself about presence.
        if c == .null && (ifExists || qualifier != .none) { return nil }
        comparison = c
        negated = neg
    }

    static let base: [String: (Comparison, Bool)] = [
        "StringEquals": (.stringEquals, false), "StringNotEquals": (.stringEquals, true),
        "StringEqualsIgnoreCase": (.stringEqualsIgnoreCase, false), "StringNotEqualsIgnoreCase": (.stringEqualsIgnoreCase, true),
        "StringLike": (.stringLike, false), "StringNotLike": (.stringLike, true),
        "NumericEquals": (.numeric(.equals), false), "NumericNotEquals": (.numeric(.equals), true),
        "NumericLessThan": (.numeric(.lessThan), false), "NumericLessThanEquals": (.numeric(.lessThanEquals), false),
        "NumericGreaterThan": (.numeric(.greaterThan), false), "NumericGreaterThanEquals": (.numeric(.greaterThanEquals), false),
        "DateEquals": (.date(.equals), false), "DateNotEquals": (.date(.equals), true),
        "DateLessThan": (.date(.lessThan), false), "DateLessThanEquals": (.date(.lessThanEquals), false),
        "DateGreaterThan": (.date(.greaterThan), false), "DateGreaterThanEquals": (.date(.greaterThanEquals), false),
        "Bool": (.bool, false),
        "BinaryEquals": (.binaryEquals, false),
        "IpAddress": (.ipAddress, false), "NotIpAddress": (.ipAddress, true),
        // ArnEquals and ArnLike behave the same: both honour wildcards in each ARN part.
        "ArnEquals": (.arnLike, false), "ArnLike": (.arnLike, false),
        "ArnNotEquals": (.arnLike, true), "ArnNotLike": (.arnLike, true),
        "Null": (.null, false),
    ]
}
