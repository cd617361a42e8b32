/// The nft scripts that bring a namespace's fabric tables to a `Firewall`: a full replacement (for a namespace
/// whose tables are unknown) and an in-place update from the firewall loaded before (for one this process loaded).
///
/// Both are single transactions, so a packet sees either the old ruleset or the new one, never a mixture or an
/// empty chain; conntrack entries live outside the tables, so established flows survive either way. The update
/// touches only what differs: set elements added and removed, changed chains flushed and refilled, and the
/// fingerprint chain swapped. It is a fraction of the full script for libnftables to parse and for the kernel to
/// commit, which is what a re-render of 100 ENIs costs.
extension Firewall {
    /// Prefix of the empty chain whose name is the fingerprint: a table's comment cannot be changed in place.
    static let fingerprintChainPrefix = "lv_fp_"

    /// Builds the one-transaction script replacing `tables` (each `add`, `delete`, define, so it works whether or
    /// not they exist); the first table holds the fingerprint chain.
    static func make(sysctls: [(key: String, value: String)], tables: [(table: String, body: String)]) -> Firewall {
        var a = FNV(), b = FNV(offset: 0x84222325cbf29ce4)
        for (key, value) in sysctls { a.add(key); a.add("="); a.add(value); a.add("\n") }
        for t in tables { a.add(t.table); a.add("{"); a.add(t.body); a.add("}") }
        b.mix(a.value)
        for t in tables { b.add(t.body) }
        let fingerprint = fingerprintChainPrefix + hex(a.value) + hex(b.value)
        var script = ""
        for (i, t) in tables.enumerated() {
            script += "add table \(t.table)\ndelete table \(t.table)\ntable \(t.table) {\n"
            if i == 0 { script += "\tchain \(fingerprint) {\n\t}\n" }
            script += t.body + "}\n"
        }
        return Firewall(sysctls: sysctls, fingerprintTable: tables[0].table, ruleset: script, fingerprint: fingerprint)
    }

    /// The transaction turning the loaded firewall `old` into `self` in place, or nil when only a full replacement
    /// can (a table, hooked chain or set type appears, goes or changes; or a script not made by `make`).
    func update(from old: Firewall) -> String? {
        guard let before = RulesetShape(script: old.ruleset), let after = RulesetShape(script: ruleset),
              before.tables.map(\.name) == after.tables.map(\.name) else { return nil }
        var adds: [String] = [], refills: [String] = [], removals: [String] = []
        for (o, n) in zip(before.tables, after.tables) {
            let t = n.name
            for (name, set) in n.sets {
                guard let was = o.sets[name] else {
                    adds.append("add set \(t) \(name) { \(set.header.joined(separator: "; ")); }")
                    if !set.elements.isEmpty { adds.append("add element \(t) \(name) { \(set.elements.joined(separator: ", ")) }") }
                    continue
                }
                guard was.header == set.header else { return nil }
                let had = Set(was.elements), has = Set(set.elements)
                let added = set.elements.filter { !had.contains($0) }
                let gone = was.elements.filter { !has.contains($0) }
                if !added.isEmpty { adds.append("add element \(t) \(name) { \(added.joined(separator: ", ")) }") }
                if !gone.isEmpty { removals.insert("delete element \(t) \(name) { \(gone.joined(separator: ", ")) }", at: 0) }
            }
            for (name, chain) in n.chains {
                guard let was = o.chains[name] else {
                    guard chain.hook == nil else { return nil }
                    adds.append("add chain \(t) \(name)")
                    refills += chain.rules.map { "add rule \(t) \(name) \($0)" }
                    continue
                }
                guard was.hook == chain.hook else { return nil }
                if was.rules != chain.rules {
                    refills.append("flush chain \(t) \(name)")
                    refills += chain.rules.map { "add rule \(t) \(name) \($0)" }
                }
            }
            // Removed chains and sets go last, once no rule refers to them any more.
            for (name, chain) in o.chains where n.chains[name] == nil {
                guard chain.hook == nil else { return nil }
                removals.append("flush chain \(t) \(name)")
                removals.append("delete chain \(t) \(name)")
            }
            for name in o.sets.keys where n.sets[name] == nil { removals.append("delete set \(t) \(name)") }
        }
        let lines = adds + refills + removals
        return lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
    }

