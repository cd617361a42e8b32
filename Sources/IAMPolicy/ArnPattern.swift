/// An ARN split into its six parts (`arn:partition:service:region:account:resource`); the resource part keeps
/// any further colons and slashes.
struct ArnParts: Sendable {
    let parts: [Substring]

    init?(_ s: String) {
        let p = s.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard p.count == 6 else { return nil }
        parts = p
    }
}

/// A resource pattern (Resource element, ArnLike values): wildcards are matched within each ARN part, so
/// `arn:aws:lambda:*:123456789012:function:dev-*` matches any region but one account. Patterns that are not
/// six-part ARNs (`*`, `arn:aws:s3*`) match the whole string.
struct ArnPattern: Sendable {
    enum Compiled: Sendable {
        case all
        case parts([Glob])
        case whole(Glob)
    }

    let template: PolicyTemplate
    let fixed: Compiled?
    /// ArnLike requires an ARN on both sides; the Resource element falls back to matching the whole text.
    let requireArn: Bool

    init(_ text: String, variables: Bool, requireArn: Bool) {
        template = PolicyTemplate(text, variables: variables)
        self.requireArn = requireArn
        fixed = template.hasVariables ? nil : ArnPattern.compile(template, nil)
    }

    static func compile(_ t: PolicyTemplate, _ ctx: ConditionContext?) -> Compiled? {
        guard let pieces = t.globPieces(ctx) else { return nil }
        if pieces == [.star] { return .all }
        // Split the pieces at the first five literal colons.
        var groups: [[Glob.Piece]] = [[]]
        for p in pieces {
            guard case .literal(let bytes) = p, groups.count < 6, bytes.contains(UInt8(ascii: ":")) else {
                groups[groups.count - 1].append(p)
                continue
            }
            var current: [UInt8] = []
            for b in bytes {
                if b == UInt8(ascii: ":") && groups.count < 6 {
                    if !current.isEmpty { groups[groups.count - 1].append(.literal(current)); current = [] }
                    groups.append([])
                } else {
                    current.append(b)
                }
            }
            if !current.isEmpty { groups[groups.count - 1].append(.literal(current)) }
        }
        if groups.count == 6 { return .parts(groups.map { Glob(pieces: $0, caseInsensitive: false) }) }
        return .whole(Glob(pieces: pieces, caseInsensitive: false))
    }

    func matches(_ value: String, _ arn: ArnParts?, _ ctx: ConditionContext?) -> Bool {
        guard let compiled = fixed ?? ArnPattern.compile(template, ctx) else { return false }
        switch compiled {
        case .all:
            return requireArn ? arn != nil : true
        case .parts(let globs):
            guard let arn else { return false }
            for k in 0..<6 {
                var part = arn.parts[k]
                let ok = part.withUTF8 { globs[k].matches(bytes: $0) }
                if !ok { return false }
            }
            return true
        case .whole(let g):
            if requireArn && arn == nil { return false }
            return g.matches(value)
        }
    }
}
