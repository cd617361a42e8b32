import Foundation

/// One member of `Parameters`: its type and constraints.
public struct ParameterDeclaration: Sendable, Equatable {
    public var name: String
    public var type: String
    public var defaultValue: String?
    public var noEcho: Bool
    public var description: String?
    public var allowedValues: [String]?
    public var allowedPattern: String?
    public var minLength: Int?
    public var maxLength: Int?
    public var minValue: Double?
    public var maxValue: Double?
    public var constraintDescription: String?

    static let properties: Set<String> = ["Type", "Default", "NoEcho", "Description", "AllowedValues", "AllowedPattern",
                                          "MinLength", "MaxLength", "MinValue", "MaxValue", "ConstraintDescription"]

    init(name: String, _ v: TemplateValue) throws(TemplateError) {
        guard case .object(let o) = v else { throw .format("Every Parameters object must contain a Type member.") }
        for k in o.keys.sorted() where !Self.properties.contains(k) {
            throw TemplateError("Invalid template parameter property '\(k)'")
        }
        guard let t = o["Type"]?.stringValue else { throw .format("Every Parameters object must contain a Type member.") }
        guard Self.isKnownType(t) else { throw .format("Unrecognized parameter type: \(t)") }
        self.name = name
        type = t
        switch o["Default"] {
        case .list(let l)?: defaultValue = l.compactMap(\.scalarText).joined(separator: ",")
        case let d?: defaultValue = d.scalarText
        case nil: defaultValue = nil
        }
        noEcho = o["NoEcho"].map { $0 == .bool(true) || $0.scalarText?.lowercased() == "true" } ?? false
        description = o["Description"]?.scalarText
        allowedValues = o["AllowedValues"]?.listValue?.compactMap(\.scalarText)
        allowedPattern = o["AllowedPattern"]?.scalarText
        minLength = o["MinLength"]?.scalarText.flatMap { Int($0) }
        maxLength = o["MaxLength"]?.scalarText.flatMap { Int($0) }
        minValue = o["MinValue"]?.scalarText.flatMap { Double($0) }
        maxValue = o["MaxValue"]?.scalarText.flatMap { Double($0) }
        constraintDescription = o["ConstraintDescription"]?.scalarText
    }

    static func isKnownType(_ t: String) -> Bool {
        if ["String", "Number", "List<Number>", "CommaDelimitedList"].contains(t) { return true }
        if t.hasPrefix("AWS::SSM::Parameter::") { return true }
        if t.hasPrefix("AWS::EC2::") || t.hasPrefix("AWS::Route53::") { return true }
        if t.hasPrefix("List<AWS::EC2::") || t.hasPrefix("List<AWS::Route53::") { return true }
        return false
    }

    /// Whether the value is a list (`Ref` yields a list).
    public var isList: Bool {
        type == "CommaDelimitedList" || type.hasPrefix("List<")
            || (type.hasPrefix("AWS::SSM::Parameter::Value<List<") || type == "AWS::SSM::Parameter::Value<CommaDelimitedList>")
    }

    /// The SSM parameter types: the value given names a parameter in Parameter Store.
    public var isSSMValue: Bool { type.hasPrefix("AWS::SSM::Parameter::Value<") }

    /// Checks one value against the type and constraints; returns what `Ref` gives.
    public func check(_ value: String) throws(TemplateError) -> TemplateValue {
        let items = isList ? value.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) } : [value]
        let numeric = type == "Number" || type == "List<Number>"
        for item in items {
            if numeric, Double(item) == nil {
                throw TemplateError("Parameter '\(name)' must be a number\(type == "List<Number>" ? " list" : "")")
            }
            try checkConstraints(item)
        }
        if isList { return .list(items.map { .string($0) }) }
        return .string(value)
    }

    private func checkConstraints(_ v: String) throws(TemplateError) {
        func fail(_ m: String) -> TemplateError {
            if let c = constraintDescription { return TemplateError("Parameter '\(name)' failed to satisfy constraint: \(c)") }
            return TemplateError("Parameter '\(name)' \(m)")
        }
        if let a = allowedValues, !a.contains(v) { throw fail("must be one of AllowedValues") }
        if let p = allowedPattern {
            let whole = "^(?:" + p + ")$"
            if v.range(of: whole, options: .regularExpression) == nil { throw fail("must match pattern \(p)") }
        }
        if let m = minLength, v.count < m { throw fail("must contain at least \(m) characters") }
        if let m = maxLength, v.count > m { throw fail("must contain at most \(m) characters") }
        if let d = Double(v) {
            if let m = minValue, d < m { throw fail("must be a number not less than \(Self.text(m))") }
            if let m = maxValue, d > m { throw fail("must be a number not greater than \(Self.text(m))") }
        }
    }

    static func text(_ d: Double) -> String { d == d.rounded() ? String(Int(d)) : String(d) }
}

/// The values a stack gives its parameters, resolved against the template's declarations.
public enum ParameterResolution {
    /// Resolves given values (and defaults) into what `Ref` yields; `ssmLookup` reads Parameter Store for the
    /// `AWS::SSM::Parameter::Value<…>` types (nil result: no such parameter).
    /// - Returns: the `Ref` values, and the resolved values of SSM parameters by name (DescribeStacks shows them).
    public static func resolve(_ template: Template, given: [String: String],
                               ssmLookup: (String) -> String?) throws(TemplateError) -> (values: [String: TemplateValue], resolvedSSM: [String: String]) {
        let unknown = given.keys.filter { template.parameters[$0] == nil }.sorted()
        if !unknown.isEmpty { throw TemplateError("Parameters: [\(unknown.joined(separator: ", "))] do not exist in the template") }
        let missing = template.parameterOrder.filter { given[$0] == nil && template.parameters[$0]?.defaultValue == nil }
        if !missing.isEmpty { throw TemplateError("Parameters: [\(missing.joined(separator: ", "))] must have values") }
        var values: [String: TemplateValue] = [:]
        var resolvedSSM: [String: String] = [:]
        var unresolved: [String] = []
        for name in template.parameterOrder {
            let decl = template.parameters[name]!
            var raw = given[name] ?? decl.defaultValue!
            if decl.isSSMValue {
                guard let v = ssmLookup(raw) else { unresolved.append(raw); continue }
                resolvedSSM[name] = v
                raw = v
                values[name] = decl.isList ? .list(v.split(separator: ",").map { .string(String($0)) }) : .string(v)
                continue
            }
            values[name] = try decl.check(raw)
        }
        if !unresolved.isEmpty {
            throw TemplateError("Unable to fetch parameters [\(unresolved.joined(separator: ","))] from parameter store for this account.")
        }
        return (values, resolvedSSM)
    }
}
