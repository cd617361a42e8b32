import CloudModel

/// Computes the kernel objects a model needs (pure): per VPC a router namespace with one bridge per subnet holding
/// the subnet's `.1`, policy routing by source subnet for route tables; per ENI a namespace with `eth0` in its
/// subnet and its security groups as nftables; per attached environment a /30 veth into its ENI namespace.
public struct FabricPlanner: Sendable {
    public let names: FabricNames
    /// Whether the internet core has a way out to the host's network.
    public let egress: InternetEgress

    public init(names: FabricNames, egress: InternetEgress = .none) { self.names = names; self.egress = egress }

    /// Priority of the per-subnet `ip rule`s; subnets never overlap, so one priority for all is unambiguous.
    static let subnetRulePriority = 10000

    static let commonSysctls: [(key: String, value: String)] = [
        ("net/ipv4/ip_forward", "1"),
        // The router hands packets back out of the bridge they came in on; redirects would teach ENIs shortcuts.
        ("net/ipv4/conf/all/send_redirects", "0"),
        ("net/ipv6/conf/all/disable_ipv6", "1"),
        ("net/ipv6/conf/default/disable_ipv6", "1"),
    ]

    /// `hosts`: the addresses of the simulated internet's hosts (`lambda-vpc internet run`). `keepLambdaNetwork`:
    /// plan the lambda network even without attachments (for `doctor`, which does not know them).
    public func plan(_ model: FabricModel, attachments: [EnvironmentAttachment] = [], hosts: [IPv4Address] = [],
                     keepLambdaNetwork: Bool = false) -> FabricPlan {
        var plan = FabricPlan()
        let vpcs = Dictionary(uniqueKeysWithValues: model.vpcs.map { ($0.id, $0) })
        let subnets = Dictionary(uniqueKeysWithValues: model.subnets.filter { vpcs[$0.vpcId] != nil }.map { ($0.id, $0) })
        let interfaces = model.interfaces.filter { subnets[$0.subnetId] != nil }
        let interfacesById = Dictionary(uniqueKeysWithValues: interfaces.map { ($0.id, $0) })

        let mappings = publicMappings(model, interfacesById: interfacesById, subnets: subnets)
        for vpc in model.vpcs {
            var router = routerPlan(
                vpc, subnets: model.subnets.filter { $0.vpcId == vpc.id }, model: model,
                interfaces: interfaces.filter { subnets[$0.subnetId]?.vpcId == vpc.id }, subnetsById: subnets)
            let gateway = model.internetGateways.first { $0.vpcId == vpc.id }
            addInternetGateway(&router, gateway: gateway, mappings: mappings.filter { $0.vpcId == vpc.id }.map(\.mapping),
                               endpoints: model.gatewayEndpoints.filter { $0.vpcId == vpc.id }.map { ($0, endpointSources($0, model: model)) })
            addResolver(&router, vpc: vpc)
            plan.namespaces[router.name] = router
        }

        var members: [String: [IPv4Address]] = [:]
        for i in interfaces { for g in i.groupIds { members[g, default: []].append(i.address) } }
        let groups = Dictionary(uniqueKeysWithValues: model.securityGroups.map { ($0.id, $0) })
        let natByInterface = Dictionary(model.natGateways.map { ($0.interfaceId, $0) }, uniquingKeysWith: { a, _ in a })
        for i in interfaces {
            let subnet = subnets[i.subnetId]!
            if i.interfaceType == "nat_gateway" {
                plan.namespaces[names.interfaceNamespace(i.id)] = natGatewayPlan(
                    i, subnet: subnet, vpc: vpcs[subnet.vpcId]!, isAvailable: natByInterface[i.id]?.isAvailable ?? false)
                continue
            }
            let envs = attachments.filter { $0.target == .interface(i.id) }
            plan.namespaces[names.interfaceNamespace(i.id)] = interfacePlan(
                i, subnet: subnet, groups: i.groupIds.compactMap { groups[$0] }, members: members, environments: envs,
                resolvers: Self.resolverAddresses(vpcs[subnet.vpcId]!))
        }

        let lambdaEnvs = attachments.filter { $0.target == .lambdaNetwork }
        let lambdaNetwork = !lambdaEnvs.isEmpty || keepLambdaNetwork
        if lambdaNetwork { plan.namespaces[names.lambdaNetworkNamespace] = lambdaNetworkPlan(lambdaEnvs) }

        let uplinked = model.vpcs.filter { v in
            model.internetGateways.contains { $0.vpcId == v.id } || model.gatewayEndpoints.contains { $0.vpcId == v.id }
        }
        if !uplinked.isEmpty || !hosts.isEmpty || lambdaNetwork {
            plan.namespaces[names.internetNamespace] = corePlan(
                vpcs: uplinked.map { v in
                    (v.id, mappings.filter { $0.vpcId == v.id }.map(\.mapping.publicIp)
                        + model.gatewayEndpoints.filter { $0.vpcId == v.id }.map(\.sourceAddress))
                },
                hosts: hosts, lambdaNetwork: lambdaNetwork)
            for h in Set(hosts) { plan.namespaces[names.internetHostNamespace(h)] = hostPlan(h) }
            plan.namespaces[names.edgeNamespace] = edgePlan()
        }

        for a in attachments {
            let target: String
            switch a.target {
            case .interface(let id):
                guard interfacesById[id] != nil else { continue }
                target = names.interfaceNamespace(id)
            case .lambdaNetwork:
                target = names.lambdaNetworkNamespace
            }
            plan.namespaces[a.environmentNamespace] = environmentPlan(a, targetNamespace: target)
        }
        return plan
    }

