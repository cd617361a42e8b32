/// A condition with its policy values parsed once into the form its operator compares.
final class CompiledCondition: Sendable {
    enum Values: Sendable {
        /// Exact strings (possibly with variables), optionally compared ignoring case.
        case exact([PolicyTemplate], fixed: [String?], ignoreCase: Bool)
        case like([Glob])
        case numbers([Double?])
        case dates([Double?])
        case bools([String])
        case binary([[UInt8]?])
        case ranges([IPRange?])
        case arns([ArnPattern])
        /// Null: each value says whether the key must be absent (true) or present (false).
        case nulls([Bool?])
    }

    let condition: PolicyCondition
    let op: ConditionOperator
    /// Lower-cased, as keys are case-insensitive.
    let key: String
    let values: Values

    init(_ c: PolicyCondition, variables: Bool) {
        condition = c
        op = c.op
        key = c.key.lowercased()
        switch c.op.comparison {
        case .stringEquals, .stringEqualsIgnoreCase:
            let ic = c.op.comparison == .stringEqualsIgnoreCase
            let ts = c.values.map { PolicyTemplate($0, variables: variables) }
            values = .exact(ts, fixed: ts.map { t in t.hasVariables ? nil : (ic ? t.literalText(nil)?.lowercased() : t.literalText(nil)) },
                            ignoreCase: ic)
        case .stringLike:
            values = .like(c.values.map { Glob(pieces: PolicyTemplate($0, variables: variables).pieces, caseInsensitive: false) })
        case .numeric: values = .numbers(c.values.map(ConditionValues.number))
        case .date: values = .dates(c.values.map(ConditionValues.date))
        case .bool: values = .bools(c.values.map { $0.lowercased() })
        case .binaryEquals: values = .binary(c.values.map(ConditionValues.base64))
        case .ipAddress: values = .ranges(c.values.map(IPRange.init))
        case .arnLike: values = .arns(c.values.map { ArnPattern($0, variables: variables, requireArn: true) })
        case .null: values = .nulls(c.values.map { v in v.lowercased() == "true" ? true : (v.lowercased() == "false" ? false : nil) })
        }
    }

    /// The condition's truth for a request, with AWS's rules for absent keys, negation and set qualifiers.
    func evaluate(_ ctx: ConditionContext) -> Bool {
        let request = ctx.values(lowercasedKey: key)
        if case .nulls(let expect) = values {
            let absent = request?.isEmpty ?? true
            return expect.contains { $0 == absent }
        }
        guard let request, !request.isEmpty else {
            if op.ifExists { return true }
            switch op.qualifier {
            case .forAllValues: return true
            case .forAnyValue: return false
            case .none: return op.negated
            }
        }
        switch (op.qualifier, op.negated) {
        case (.none, false), (.forAnyValue, false): return request.contains { matchesAny($0, ctx) }
        case (.none, true): return !request.contains { matchesAny($0, ctx) }
        case (.forAnyValue, true): return request.contains { !matchesAny($0, ctx) }
        case (.forAllValues, false): return request.allSatisfy { matchesAny($0, ctx) }
        case (.forAllValues, true): return request.allSatisfy { !matchesAny($0, ctx) }
        }
    }

    /// True when one request value matches at least one policy value (the values of a key OR together).
    func matchesAny(_ v: String, _ ctx: ConditionContext) -> Bool {
        switch values {
        case .exact(let templates, let fixed, let ignoreCase):
            let probe = ignoreCase ? v.lowercased() : v
            for k in 0..<templates.count {
                if let f = fixed[k] {
                    if f == probe { return true }
                } else if let t = templates[k].literalText(ctx), (ignoreCase ? t.lowercased() : t) == probe {
                    return true
                }
            }
            return false
        case .like(let globs):
            return globs.contains { $0.matches(v, ctx) }
        case .numbers(let ns):
            guard let x = ConditionValues.number(v) else { return false }
            return ns.contains { $0.map { compare(x, $0) } ?? false }
        case .dates(let ds):
            guard let x = ConditionValues.date(v) else { return false }
            return ds.contains { $0.map { compare(x, $0) } ?? false }
        case .bools(let bs):
            return bs.contains { ConditionValues.equalsIgnoringASCIICase($0, v) }
        case .binary(let bs):
            guard let x = ConditionValues.base64(v) else { return false }
            return bs.contains { $0 == x }
        case .ranges(let rs):
            // A plain IPv4 address (every aws:SourceIp of this server) is compared without building a range.
            if let address = IPRange.ipv4Address(v) { return rs.contains { $0?.contains(ipv4: address) ?? false } }
            guard let ip = IPRange(v) else { return false }
            return rs.contains { $0?.contains(ip) ?? false }
        case .arns(let ps):
            var arn = LazyArnParts(v)
            return ps.contains { $0.matches(&arn, ctx) }
        case .nulls:
            return false
        }
    }

    private func compare(_ x: Double, _ y: Double) -> Bool {
        let ordering: ConditionOperator.Ordering
        switch op.comparison {
        case .numeric(let o), .date(let o): ordering = o
        default: return false
        }
        switch ordering {
        case .equals: return x == y
        case .lessThan: return x < y
        case .lessThanEquals: return x <= y
        case .greaterThan: return x > y
        case .greaterThanEquals: return x >= y
        }
    }

    /// Keys this condition reads: its own and those of variables in its values.
    var referencedKeys: [String] {
        var keys = [condition.key]
        if op.comparison == .stringEquals || op.comparison == .stringEqualsIgnoreCase || op.comparison == .stringLike
            || op.comparison == .arnLike {
            for v in condition.values { keys += PolicyTemplate(v, variables: true).variableKeys }
        }
        return keys
    }
}
