import CloudModel

/// The simulated internet's part of the plan: the core, its hosts, VPC uplinks (internet gateways), NAT gateways
/// and the lambda network's way out.
extension FabricPlanner {
    /// An Elastic IP of an interface the plan holds, with that interface's VPC.
    struct PlacedMapping { var vpcId: String; var mapping: FabricModel.PublicMapping }

    func publicMappings(_ model: FabricModel, interfacesById: [String: FabricModel.Interface],
                        subnets: [String: FabricModel.Subnet]) -> [PlacedMapping] {
        model.publicMappings.compactMap { m in
            guard let i = interfacesById[m.interfaceId], let s = subnets[i.subnetId] else { return nil }
            return PlacedMapping(vpcId: s.vpcId, mapping: m)
        }
    }

    /// The VPC router's side of its internet gateway: the uplink holding every Elastic IP of the VPC, 1:1 NAT
    /// between those and the private addresses, and the gateway's rule that only mapped addresses pass. Without
    /// an attached gateway the router gets the same (empty) tables, so a detach replaces what an attach loaded.
    ///
    /// Gateway VPC endpoints use the same uplink (made for them without an internet gateway): traffic from the subnets
    /// whose route table names the endpoint, to the service's prefix list, leaves with the endpoint's source address.
    func addInternetGateway(_ p: inout NamespacePlan, gateway: FabricModel.InternetGateway?, mappings: [FabricModel.PublicMapping],
                            endpoints: [(endpoint: FabricModel.GatewayEndpoint, sources: [IPv4CIDR])] = []) {
        var filter = "", nat = ""
        let viaEndpoints = endpoints.filter { !$0.sources.isEmpty && !$0.endpoint.destinations.isEmpty }
        if gateway != nil || !viaEndpoints.isEmpty {
            let up = FabricNames.routerUplink
            p.state.links[up] = .init(kind: .veth)
            p.state.addresses.insert(.init(device: up, cidr: "\(SimulatedInternet.routerUplinkAddress)/32"))
            p.state.routes.insert(.init(destination: "\(SimulatedInternet.coreAddress)/32", device: up))
            let mappings = gateway == nil ? [] : mappings
            for m in mappings { p.state.addresses.insert(.init(device: up, cidr: "\(m.publicIp)/32")) }
            for e in viaEndpoints { p.state.addresses.insert(.init(device: up, cidr: "\(e.endpoint.sourceAddress)/32")) }
            let endpointMatch = viaEndpoints.map { e in
                (match: "oifname \"\(up)\" ip saddr { \(e.sources.map(\.description).joined(separator: ", ")) } "
                    + "ip daddr { \(e.endpoint.destinations.map(\.description).joined(separator: ", ")) }",
                 source: e.endpoint.sourceAddress)
            }
            let privates = mappings.map(\.privateIp.description)
            var out: [String] = endpointMatch.map { $0.match + " accept" }
            if !privates.isEmpty { out.append("oifname \"\(up)\" ip saddr { \(privates.joined(separator: ", ")) } accept") }
            filter = SecurityGroupRuleset.chain("forward", "type filter hook forward priority filter; policy accept;", out + [
                // Only addresses with a public mapping leave; only replies and mapped connections come in.
                "oifname \"\(up)\" drop",
                "iifname \"\(up)\" ct state established,related accept",
                "iifname \"\(up)\" ct status dnat accept",
                "iifname \"\(up)\" drop",
            ]) + SecurityGroupRuleset.chain("input", "type filter hook input priority filter; policy accept;", [
                "iifname \"\(up)\" ct state established,related accept",
                "iifname \"\(up)\" drop",
            ])
            nat = SecurityGroupRuleset.chain("prerouting", "type nat hook prerouting priority dstnat; policy accept;",
                                             mappings.map { "iifname \"\(up)\" ip daddr \($0.publicIp) dnat to \($0.privateIp)" })
                + SecurityGroupRuleset.chain("postrouting", "type nat hook postrouting priority srcnat; policy accept;",
                                             endpointMatch.map { "\($0.match) snat to \($0.source)" }
                                                 + mappings.map { "oifname \"\(up)\" ip saddr \($0.privateIp) snat to \($0.publicIp)" })
        }
        p.firewall = .make(sysctls: Self.commonSysctls, tables: [("inet lv_router", filter), ("ip lv_igw", nat)])
    }

