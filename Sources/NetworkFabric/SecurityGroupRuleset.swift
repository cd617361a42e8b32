import CloudModel

/// Renders the nftables ruleset of one ENI namespace from its security groups. Pure text, so tests read it.
///
/// Shape: `table inet lv_sg` with `ingress`/`egress` chains holding the permissions; the hooked chains
/// `input` (traffic to the ENI from eth0), `output` (traffic the ENI sends out eth0) and `forward` (traffic of
/// attached execution environments leaving by eth0) accept established/related flows, drop invalid ones and
/// jump to the permission chains; everything else is dropped. `table ip lv_nat` source-NATs environments to the
/// ENI address, as Hyperplane does, so peers see (and their security groups judge) the ENI's address.
/// Interfaces are matched by name only (`iifname "lo"`, not `iif`): resolving an index goes through libnftables'
/// process-wide interface cache, which parallel loads in different namespaces would race on.
enum SecurityGroupRuleset {
    static let table = "inet lv_sg"
    static let natTable = "ip lv_nat"

    /// The bodies of the two tables; `Firewall.make` wraps them into one replacing transaction.
    /// `resolvers`: the VPC's Amazon DNS addresses, which security groups do not filter (empty without DNS support).
    static func tables(interface: FabricModel.Interface, groups: [FabricModel.SecurityGroup],
                       members: [String: [IPv4Address]], resolvers: [IPv4Address] = []) -> [(table: String, body: String)] {
        var sets: [String] = []
        var referenced: [String] = []
        var ingress: [String] = []
        var egress: [String] = []
        for g in groups {
            for r in g.rules {
                if case .group(let ref) = r.peer, !referenced.contains(ref) { referenced.append(ref) }
                guard let line = ruleLine(r) else { continue }
                if r.isEgress { if !egress.contains(line) { egress.append(line) } } else if !ingress.contains(line) { ingress.append(line) }
            }
        }
        for ref in referenced.sorted() {
            let elements = (members[ref] ?? []).sorted().map(\.description)
            var s = "\tset \(setName(ref)) {\n\t\ttype ipv4_addr\n"
            if !elements.isEmpty { s += "\t\telements = { \(elements.joined(separator: ", ")) }\n" }
            sets.append(s + "\t}\n")
        }
        let envs = FabricNames.environmentPortGlob
        let link = FabricNames.interfaceLink
        let tableBody = sets.joined()
            + chain("ingress", nil, ingress)
            + chain("egress", nil, egress)
            + chain("input", "type filter hook input priority filter; policy drop;", [
                "iifname \"lo\" accept", "ct state established,related accept", "ct state invalid drop",
                "iifname \"\(link)\" jump ingress",
            ])
            + chain("forward", "type filter hook forward priority filter; policy drop;", [
                "ct state established,related accept", "ct state invalid drop",
            ] + FabricPlanner.resolverAcceptLines(resolvers, prefix: "iifname \"\(envs)\" oifname \"\(link)\" ") + [
                "iifname \"\(envs)\" oifname \"\(link)\" jump egress",
            ])
            + chain("output", "type filter hook output priority filter; policy drop;", [
                "oifname \"lo\" accept", "ct state established,related accept", "ct state invalid drop",
            ] + FabricPlanner.resolverAcceptLines(resolvers, prefix: "oifname \"\(link)\" ") + [
                "oifname \"\(link)\" jump egress",
            ])
        let natBody = chain("postrouting", "type nat hook postrouting priority srcnat; policy accept;", [
            "ip saddr \(EnvironmentAttachment.linkBlock) oifname \"\(link)\" snat to \(interface.address)",
        ])
        return [(table, tableBody), (natTable, natBody)]
    }

    static func chain(_ name: String, _ hook: String?, _ lines: [String]) -> String {
        var s = "\tchain \(name) {\n"
        if let h = hook { s += "\t\t\(h)\n" }
        for l in lines { s += "\t\t\(l)\n" }
        return s + "\t}\n"
    }

    /// nft set name for a referenced group: `sg-0abc…` → `sg_0abc…`.
    static func setName(_ groupId: String) -> String {
        let suffix = groupId.hasPrefix("sg-") ? String(groupId.dropFirst(3)) : groupId
        return "sg_" + String(suffix.map { $0.isLetter || $0.isNumber ? $0 : "_" })
    }

    /// One permission as an nft rule, seen from the ENI: the peer is the source of ingress and the destination of
    /// egress. Nil for a rule nftables cannot express for IPv4 (an unknown protocol name).
    static func ruleLine(_ r: FabricModel.Rule) -> String? {
        var parts: [String] = []
        let dir = r.isEgress ? "daddr" : "saddr"
        switch r.peer {
        case .cidr(let c):
            if c.prefixLength == 0 { parts.append("meta nfproto ipv4") } else { parts.append("ip \(dir) \(c.normalized)") }
        case .group(let g):
            parts.append("ip \(dir) @\(setName(g))")
        }
        guard let proto = protocolMatch(r) else { return nil }
        parts.append(contentsOf: proto)
        parts.append("accept")
        parts.append("comment \"\(r.id)\"")
        return parts.joined(separator: " ")
    }

    static func protocolMatch(_ r: FabricModel.Rule) -> [String]? {
        switch r.ipProtocol.lowercased() {
        case "-1", "all": return []
        case "tcp", "6": return portMatch("tcp", r.fromPort, r.toPort)
        case "udp", "17": return portMatch("udp", r.fromPort, r.toPort)
        case "icmp", "1":
            if r.fromPort < 0 { return ["meta l4proto icmp"] }
            if r.toPort < 0 { return ["icmp type \(r.fromPort)"] }
            return ["icmp type \(r.fromPort)", "icmp code \(r.toPort)"]
        case let p:
            guard let n = Int(p), (0...255).contains(n) else { return nil }
            return ["meta l4proto \(n)"]
        }
    }

    static func portMatch(_ proto: String, _ from: Int, _ to: Int) -> [String] {
        if from < 0 || (from <= 0 && to >= 65535) { return ["meta l4proto \(proto)"] }
        return from == to ? ["\(proto) dport \(from)"] : ["\(proto) dport \(from)-\(to)"]
    }
}
