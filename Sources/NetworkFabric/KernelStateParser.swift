import CloudModel
import Foundation

/// Turns `ip -j` output into a `NamespaceState` (pure, so it is tested with captured output).
enum KernelStateParser {
    /// Rule priorities the fabric uses; rules outside are the kernel's own and never touched.
    static let rulePriorities = 10000..<20000
    /// The read script for `ip -j -d -batch -`: one JSON array per line, in this order.
    static let readScript = "link show\naddress show\nroute show table all\nrule show\n"

    static func parse(batchOutput: String) throws -> NamespaceState {
        let lines = batchOutput.split(separator: "\n", omittingEmptySubsequences: true)
        guard lines.count >= 4 else { throw ParseError.unexpected(batchOutput) }
        var s = NamespaceState()
        for l in try array(lines[0]) {
            guard let name = l["ifname"] as? String else { continue }
            let flags = l["flags"] as? [String] ?? []
            let info = l["linkinfo"] as? [String: Any]
            let kind: LinkKind
            if l["link_type"] as? String == "loopback" { kind = .loopback } else {
                switch info?["info_kind"] as? String {
                case "bridge": kind = .bridge
                case "veth": kind = .veth
                case let k: kind = .other(k ?? "unknown")
                }
            }
            s.links[name] = .init(kind: kind, master: l["master"] as? String, up: flags.contains("UP"))
        }
        for l in try array(lines[1]) {
            guard let dev = l["ifname"] as? String else { continue }
            for a in l["addr_info"] as? [[String: Any]] ?? [] where a["family"] as? String == "inet" {
                guard let local = a["local"] as? String, let len = a["prefixlen"] as? Int else { continue }
                if dev == "lo" && local.hasPrefix("127.") { continue }
                s.addresses.insert(.init(device: dev, cidr: "\(local)/\(len)"))
            }
        }
        for r in try array(lines[2]) where r["protocol"] as? String == "static" {
            guard let dst = r["dst"] as? String, let d = normalise(dst) else { continue }
            s.routes.insert(.init(type: r["type"] as? String ?? "unicast", destination: d, gateway: r["gateway"] as? String,
                                  device: r["dev"] as? String, table: r["table"] as? String ?? "main"))
        }
        for r in try array(lines[3]) {
            guard let prio = r["priority"] as? Int, rulePriorities.contains(prio),
                  let src = r["src"] as? String, let table = r["table"] as? String else { continue }
            let len = r["srclen"] as? Int ?? 32
            s.rules.insert(.init(priority: prio, source: normalise("\(src)/\(len)") ?? src, table: table))
        }
        return s
    }

    /// `default` → `0.0.0.0/0`, bare address → `/32`; nil for non-IPv4 destinations.
    static func normalise(_ dst: String) -> String? {
        if dst == "default" { return "0.0.0.0/0" }
        if let c = IPv4CIDR(dst) { return c.normalized.description }
        if let a = IPv4Address(dst) { return "\(a)/32" }
        return nil
    }

    /// The fingerprint in `nft list table` text output: the name of the `lv_fp_…` chain (see `Firewall.make`).
    /// Nil when there is none (no table, or one loaded by an older version: both mean "reload").
    static func fingerprint(nftListing: String) -> String? {
        guard let r = nftListing.range(of: "\tchain " + Firewall.fingerprintChainPrefix) else { return nil }
        let name = nftListing[r.upperBound...].prefix { $0 != " " && $0 != "\n" && $0 != "{" }
        return Firewall.fingerprintChainPrefix + name
    }

    static func array(_ line: Substring) throws -> [[String: Any]] {
        guard let a = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [[String: Any]] else {
            throw ParseError.unexpected(String(line))
        }
        return a
    }

    enum ParseError: Error { case unexpected(String) }

    /// Names from `ip netns list` (`name (id: 3)` or `name`).
    static func namespaceNames(_ listing: String) -> Set<String> {
        Set(listing.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) })
    }
}