    /// The subnets whose route table (their own, else the main one) sends something to gateway endpoint `e`.
    func endpointSources(_ e: FabricModel.GatewayEndpoint, model: FabricModel) -> [IPv4CIDR] {
        let tables = model.routeTables.filter { $0.vpcId == e.vpcId }
        let main = tables.first { $0.isMain }
        return model.subnets.filter { $0.vpcId == e.vpcId }.compactMap { s in
            guard let t = tables.first(where: { $0.subnetIds.contains(s.id) }) ?? main else { return nil }
            return t.routes.contains { if case .vpcEndpoint(e.id) = $0.target { true } else { false } } ? s.cidr.normalized : nil
        }
    }

    /// The internet core: one point-to-point port per uplinked VPC (routing its Elastic IPs), per host, for the
    /// lambda network and for the service edge (routing `ServiceEdge.block`), each holding `coreAddress`; a default
    /// route only with `--egress host`.
    func corePlan(vpcs: [(id: String, publicIps: [IPv4Address])], hosts: [IPv4Address], lambdaNetwork: Bool) -> NamespacePlan {
        var p = NamespacePlan(name: names.internetNamespace, role: .core)
        p.state.links["lo"] = .init(kind: .loopback)
        func port(_ name: String, peer: VethPeer, routes: [IPv4Address]) {
            p.state.links[name] = .init(kind: .veth)
            p.creates[name] = peer
            p.state.addresses.insert(.init(device: name, cidr: "\(SimulatedInternet.coreAddress)/32"))
            for r in routes { p.state.routes.insert(.init(destination: "\(r)/32", device: name)) }
        }
        for v in vpcs {
            port(FabricNames.coreVPCPort(v.id), peer: VethPeer(name: FabricNames.routerUplink, namespace: names.vpcRouterNamespace(v.id)),
                 routes: v.publicIps)
        }
        for h in Set(hosts) {
            port(FabricNames.coreHostPort(h), peer: VethPeer(name: FabricNames.interfaceLink, namespace: names.internetHostNamespace(h)),
                 routes: [h])
        }
        if lambdaNetwork {
            port(FabricNames.coreLambdaPort, peer: VethPeer(name: FabricNames.lambdaUplink, namespace: names.lambdaNetworkNamespace),
                 routes: [SimulatedInternet.lambdaPublicAddress])
        }
        // "Public AWS": the whole service edge block lives behind one port (see `edgePlan`).
        p.state.links[FabricNames.coreEdgePort] = .init(kind: .veth)
        p.creates[FabricNames.coreEdgePort] = VethPeer(name: FabricNames.interfaceLink, namespace: names.edgeNamespace)
        p.state.addresses.insert(.init(device: FabricNames.coreEdgePort, cidr: "\(SimulatedInternet.coreAddress)/32"))
        p.state.routes.insert(.init(destination: ServiceEdge.block.description, device: FabricNames.coreEdgePort))
        var nat = ""
        if egress == .host {
            let e = HostEgress(names: names)
            let link = FabricNames.coreEgressPort
            p.state.links[link] = .init(kind: .veth)
            p.creates[link] = VethPeer(name: names.egressRootLink, namespace: HostEgress.rootNamespacePid)
            p.state.addresses.insert(.init(device: link, cidr: "\(e.coreAddress)/30"))
            p.state.routes.insert(.init(destination: "0.0.0.0/0", gateway: e.rootAddress.description, device: link))
            nat = SecurityGroupRuleset.chain("postrouting", "type nat hook postrouting priority srcnat; policy accept;", [
                "oifname \"\(link)\" masquerade",
            ])
        }
        if egress != .host {
            // An address no host holds is silence, not an ICMP error: a connection to it times out.
            p.state.routes.insert(.init(type: "blackhole", destination: "0.0.0.0/0"))
        }
        // The internet is open: whatever reaches the core is routed.
        p.firewall = .make(sysctls: Self.commonSysctls, tables: [("inet lv_inet", ""), ("ip lv_inet_nat", nat)])
        return p
    }

    /// Loopback and a veth `device` holding `address`, with the internet core as the default gateway: how an internet
    /// host and the lambda network each hang off the core.
    static func addCoreUplink(_ p: inout NamespacePlan, device: String, address: IPv4Address) {
        p.state.links["lo"] = .init(kind: .loopback)
        p.state.links[device] = .init(kind: .veth)
        p.state.addresses.insert(.init(device: device, cidr: "\(address)/32"))
        p.state.routes.insert(.init(destination: "\(SimulatedInternet.coreAddress)/32", device: device))
        p.state.routes.insert(.init(destination: "0.0.0.0/0", gateway: SimulatedInternet.coreAddress.description, device: device))
    }