    /// Route table number for a route table id: stable, above the reserved 253-255, fits in 31 bits.
    public static func routeTableNumber(_ routeTableId: String) -> Int {
        0x10000 + Int(FabricNames.fnv1a64(routeTableId) % 0x7FFF_0000)
    }

    func routerPlan(_ vpc: FabricModel.VPC, subnets: [FabricModel.Subnet], model: FabricModel,
                    interfaces: [FabricModel.Interface], subnetsById: [String: FabricModel.Subnet]) -> NamespacePlan {
        let ns = names.vpcRouterNamespace(vpc.id)
        var p = NamespacePlan(name: ns, role: .router)
        p.state.links["lo"] = .init(kind: .loopback)
        for s in subnets {
            let bridge = FabricNames.subnetBridge(s.id)
            p.state.links[bridge] = .init(kind: .bridge)
            p.state.addresses.insert(.init(device: bridge, cidr: "\(SubnetAddressing.routerAddress(s.cidr))/\(s.cidr.prefixLength)"))
        }
        for i in interfaces {
            let port = FabricNames.interfacePort(i.id)
            p.state.links[port] = .init(kind: .veth, master: FabricNames.subnetBridge(i.subnetId))
            p.creates[port] = VethPeer(name: FabricNames.interfaceLink, namespace: names.interfaceNamespace(i.id))
        }

        // A destination no route table knows is dropped without a word, as the VPC router does: an ICMP "network
        // unreachable" would fail connections at once where AWS lets them time out.
        p.state.routes.insert(.init(type: "blackhole", destination: "0.0.0.0/0"))
        let tables = model.routeTables.filter { $0.vpcId == vpc.id }
        let main = tables.first { $0.isMain }
        var usedTables: [String: FabricModel.RouteTable] = [:]
        for s in subnets {
            guard let t = tables.first(where: { $0.subnetIds.contains(s.id) }) ?? main else { continue }
            let number = String(Self.routeTableNumber(t.id))
            usedTables[number] = t
            p.state.rules.insert(.init(priority: Self.subnetRulePriority, source: s.cidr.normalized.description, table: number))
        }
        let vpcInterfaces = Dictionary(uniqueKeysWithValues: interfaces.map { ($0.id, $0) })
        for (number, t) in usedTables {
            for r in t.routes {
                let dest = r.destination.normalized.description
                switch r.target {
                case .local:
                    // Falls through to the main table, which holds the connected route of every subnet bridge.
                    p.state.routes.insert(.init(type: "throw", destination: dest, table: number))
                case .networkInterface(let id):
                    if let eni = vpcInterfaces[id] {
                        p.state.routes.insert(.init(destination: dest, gateway: eni.address.description,
                                                    device: FabricNames.subnetBridge(eni.subnetId), table: number))
                    } else {
                        p.state.routes.insert(.init(type: "blackhole", destination: dest, table: number))
                    }
                case .internetGateway(let id):
                    if model.internetGateways.contains(where: { $0.id == id && $0.vpcId == vpc.id }) {
                        p.state.routes.insert(.init(destination: dest, gateway: SimulatedInternet.coreAddress.description,
                                                    device: FabricNames.routerUplink, table: number))
                    } else {
                        p.state.routes.insert(.init(type: "blackhole", destination: dest, table: number))
                    }
                case .natGateway(let id):
                    if let nat = model.natGateways.first(where: { $0.id == id && $0.isAvailable }),
                       let eni = vpcInterfaces[nat.interfaceId] {
                        p.state.routes.insert(.init(destination: dest, gateway: eni.address.description,
                                                    device: FabricNames.subnetBridge(eni.subnetId), table: number))
                    } else {
                        p.state.routes.insert(.init(type: "blackhole", destination: dest, table: number))
                    }
                case .vpcEndpoint(let id):
                    if model.gatewayEndpoints.contains(where: { $0.id == id && $0.vpcId == vpc.id }) {
                        p.state.routes.insert(.init(destination: dest, gateway: SimulatedInternet.coreAddress.description,
                                                    device: FabricNames.routerUplink, table: number))
                    } else {
                        p.state.routes.insert(.init(type: "blackhole", destination: dest, table: number))
                    }
                case .unrealised:
                    p.state.routes.insert(.init(type: "blackhole", destination: dest, table: number))
                }
            }
        }
        return p
    }

