/// One step that brings the kernel closer to the plan. Also what `doctor` reports: each change names a missing,
/// extra or different object.
public enum FabricChange: Sendable, Equatable {
    case createNamespace(String)
    case deleteNamespace(String)
    case addLink(namespace: String, name: String, link: NamespaceState.Link, peer: VethPeer?)
    case deleteLink(namespace: String, name: String)
    case setLink(namespace: String, name: String, link: NamespaceState.Link)
    case addAddress(namespace: String, NamespaceState.Address)
    case deleteAddress(namespace: String, NamespaceState.Address)
    case addRoute(namespace: String, NamespaceState.Route)
    case deleteRoute(namespace: String, NamespaceState.Route)
    case addRule(namespace: String, NamespaceState.PolicyRule)
    case deleteRule(namespace: String, NamespaceState.PolicyRule)
    case loadFirewall(namespace: String, Firewall)

    /// The namespace the change happens in (for namespace creation/deletion, the namespace itself).
    public var namespace: String {
        switch self {
        case .createNamespace(let n), .deleteNamespace(let n): return n
        case .addLink(let n, _, _, _), .deleteLink(let n, _), .setLink(let n, _, _), .addAddress(let n, _),
             .deleteAddress(let n, _), .addRoute(let n, _), .deleteRoute(let n, _), .addRule(let n, _),
             .deleteRule(let n, _), .loadFirewall(let n, _):
            return n
        }
    }

    /// The `ip -batch` line for the change, nil for changes that are not `ip` commands.
    var ipBatchLine: String? {
        switch self {
        case .createNamespace, .deleteNamespace, .loadFirewall: return nil
        case let .addLink(_, name, link, peer):
            switch link.kind {
            case .bridge: return "link add \(name) up type bridge"
            case .veth:
                guard let peer else { return nil }
                let master = link.master.map { " master \($0)" } ?? ""
                return "link add \(name)\(master) up type veth peer name \(peer.name) netns \(peer.namespace)"
            case .loopback, .other: return nil
            }
        case let .deleteLink(_, name): return "link del \(name)"
        case let .setLink(_, name, link):
            let master = link.kind == .loopback ? "" : (link.master.map { " master \($0)" } ?? " nomaster")
            return "link set \(name)\(master) \(link.up ? "up" : "down")"
        case let .addAddress(_, a): return "address add \(a.cidr) dev \(a.device)"
        case let .deleteAddress(_, a): return "address del \(a.cidr) dev \(a.device)"
        case let .addRoute(_, r): return "route add " + Self.routeSpec(r)
        case let .deleteRoute(_, r): return "route del " + Self.routeSpec(r)
        case let .addRule(_, r): return "rule add from \(r.source) lookup \(r.table) pref \(r.priority)"
        case let .deleteRule(_, r): return "rule del from \(r.source) lookup \(r.table) pref \(r.priority)"
        }
    }

    static func routeSpec(_ r: NamespaceState.Route) -> String {
        var s = r.type == "unicast" ? "" : r.type + " "
        s += r.destination
        if let g = r.gateway { s += " via \(g)" }
        if let d = r.device { s += " dev \(d)" }
        return s + " table \(r.table) proto static"
    }

    /// What `doctor` prints: the kernel seen from the plan.
    public var problem: String {
        switch self {
        case .createNamespace(let n): return "missing namespace \(n)"
        case .deleteNamespace(let n): return "extra namespace \(n)"
        case let .addLink(n, name, _, _): return "missing link \(name) in \(n)"
        case let .deleteLink(n, name): return "extra link \(name) in \(n)"
        case let .setLink(n, name, l):
            return "link \(name) in \(n) should be \(l.up ? "up" : "down")" + (l.master.map { " in bridge \($0)" } ?? "")
        case let .addAddress(n, a): return "missing address \(a.cidr) on \(a.device) in \(n)"
        case let .deleteAddress(n, a): return "extra address \(a.cidr) on \(a.device) in \(n)"
        case let .addRoute(n, r): return "missing route \(Self.routeSpec(r)) in \(n)"
        case let .deleteRoute(n, r): return "extra route \(Self.routeSpec(r)) in \(n)"
        case let .addRule(n, r): return "missing rule from \(r.source) lookup \(r.table) in \(n)"
        case let .deleteRule(n, r): return "extra rule from \(r.source) lookup \(r.table) in \(n)"
        case let .loadFirewall(n, _): return "nftables ruleset of \(n) is missing or out of date"
        }
    }
}
