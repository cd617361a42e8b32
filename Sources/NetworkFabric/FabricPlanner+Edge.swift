import CloudModel

/// The service edge's part of the plan: where "public AWS" lives on the simulated internet.
extension FabricPlanner {
    /// The edge namespace: hung off the core like an internet host, holding the whole `ServiceEdge.block` as one
    /// `local` route on `lo`, so a connection to any service address (198.18.x.y) is accepted by the sockets the
    /// server binds to the wildcard address in this namespace (`LinuxFabric+Edge`), which learn from their local
    /// address which service and region were asked. Only HTTP and HTTPS are answered; anything else is dropped,
    /// so it times out as on AWS instead of being refused.
    func edgePlan() -> NamespacePlan {
        var p = NamespacePlan(name: names.edgeNamespace, role: .interface)
        Self.addCoreUplink(&p, device: FabricNames.interfaceLink, address: SimulatedInternet.edgeUplinkAddress)
        p.state.routes.insert(.init(type: "local", destination: ServiceEdge.block.description, device: "lo", table: "local"))
        let ports = LinuxFabric.edgePorts.map(String.init).joined(separator: ", ")
        let body = SecurityGroupRuleset.chain("input", "type filter hook input priority filter; policy drop;", [
            "iifname \"lo\" accept", "ct state established,related accept",
            "ip daddr \(ServiceEdge.block) tcp dport { \(ports) } accept",
        ])
        p.firewall = .make(sysctls: Self.commonSysctls.filter { $0.key.hasPrefix("net/ipv6") }, tables: [("inet lv_edge", body)])
        return p
    }
}
