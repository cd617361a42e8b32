/// Compares a plan with what the kernel holds (pure) and lists the changes that make them equal.
public enum FabricDiff {
    /// The state of a namespace that was just created: only a loopback, down.
    public static var freshNamespace: NamespaceState {
        var s = NamespaceState()
        s.links["lo"] = .init(kind: .loopback, up: false)
        return s
    }

    /// Changes for the whole fabric. `observed` holds the read-back state of namespaces that exist and were read;
    /// `existing` every namespace name present. Owned namespaces that exist but are not planned are deleted.
    public static func changes(plan: FabricPlan, observed: [String: NamespaceState], existing: Set<String>,
                               names: FabricNames) -> [FabricChange] {
        var out: [FabricChange] = []
        for ns in existing.sorted() where names.owns(namespace: ns) && plan.namespaces[ns] == nil {
            out.append(.deleteNamespace(ns))
        }
        for p in plan.namespaces.values.sorted(by: { ($0.role, $0.name) < ($1.role, $1.name) }) {
            if !existing.contains(p.name) {
                guard p.owned else { continue }
                out.append(.createNamespace(p.name))
                out += changes(p, observed: freshNamespace)
            } else if let o = observed[p.name] {
                out += changes(p, observed: o)
            }
        }
        return out
    }

    /// Veth ends whose other end the internet core creates and removes.
    static let linksRemovedByTheirPeer: Set<String> = [FabricNames.routerUplink, FabricNames.lambdaUplink]

    /// Changes inside one namespace, ordered so a single `ip -batch` can run them: removals, bridges, other
    /// links, link settings, addresses, routes, rules, then the firewall.
    public static func changes(_ p: NamespacePlan, observed o: NamespaceState) -> [FabricChange] {
        let ns = p.name
        var removeLinks: [FabricChange] = [], addBridges: [FabricChange] = [], addLinks: [FabricChange] = []
        var setLinks: [FabricChange] = []
        var gone = Set<String>()
        for (name, want) in p.state.links.sorted(by: { $0.key < $1.key }) {
            if let have = o.links[name], have.kind == want.kind {
                if have.up != want.up || (want.kind != .loopback && have.master != want.master) {
                    setLinks.append(.setLink(namespace: ns, name: name, link: want))
                }
                continue
            }
            if o.links[name] != nil {
                removeLinks.append(.deleteLink(namespace: ns, name: name))
                gone.insert(name)
            }
            if want.kind == .bridge {
                addBridges.append(.addLink(namespace: ns, name: name, link: want, peer: nil))
            } else if let peer = p.creates[name] {
                addLinks.append(.addLink(namespace: ns, name: name, link: want, peer: peer))
            } else {
                // The other end's namespace creates this veth earlier in the same reconcile; here it only comes up.
                setLinks.append(.setLink(namespace: ns, name: name, link: want))
            }
        }
        if p.owned {
            for name in o.links.keys.sorted() where p.state.links[name] == nil && o.links[name]?.kind != .loopback {
                // The core removes its end of these veths first (it ranks first), which takes this end with it.
                if !Self.linksRemovedByTheirPeer.contains(name) { removeLinks.append(.deleteLink(namespace: ns, name: name)) }
                gone.insert(name)
            }
        }

        var out = removeLinks + addBridges + addLinks + setLinks
        if p.owned {
            out += o.addresses.subtracting(p.state.addresses).filter { !gone.contains($0.device) }.sorted()
                .map { .deleteAddress(namespace: ns, $0) }
        }
        let kept = o.addresses.filter { !gone.contains($0.device) }
        out += p.state.addresses.subtracting(kept).sorted().map { .addAddress(namespace: ns, $0) }
        if p.owned {
            out += o.routes.subtracting(p.state.routes).filter { $0.device.map { !gone.contains($0) } ?? true }.sorted()
                .map { .deleteRoute(namespace: ns, $0) }
        }
        let keptRoutes = o.routes.filter { $0.device.map { !gone.contains($0) } ?? true }
        // Routes without a gateway first: a gateway route needs the on-link route to its gateway (`169.254.0.1/32
        // dev lv-igw` in `main` before `default via 169.254.0.1` in a route table that sorts earlier).
        out += p.state.routes.subtracting(keptRoutes).sorted { ($0.gateway == nil ? 0 : 1, $0) < ($1.gateway == nil ? 0 : 1, $1) }
            .map { .addRoute(namespace: ns, $0) }
        if p.owned {
            out += o.rules.subtracting(p.state.rules).sorted().map { .deleteRule(namespace: ns, $0) }
        }
        out += p.state.rules.subtracting(o.rules).sorted().map { .addRule(namespace: ns, $0) }
        if let fw = p.firewall, o.firewallFingerprint != fw.fingerprint {
            out.append(.loadFirewall(namespace: ns, fw))
        }
        return out
    }
}
