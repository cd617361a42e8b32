/// An ARN split into its six parts (`arn:partition:service:region:account:resource`); the resource part keeps
/// any further colons and slashes.
struct ArnParts: Sendable {
    let bytes: [UInt8]
    /// Where each of the first five colons is, so no array of ranges is built per request.
    private let c0, c1, c2, c3, c4: Int

    init?(_ s: String) {
        bytes = Array(s.utf8)
        var cuts = (0, 0, 0, 0, 0)
        var found = 0
        for (i, b) in bytes.enumerated() where b == UInt8(ascii: ":") {
            switch found {
            case 0: cuts.0 = i
            case 1: cuts.1 = i
            case 2: cuts.2 = i
            case 3: cuts.3 = i
            default: cuts.4 = i
            }
            found += 1
            if found == 5 { break }
        }
        guard found == 5 else { return nil }
        (c0, c1, c2, c3, c4) = cuts
    }

    func part(_ k: Int) -> ArraySlice<UInt8> {
        switch k {
        case 0: return bytes[0..<c0]
        case 1: return bytes[(c0 + 1)..<c1]
        case 2: return bytes[(c1 + 1)..<c2]
        case 3: return bytes[(c2 + 1)..<c3]
        case 4: return bytes[(c3 + 1)..<c4]
        default: return bytes[(c4 + 1)...]
        }
    }
}

/// A resource pattern (Resource element, ArnLike values): wildcards are matched within each ARN part, so
/// `arn:aws:lambda:*:123456789012:function:dev-*` matches any region but one account. Patterns that are not
/// six-part ARNs (`*`, `arn:aws:s3*`) match the whole string. Compiled once, variables included.
struct ArnPattern: Sendable {
    enum Compiled: Sendable {
        case all
        case parts([Glob])
        case whole(Glob)
    }

    let compiled: Compiled
    /// ArnLike requires an ARN on both sides; the Resource element falls back to matching the whole text.
    let requireArn: Bool

    init(_ text: String, variables: Bool, requireArn: Bool) {
        self.requireArn = requireArn
        let pieces = PolicyTemplate(text, variables: variables).pieces
        if pieces == [.star] { compiled = .all; return }
        // Split at the first five literal colons of the pattern text.
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
        compiled = groups.count == 6 ? .parts(groups.map { Glob(pieces: $0, caseInsensitive: false) })
                                     : .whole(Glob(pieces: pieces, caseInsensitive: false))
    }

    func matches(_ value: String, _ arn: ArnParts?, _ ctx: ConditionContext?) -> Bool {
        switch compiled {
        case .all:
            return requireArn ? arn != nil : true
        case .parts(let globs):
            guard let arn else { return false }
            for k in 0..<6 where !globs[k].matches(bytes: arn.part(k), ctx) { return false }
            return true
        case .whole(let g):
            if requireArn && arn == nil { return false }
            return g.matches(value, ctx)
        }
    }
}