    /// An ENI's namespace without its firewall: `eth0` holding the ENI's address in its subnet, the subnet's router
    /// as the default gateway.
    func interfaceNamespace(_ i: FabricModel.Interface, subnet: FabricModel.Subnet) -> NamespacePlan {
        var p = NamespacePlan(name: names.interfaceNamespace(i.id), role: .interface)
        let link = FabricNames.interfaceLink
        p.state.links["lo"] = .init(kind: .loopback)
        p.state.links[link] = .init(kind: .veth)
        p.state.addresses.insert(.init(device: link, cidr: "\(i.address)/\(subnet.cidr.prefixLength)"))
        p.state.routes.insert(.init(destination: "0.0.0.0/0", gateway: SubnetAddressing.routerAddress(subnet.cidr).description, device: link))
        return p
    }

    func interfacePlan(_ i: FabricModel.Interface, subnet: FabricModel.Subnet, groups: [FabricModel.SecurityGroup],
                       members: [String: [IPv4Address]], environments: [EnvironmentAttachment],
                       resolvers: [IPv4Address] = []) -> NamespacePlan {
        var p = interfaceNamespace(i, subnet: subnet)
        addEnvironmentPorts(&p, environments)
        p.firewall = .make(sysctls: Self.commonSysctls,
                           tables: SecurityGroupRuleset.tables(interface: i, groups: groups, members: members, resolvers: resolvers))
        return p
    }

    func addEnvironmentPorts(_ p: inout NamespacePlan, _ environments: [EnvironmentAttachment]) {
        for a in environments {
            let port = FabricNames.environmentPort(a.environmentNamespace)
            p.state.links[port] = .init(kind: .veth)
            p.state.addresses.insert(.init(device: port, cidr: "\(a.gatewayAddress)/30"))
            p.creates[port] = VethPeer(name: FabricNames.interfaceLink, namespace: a.environmentNamespace)
        }
    }

    func environmentPlan(_ a: EnvironmentAttachment, targetNamespace: String) -> NamespacePlan {
        var p = NamespacePlan(name: a.environmentNamespace, role: .environment, owned: false)
        let link = FabricNames.interfaceLink
        p.state.links["lo"] = .init(kind: .loopback)
        p.state.links[link] = .init(kind: .veth)
        p.state.addresses.insert(.init(device: link, cidr: "\(a.environmentAddress)/30"))
        p.state.routes.insert(.init(destination: "0.0.0.0/0", gateway: a.gatewayAddress.description, device: link))
        return p
    }
}
