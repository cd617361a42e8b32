/// A policy string that may hold policy variables (`${aws:username}`, `${aws:username, 'default'}`) and the
/// escapes `${*}`, `${?}`, `${$}`; variables exist only in Version 2012-10-17 documents.
/// Compiled once; strings without variables are matched without any work per request.
struct PolicyTemplate: Sendable, Equatable {
    enum Segment: Sendable, Equatable {
        /// Literal text, including escaped `*`, `?`, `$`.
        case text(String)
        case star
        case one
        /// A request-context key (lower-cased) with an optional default value.
        case variable(key: String, fallback: String?)
    }

    let segments: [Segment]
    let source: String
    var hasVariables: Bool { segments.contains { if case .variable = $0 { return true } else { return false } } }

    init(_ s: String, variables: Bool) {
        source = s
        var segs: [Segment] = []
        var lit = ""
        func flush() { if !lit.isEmpty { segs.append(.text(lit)); lit = "" } }
        var idx = s.startIndex
        while idx < s.endIndex {
            let c = s[idx]
            if variables, c == "$", s[s.index(after: idx)...].hasPrefix("{"),
               let close = s[idx...].firstIndex(of: "}") {
                let inner = String(s[s.index(idx, offsetBy: 2)..<close])
                switch inner {
                case "*", "?", "$": lit += inner
                default:
                    flush()
                    segs.append(PolicyTemplate.variable(inner))
                }
                idx = s.index(after: close)
                continue
            }
            switch c {
            case "*": flush(); segs.append(.star)
            case "?": flush(); segs.append(.one)
            default: lit.append(c)
            }
            idx = s.index(after: idx)
        }
        flush()
        segments = segs
    }

    private static func variable(_ inner: String) -> Segment {
        guard let comma = inner.firstIndex(of: ",") else {
            return .variable(key: inner.trimmingSpaces().lowercased(), fallback: nil)
        }
        let key = String(inner[..<comma]).trimmingSpaces().lowercased()
        var def = String(inner[inner.index(after: comma)...]).trimmingSpaces()
        if def.count >= 2, def.hasPrefix("'"), def.hasSuffix("'") { def = String(def.dropFirst().dropLast()) }
        return .variable(key: key, fallback: def)
    }

    /// The glob pieces with variables substituted; nil when a variable has no value and no default.
    func globPieces(_ context: ConditionContext?) -> [Glob.Piece]? {
        var out: [Glob.Piece] = []
        for seg in segments {
            switch seg {
            case .text(let t): out.append(.literal(Array(t.utf8)))
            case .star: out.append(.star)
            case .one: out.append(.one)
            case .variable(let key, let fallback):
                guard let v = context?.values(lowercasedKey: key)?.first ?? fallback else { return nil }
                out.append(.literal(Array(v.utf8)))
            }
        }
        return out
    }

    /// The text with variables substituted and wildcards as plain characters (for exact operators).
    func literalText(_ context: ConditionContext?) -> String? {
        var out = ""
        for seg in segments {
            switch seg {
            case .text(let t): out += t
            case .star: out += "*"
            case .one: out += "?"
            case .variable(let key, let fallback):
                guard let v = context?.values(lowercasedKey: key)?.first ?? fallback else { return nil }
                out += v
            }
        }
        return out
    }

    /// Variable keys this string refers to (for the simulator's missing context values).
    var variableKeys: [String] {
        segments.compactMap { if case .variable(let k, nil) = $0 { return k } else { return nil } }
    }
}

/// A template compiled for wildcard matching: a fixed Glob when there are no variables.
struct TemplateGlob: Sendable {
    let template: PolicyTemplate
    let fixed: Glob?
    let caseInsensitive: Bool

    init(_ template: PolicyTemplate, caseInsensitive: Bool) {
        self.template = template
        self.caseInsensitive = caseInsensitive
        fixed = template.hasVariables ? nil : Glob(pieces: template.globPieces(nil) ?? [], caseInsensitive: caseInsensitive)
    }

    func glob(_ context: ConditionContext?) -> Glob? {
        if let fixed { return fixed }
        return template.globPieces(context).map { Glob(pieces: $0, caseInsensitive: caseInsensitive) }
    }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
