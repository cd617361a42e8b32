/// A compiled `*`/`?` pattern over UTF-8 bytes. `*` matches any run (including `:` and `/`), `?` one byte.
/// Case-insensitive patterns fold ASCII letters at compile time; inputs are folded at match time.
struct Glob: Sendable, Equatable {
    enum Piece: Sendable, Equatable {
        case literal([UInt8])
        case star
        case one
    }

    let pieces: [Piece]
    let caseInsensitive: Bool
    /// Set when the pattern has no wildcard: matching is a plain comparison.
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
    init(_ pattern: String, caseInsensitive: Bool) {
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

    static func fold(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b | 0x20 : b }

    func matches(_ s: String) -> Bool {
        if matchesAll { return true }
        var s = s
        return s.withUTF8 { matches(bytes: $0) }
    }

    func matches(bytes input: UnsafeBufferPointer<UInt8>) -> Bool {
        if matchesAll { return true }
        if let exact {
            guard exact.count == input.count else { return false }
            if caseInsensitive {
                for k in 0..<exact.count where exact[k] != Glob.fold(input[k]) { return false }
                return true
            }
            return exact.elementsEqual(input)
        }
        return match(pieceIndex: 0, input: input, at: 0)
    }

    /// Classic wildcard matching with backtracking to the most recent star only (linear in practice).
    private func match(pieceIndex: Int, input: UnsafeBufferPointer<UInt8>, at start: Int) -> Bool {
        var p = pieceIndex
        var s = start
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
                    if s < input.count { p += 1; s += 1; continue }
                case .literal(let lit):
                    if s + lit.count <= input.count, equal(lit, input, s) { p += 1; s += lit.count; continue }
                }
            } else if s == input.count {
                return true
            }
            // Mismatch: let the last star swallow one more byte, or fail.
            guard starPiece >= 0, starInput < input.count else { return false }
            starInput += 1
            s = starInput
            p = starPiece + 1
        }
    }

    @inline(__always)
    private func equal(_ lit: [UInt8], _ input: UnsafeBufferPointer<UInt8>, _ at: Int) -> Bool {
        if caseInsensitive {
            for k in 0..<lit.count where lit[k] != Glob.fold(input[at + k]) { return false }
        } else {
            for k in 0..<lit.count where lit[k] != input[at + k] { return false }
        }
        return true
    }
}
