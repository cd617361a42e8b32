/// A compiled `*`/`?` pattern over UTF-8 bytes. `*` matches any run (including `:` and `/`), `?` one byte.
/// Policy variables stay pieces of their own and are looked up in the request's context while matching,
/// so a pattern is compiled once however its variables resolve. Case-insensitive patterns fold ASCII
/// letters at compile time; inputs are folded at match time.
final class Glob: Sendable {
    enum Piece: Sendable, Equatable {
        case literal([UInt8])
        case star
        case one
        /// A policy variable: the request's value for `key` (lower-cased), or `fallback`; no value, no match.
        case variable(key: String, fallback: String?)
    }

    let pieces: [Piece]
    let caseInsensitive: Bool
    /// Set when the pattern has no wildcard and no variable: matching is a plain comparison.
    let exact: [UInt8]?
    /// True for a pattern that is only stars, which matches everything.
    let matchesAll: Bool

    init(pieces: [Piece], caseInsensitive: Bool) {
        var merged: [Piece] = []
        for p in pieces {
            let folded: Piece
            if case .literal(let b) = p, caseInsensitive { folded = .literal(b.map(Glob.fold)) } else { folded = p }
            switch (merged.last, folded) {
            case (.literal(let a)?, .literal(let b)): merged[merged.count - 1] = .literal(a + b)
            case (.star?, .star): continue
            case (_, .literal(let b)) where b.isEmpty: continue
            default: merged.append(folded)
            }
        }
        self.pieces = merged
        self.caseInsensitive = caseInsensitive
        matchesAll = !merged.isEmpty && merged.allSatisfy { $0 == .star }
        if merged.isEmpty { exact = [] } else if merged.count == 1, case .literal(let b) = merged[0] { exact = b } else { exact = nil }
    }

    /// `*` and `?` are wildcards, every other character literal.
    convenience init(_ pattern: String, caseInsensitive: Bool) {
        var pieces: [Piece] = []
        var lit: [UInt8] = []
        for b in pattern.utf8 {
            if b == UInt8(ascii: "*") || b == UInt8(ascii: "?") {
                if !lit.isEmpty { pieces.append(.literal(lit)); lit = [] }
                pieces.append(b == UInt8(ascii: "*") ? .star : .one)
            } else {
                lit.append(b)
            }
        }
        if !lit.isEmpty { pieces.append(.literal(lit)) }
        self.init(pieces: pieces, caseInsensitive: caseInsensitive)
    }

    @inline(__always)
    static func fold(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b | 0x20 : b }

    func matches(_ s: String, _ ctx: ConditionContext? = nil) -> Bool {
        if matchesAll { return true }
        var s = s
        return s.withUTF8 { matches(bytes: $0, ctx) }
    }

    func matches<C: Collection>(bytes input: C, _ ctx: ConditionContext? = nil) -> Bool where C.Element == UInt8, C.Index == Int {
        if matchesAll { return true }
        if let exact {
            guard exact.count == input.count else { return false }
            var k = input.startIndex
            if caseInsensitive {
                for b in exact { if b != Glob.fold(input[k]) { return false }; k += 1 }
            } else {
                for b in exact { if b != input[k] { return false }; k += 1 }
            }
            return true
        }
        return match(input, ctx)
    }

    /// Wildcard matching that backtracks only to the most recent star (linear in practice).
    private func match<C: Collection>(_ input: C, _ ctx: ConditionContext?) -> Bool where C.Element == UInt8, C.Index == Int {
        let base = input.startIndex
        let count = input.count
        var p = 0
        var s = 0
        var starPiece = -1
        var starInput = 0
        while true {
            if p < pieces.count {
                switch pieces[p] {
                case .star:
                    starPiece = p
                    starInput = s
                    p += 1
                    continue
                case .one:
                    if s < count { p += 1; s += 1; continue }
                case .literal(let lit):
                    if s + lit.count <= count, equal(lit, input, base + s) { p += 1; s += lit.count; continue }
                case .variable(let key, let fallback):
                    guard let value = ctx?.values(lowercasedKey: key)?.first ?? fallback else { return false }
                    let n = value.utf8.count
                    if s + n <= count, equal(value.utf8, input, base + s) { p += 1; s += n; continue }
                }
            } else if s == count {
                return true
            }
            // Mismatch: let the last star swallow one more byte, or fail.
            guard starPiece >= 0, starInput < count else { return false }
            starInput += 1
            s = starInput
            p = starPiece + 1
        }
    }

    @inline(__always)
    private func equal<L: Collection, C: Collection>(_ lit: L, _ input: C, _ at: Int) -> Bool
    where L.Element == UInt8, C.Element == UInt8, C.Index == Int {
        var k = at
        if caseInsensitive {
            for b in lit { if b != Glob.fold(input[k]) { return false }; k += 1 }
        } else {
            for b in lit { if b != input[k] { return false }; k += 1 }
        }
        return true
    }
}
