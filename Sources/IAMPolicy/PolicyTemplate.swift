/// A policy string that may hold policy variables (`${aws:username}`, `${aws:username, 'default'}`) and the
/// escapes `${*}`, `${?}`, `${$}`; variables exist only in Version 2012-10-17 documents.
struct PolicyTemplate: Sendable, Equatable {
    let pieces: [Glob.Piece]
    let source: String
    let hasVariables: Bool

    init(_ s: String, variables: Bool) {
        source = s
        var out: [Glob.Piece] = []
        var lit: [UInt8] = []
        func flush() { if !lit.isEmpty { out.append(.literal(lit)); lit = [] } }
        var idx = s.startIndex
        while idx < s.endIndex {
            let c = s[idx]
            if variables, c == "$", s[s.index(after: idx)...].hasPrefix("{"),
               let close = s[idx...].firstIndex(of: "}") {
                let inner = String(s[s.index(idx, offsetBy: 2)..<close])
                switch inner {
                case "*", "?", "$": lit += Array(inner.utf8)
                default:
                    flush()
                    out.append(PolicyTemplate.variable(inner))
                }
                idx = s.index(after: close)
                continue
            }
            switch c {
            case "*": flush(); out.append(.star)
            case "?": flush(); out.append(.one)
            default: lit += Array(String(c).utf8)
            }
            idx = s.index(after: idx)
        }
        flush()
        pieces = out
        hasVariables = out.contains { if case .variable = $0 { return true } else { return false } }
    }

    private static func variable(_ inner: String) -> Glob.Piece {
        guard let comma = inner.firstIndex(of: ",") else {
            return .variable(key: inner.trimmingSpaces().lowercased(), fallback: nil)
        }
        let key = String(inner[..<comma]).trimmingSpaces().lowercased()
        var def = String(inner[inner.index(after: comma)...]).trimmingSpaces()
        if def.count >= 2, def.hasPrefix("'"), def.hasSuffix("'") { def = String(def.dropFirst().dropLast()) }
        return .variable(key: key, fallback: def)
    }

    /// The text with variables substituted and wildcards as plain characters (for exact operators);
    /// nil when a variable has no value and no default.
    func literalText(_ context: ConditionContext?) -> String? {
        var out: [UInt8] = []
        for piece in pieces {
            switch piece {
            case .literal(let b): out += b
            case .star: out.append(UInt8(ascii: "*"))
            case .one: out.append(UInt8(ascii: "?"))
            case .variable(let key, let fallback):
                guard let v = context?.values(lowercasedKey: key)?.first ?? fallback else { return nil }
                out += Array(v.utf8)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Variable keys without a default this string refers to (for the simulator's missing context values).
    var variableKeys: [String] {
        pieces.compactMap { if case .variable(let k, nil) = $0 { return k } else { return nil } }
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
