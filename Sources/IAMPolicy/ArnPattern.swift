#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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

/// A resource's ARN parts, split on first use: patterns compared as a whole (`*`, a literal ARN, a literal prefix
/// and one final star) never need them.
struct LazyArnParts {
    let text: String
    private var parsed: ArnParts??

    init(_ text: String) {
        self.text = text
        parsed = nil
    }

    /// For a resource already split (`parts`: what `ArnParts(text)` gave).
    init(_ text: String, parts: ArnParts?) {
        self.text = text
        parsed = .some(parts)
    }

    mutating func parts() -> ArnParts? {
        if let p = parsed { return p }
        let p = ArnParts(text)
        parsed = .some(p)
        return p
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
        /// A literal ARN (all six parts written out): the value must equal it.
        case literal([UInt8])
        /// A literal with all five colons, then one final `*` (`arn:aws:lambda:us-east-1:123456789012:function:dev-*`):
        /// the value must start with the literal, which is what matching part by part comes to, since the literal
        /// fixes the first five parts and the star only extends the last.
        case prefix([UInt8])
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
        guard groups.count == 6 else { compiled = .whole(Glob(pieces: pieces, caseInsensitive: false)); return }
        switch Glob(pieces: pieces, caseInsensitive: false).pieces {
        case let merged where merged.count == 1:
            if case .literal(let bytes) = merged[0] { compiled = .literal(bytes); return }
        case let merged where merged.count == 2:
            if case .literal(let bytes) = merged[0], merged[1] == .star { compiled = .prefix(bytes); return }
        default: break
        }
        compiled = .parts(groups.map { Glob(pieces: $0, caseInsensitive: false) })
    }


    /// A byte comparison on the string's own storage (String.UTF8View's iteration costs tens of instructions a byte).
    private static func startsWith(_ s: String, _ bytes: [UInt8]) -> Bool {
        if let equal = s.utf8.withContiguousStorageIfAvailable({ b in
            bytes.withUnsafeBufferPointer { p in
                b.count >= p.count && (p.isEmpty || memcmp(b.baseAddress!, p.baseAddress!, p.count) == 0)
            }
        }) { return equal }
        return s.utf8.starts(with: bytes)
    }

    /// `value`'s ARN parts are split only when a part-by-part pattern needs them.
    func matches(_ value: inout LazyArnParts, _ ctx: ConditionContext?) -> Bool {
        switch compiled {
        case .all:
            return requireArn ? value.parts() != nil : true
        case .literal(let bytes):
            return value.text.utf8.count == bytes.count && Self.startsWith(value.text, bytes)
        case .prefix(let bytes):
            return value.text.utf8.count >= bytes.count && Self.startsWith(value.text, bytes)
        case .parts(let globs):
            guard let arn = value.parts() else { return false }
            for k in 0..<6 where !globs[k].matches(bytes: arn.part(k), ctx) { return false }
            return true
        case .whole(let g):
            if requireArn && value.parts() == nil { return false }
            return g.matches(value.text, ctx)
        }
    }
}