    /// An internet host: its address on `eth0`, the core as its default gateway.
    func hostPlan(_ address: IPv4Address) -> NamespacePlan {
        var p = NamespacePlan(name: names.internetHostNamespace(address), role: .interface)
        Self.addCoreUplink(&p, device: FabricNames.interfaceLink, address: address)
        // A host is open to the internet; the empty table only carries the fingerprint of its sysctls (IPv4 only).
        p.firewall = .make(sysctls: Self.commonSysctls.filter { $0.key.hasPrefix("net/ipv6") }, tables: [("inet lv_host", "")])
        return p
    }

    /// The network of functions without VpcConfig: environments reach the internet core, masqueraded to the
    /// lambda network's public address, and nothing else (no route leads into a VPC's private range; VPC hosts
    /// are reachable only as any internet client reaches them, by Elastic IP).
    func lambdaNetworkPlan(_ environments: [EnvironmentAttachment]) -> NamespacePlan {
        var p = NamespacePlan(name: names.lambdaNetworkNamespace, role: .router)
        let up = FabricNames.lambdaUplink
        Self.addCoreUplink(&p, device: up, address: SimulatedInternet.lambdaPublicAddress)
        addEnvironmentPorts(&p, environments)
        addLambdaResolver(&p)
        // Environments reach the internet and this network's resolver only; never each other, never this namespace
        // from outside.
        let envs = FabricNames.environmentPortGlob
        let body = SecurityGroupRuleset.chain("input", "type filter hook input priority filter; policy drop;", [
            "iifname \"lo\" accept", "ct state established,related accept",
        ] + Self.resolverAcceptLines([AmazonDNS.linkLocalResolver], prefix: "iifname \"\(envs)\" ")) + SecurityGroupRuleset.chain("forward", "type filter hook forward priority filter; policy drop;", [
            "ct state established,related accept", "ct state invalid drop",
            "iifname \"\(envs)\" oifname \"\(up)\" accept",
        ])
        let nat = SecurityGroupRuleset.chain("postrouting", "type nat hook postrouting priority srcnat; policy accept;", [
            "ip saddr \(EnvironmentAttachment.linkBlock) oifname \"\(up)\" snat to \(SimulatedInternet.lambdaPublicAddress)",
        ])
        p.firewall = .make(sysctls: Self.commonSysctls, tables: [("inet lv_lambda", body), ("ip lv_lambda_nat", nat)])
        return p
    }

    /// A NAT gateway's interface: its private address in its (public) subnet; once available it forwards what the
    /// VPC sends it, masqueraded to that address, and lets only the replies back in. Its own traffic leaves by its
    /// subnet's route table, where the internet gateway maps its address to its Elastic IP.
    func natGatewayPlan(_ i: FabricModel.Interface, subnet: FabricModel.Subnet, vpc: FabricModel.VPC, isAvailable: Bool) -> NamespacePlan {
        var p = interfaceNamespace(i, subnet: subnet)
        let link = FabricNames.interfaceLink
        // Every block of the VPC is "inside": a secondary block's subnets use the gateway, and never through it to each other.
        let blocks = vpc.cidrs.map { $0.normalized.description }
        let inside = blocks.count == 1 ? blocks[0] : "{ " + blocks.joined(separator: ", ") + " }"
        let forward = isAvailable ? ["ip saddr \(inside) ip daddr != \(inside) accept"] : []
        let body = SecurityGroupRuleset.chain("input", "type filter hook input priority filter; policy drop;", [
            "iifname \"lo\" accept", "ct state established,related accept",
        ]) + SecurityGroupRuleset.chain("forward", "type filter hook forward priority filter; policy drop;", [
            "ct state established,related accept", "ct state invalid drop",
        ] + forward)
        let nat = SecurityGroupRuleset.chain("postrouting", "type nat hook postrouting priority srcnat; policy accept;", isAvailable ? [
            "oifname \"\(link)\" ip saddr != \(i.address) snat to \(i.address)",
        ] : [])
        p.firewall = .make(sysctls: Self.commonSysctls, tables: [("inet lv_natgw", body), ("ip lv_natgw_nat", nat)])
        return p
    }
}