    private static func hex(_ v: UInt64) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }

    /// 64-bit FNV-1a, fed piece by piece (no concatenated copy of every ruleset).
    private struct FNV {
        var value: UInt64
        init(offset: UInt64 = 0xcbf2_9ce4_8422_2325) { value = offset }
        mutating func add(_ s: String) { for b in s.utf8 { value = (value ^ UInt64(b)) &* 0x100_0000_01b3 } }
        mutating func mix(_ v: UInt64) { for i in 0..<8 { value = (value ^ ((v >> (i * 8)) & 0xff)) &* 0x100_0000_01b3 } }
    }
}

/// The tables, sets and chains of a script made by `Firewall.make`, read back line by line (the format is ours:
/// one rule per line, tab-indented). Sets and chains keep their order so updates are deterministic.
struct RulesetShape: Equatable {
    struct Table: Equatable {
        var name: String
        var sets = OrderedMap<SetBody>()
        var chains = OrderedMap<ChainBody>()
    }
    struct SetBody: Equatable {
        /// Declaration lines other than the elements (`type ipv4_addr`).
        var header: [String] = []
        var elements: [String] = []
    }
    struct ChainBody: Equatable {
        /// The `type filter hook … policy …;` line of a hooked chain.
        var hook: String?
        var rules: [String] = []
    }

    var tables: [Table] = []

    /// Reads bytes, not characters: it runs for every changed namespace of a re-render.
    init?(script: String) {
        var table: Table?
        var set: (name: String, body: SetBody)?
        var chain: (name: String, body: ChainBody)?
        for raw in script.utf8.split(separator: UInt8(ascii: "\n")) {
            let depth = raw.prefix { $0 == UInt8(ascii: "\t") }.count
            let line = raw.dropFirst(depth)
            let text = { String(Substring(line)) }
            func between(_ head: String, _ tail: String) -> String? {
                guard line.count >= head.utf8.count + tail.utf8.count, line.starts(with: head.utf8),
                      line.reversed().starts(with: tail.utf8.reversed()) else { return nil }
                return String(Substring(line.dropFirst(head.utf8.count).dropLast(tail.utf8.count)))
            }
            let closing = line.elementsEqual("}".utf8)
            switch depth {
            case 0:
                if line.starts(with: "add table ".utf8) || line.starts(with: "delete table ".utf8) { continue }
                if table == nil, let name = between("table ", " {") {
                    table = Table(name: name)
                } else if closing, let t = table, set == nil, chain == nil {
                    tables.append(t); table = nil
                } else { return nil }
            case 1:
                guard table != nil else { return nil }
                if closing {
                    if let s = set { table!.sets[s.name] = s.body; set = nil }
                    else if let c = chain { table!.chains[c.name] = c.body; chain = nil }
                    else { return nil }
                } else if set == nil, chain == nil, let name = between("set ", " {") {
                    set = (name, SetBody())
                } else if set == nil, chain == nil, let name = between("chain ", " {") {
                    chain = (name, ChainBody())
                } else { return nil }
            case 2:
                if set != nil {
                    if let list = between("elements = { ", " }") {
                        set!.body.elements = list.utf8.split(separator: UInt8(ascii: ",")).map {
                            String(Substring($0.drop { $0 == UInt8(ascii: " ") }))
                        }
                    } else { set!.body.header.append(text()) }
                } else if chain != nil {
                    if chain!.body.hook == nil, chain!.body.rules.isEmpty, line.starts(with: "type ".utf8), line.last == UInt8(ascii: ";") {
                        chain!.body.hook = text()
                    } else { chain!.body.rules.append(text()) }
                } else { return nil }
            default: return nil
            }
        }
        guard table == nil else { return nil }
    }
}

/// A small insertion-ordered dictionary (names in a table are few).
struct OrderedMap<Value: Equatable>: Equatable, Sequence {
    private(set) var keys: [String] = []
    private var values: [String: Value] = [:]

    subscript(key: String) -> Value? {
        get { values[key] }
        set {
            if values[key] == nil, newValue != nil { keys.append(key) }
            if newValue == nil { keys.removeAll { $0 == key } }
            values[key] = newValue
        }
    }

    func makeIterator() -> some IteratorProtocol<(key: String, value: Value)> {
        keys.map { (key: $0, value: values[$0]!) }.makeIterator()
    }
}
