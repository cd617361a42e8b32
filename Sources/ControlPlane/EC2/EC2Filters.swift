import AWSWire
import CloudModel

/// One EC2 filter value: `*` matches any run of characters, `?` any one, `\` escapes the next one.
public struct WildcardPattern: Sendable, Equatable {
    enum Token: Sendable, Equatable { case char(Character), any, one }
    let tokens: [Token]
    /// Set when the pattern has no wildcard, so matching is a plain comparison.
    let literal: String?

    public init(_ text: String) {
        var tokens: [Token] = []
        var escaped = false
        var hasWildcard = false
        for c in text {
            if escaped { tokens.append(.char(c)); escaped = false; continue }
            switch c {
            case "\\": escaped = true
            case "*": tokens.append(.any); hasWildcard = true
            case "?": tokens.append(.one); hasWildcard = true
            default: tokens.append(.char(c))
            }
        }
        if escaped { tokens.append(.char("\\")) }
        self.tokens = tokens
        literal = hasWildcard ? nil : String(tokens.map { if case .char(let c) = $0 { return c } else { return " " } })
    }

    public func matches(_ s: String) -> Bool {
        if let literal { return literal == s }
        let text = Array(s)
        var t = 0, p = 0
        var starP = -1, starT = 0
        while t < text.count {
            if p < tokens.count {
                switch tokens[p] {
                case .any: starP = p; starT = t; p += 1; continue
                case .one: t += 1; p += 1; continue
                case .char(let c) where c == text[t]: t += 1; p += 1; continue
                default: break
                }
            }
            guard starP >= 0 else { return false }
            p = starP + 1; starT += 1; t = starT
        }
        while p < tokens.count, tokens[p] == .any { p += 1 }
        return p == tokens.count
    }
}

/// The filters of one Describe request, compiled against the filter names its resource supports.
/// Values of one filter OR together; filters AND together.
public struct EC2FilterSet<R> {
    struct Clause {
        let values: (R) -> [String]
        let patterns: [WildcardPattern]
    }
    let clauses: [Clause]

    public var isEmpty: Bool { clauses.isEmpty }

    public func matches(_ r: R) -> Bool {
        for c in clauses {
            let vs = c.values(r)
            if !c.patterns.contains(where: { p in vs.contains { p.matches($0) } }) { return false }
        }
        return true
    }
}

/// Reads `Filter.N.Name` / `Filter.N.Value.M` and compiles them.
public enum EC2Filters {
    public typealias Fields<R> = [String: (R) -> [String]]

    /// `fields` is only called when the request has filters, so unfiltered Describes build nothing.
    public static func compile<R>(_ p: QueryParameters, tags: ((R) -> [Tag])?, fields: () -> Fields<R>) throws -> EC2FilterSet<R> {
        let raw = p.filters()
        if raw.isEmpty { return EC2FilterSet(clauses: []) }
        let table = fields()
        var clauses: [EC2FilterSet<R>.Clause] = []
        for f in raw {
            let patterns = f.values.map(WildcardPattern.init)
            if let extract = table[f.name] {
                clauses.append(.init(values: extract, patterns: patterns))
            } else if let tags, f.name.hasPrefix("tag:") {
                let key = String(f.name.dropFirst(4))
                clauses.append(.init(values: { r in tags(r).filter { $0.key == key }.map(\.value) }, patterns: patterns))
            } else if let tags, f.name == "tag-key" {
                clauses.append(.init(values: { r in tags(r).map(\.key) }, patterns: patterns))
            } else if let tags, f.name == "tag-value" {
                clauses.append(.init(values: { r in tags(r).map(\.value) }, patterns: patterns))
            } else {
                throw EC2Errors.unknownFilter(f.name)
            }
        }
        return EC2FilterSet(clauses: clauses)
    }

    static func bool(_ b: Bool) -> [String] { [b ? "true" : "false"] }
}
