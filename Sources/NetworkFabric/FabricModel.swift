import CloudModel

/// The part of the cloud the kernel must enforce, reduced to what the fabric needs: the planner's only input.
/// Built from `CloudState` by `FabricModel(state:)`, or by hand in tests; arrays are kept sorted by id so equal
/// clouds give equal models (the reconciler compares models to skip work).
public struct FabricModel: Sendable, Equatable {
    public var vpcs: [VPC]
    public var subnets: [Subnet]
    public var routeTables: [RouteTable]
    public var securityGroups: [SecurityGroup]
    public var interfaces: [Interface]
    /// Internet gateways attached to a VPC (detached ones route nothing).
    public var internetGateways: [InternetGateway]
    /// NAT gateways whose interface exists (pending, available or deleting).
    public var natGateways: [NatGateway]
    /// Elastic IPs associated with an interface: the 1:1 mappings an internet gateway performs.
    public var publicMappings: [PublicMapping]
    /// Available gateway VPC endpoints: their route tables send the service's prefix list to the edge through the
    /// router's uplink, the traffic carrying the endpoint's own source address.
    public var gatewayEndpoints: [GatewayEndpoint] = []

    public init(vpcs: [VPC] = [], subnets: [Subnet] = [], routeTables: [RouteTable] = [],
                securityGroups: [SecurityGroup] = [], interfaces: [Interface] = [], internetGateways: [InternetGateway] = [],
                natGateways: [NatGateway] = [], publicMappings: [PublicMapping] = []) {
        self.vpcs = vpcs.sorted { $0.id < $1.id }
        self.subnets = subnets.sorted { $0.id < $1.id }
        self.routeTables = routeTables.sorted { $0.id < $1.id }
        self.securityGroups = securityGroups.sorted { $0.id < $1.id }
        self.interfaces = interfaces.sorted { $0.id < $1.id }
        self.internetGateways = internetGateways.sorted { $0.id < $1.id }
        self.natGateways = natGateways.sorted { $0.id < $1.id }
        self.publicMappings = publicMappings.sorted { $0.publicIp < $1.publicIp }
    }

    /// A gateway endpoint: where its traffic appears to come from on the simulated internet, and where it goes.
    public struct GatewayEndpoint: Sendable, Equatable {
        public var id: String
        public var vpcId: String
        public var sourceAddress: IPv4Address
        public var destinations: [IPv4CIDR]
        public init(id: String, vpcId: String, sourceAddress: IPv4Address, destinations: [IPv4CIDR]) {
            self.id = id; self.vpcId = vpcId; self.sourceAddress = sourceAddress; self.destinations = destinations
        }
    }

    /// The empty cloud: reconciling to it is teardown.
    public static let empty = FabricModel()

    /// A VPC, its primary block and its secondary IPv4 blocks (IPv6 blocks are not carried by the fabric), and
    /// whether the Amazon-provided resolver answers in it (enableDnsSupport).
    public struct VPC: Sendable, Equatable {
        public var id: String
        public var cidr: IPv4CIDR
        public var secondaryCidrs: [IPv4CIDR]
        public var dnsSupport: Bool
        public init(id: String, cidr: IPv4CIDR, secondaryCidrs: [IPv4CIDR] = [], dnsSupport: Bool = true) {
            self.id = id; self.cidr = cidr; self.secondaryCidrs = secondaryCidrs; self.dnsSupport = dnsSupport
        }
        /// Every block of the VPC, the primary first.
        public var cidrs: [IPv4CIDR] { [cidr] + secondaryCidrs }
    }

    /// A subnet of a VPC.
    public struct Subnet: Sendable, Equatable {
        public var id: String
        public var vpcId: String
        public var cidr: IPv4CIDR
        public init(id: String, vpcId: String, cidr: IPv4CIDR) { self.id = id; self.vpcId = vpcId; self.cidr = cidr }
    }

    /// A route table: the main one applies to every subnet without an explicit association.
    public struct RouteTable: Sendable, Equatable {
        public var id: String
        public var vpcId: String
        public var isMain: Bool
        public var subnetIds: [String]
        public var routes: [Route]
        public init(id: String, vpcId: String, isMain: Bool, subnetIds: [String], routes: [Route]) {
            self.id = id; self.vpcId = vpcId; self.isMain = isMain; self.subnetIds = subnetIds.sorted(); self.routes = routes
        }
    }

    /// One route of a route table.
    public struct Route: Sendable, Equatable {
        public var destination: IPv4CIDR
        public var target: RouteTarget
        public init(destination: IPv4CIDR, target: RouteTarget) { self.destination = destination; self.target = target }
    }

    /// Where a route sends traffic.
    public enum RouteTarget: Sendable, Equatable {
        /// The VPC's own range: delivered by the VPC router.
        case local
        /// An ENI in the VPC (an appliance).
        case networkInterface(String)
        /// An internet gateway: leaves by the VPC's uplink when that gateway is attached to the route table's VPC.
        case internetGateway(String)
        /// A NAT gateway: forwarded to its interface when it is available.
        case natGateway(String)
        /// A gateway VPC endpoint: out through the uplink to the service edge, from the endpoint's address.
        case vpcEndpoint(String)
        /// Anything the fabric does not realise (an instance, a peering…): dropped (a blackhole).
        case unrealised(String)
    }

    /// A security group with all its rules.
    public struct SecurityGroup: Sendable, Equatable {
        public var id: String
        public var vpcId: String
        public var rules: [Rule]
        public init(id: String, vpcId: String, rules: [Rule]) { self.id = id; self.vpcId = vpcId; self.rules = rules }
    }

    /// One security-group permission: protocol, port range (or ICMP type/code) and one peer.
    public struct Rule: Sendable, Equatable {
        public var id: String
        public var isEgress: Bool
        /// `-1`, `tcp`, `udp`, `icmp` or a protocol number, as EC2 stores it.
        public var ipProtocol: String
        /// Port range for tcp/udp; ICMP type (`fromPort`) and code (`toPort`) for icmp; -1 means any.
        public var fromPort: Int
        public var toPort: Int
        public var peer: Peer
        public init(id: String, isEgress: Bool, ipProtocol: String, fromPort: Int, toPort: Int, peer: Peer) {
            self.id = id; self.isEgress = isEgress; self.ipProtocol = ipProtocol
            self.fromPort = fromPort; self.toPort = toPort; self.peer = peer
        }
    }

    /// Who a rule admits: an address block or the members of a security group.
    public enum Peer: Sendable, Equatable {
        case cidr(IPv4CIDR)
        case group(String)
    }

    /// An ENI: Hyperplane (`lambda`) or any other (instances, user-created).
    public struct Interface: Sendable, Equatable {
        public var id: String
        public var subnetId: String
        public var address: IPv4Address
        public var groupIds: [String]
        public var interfaceType: String
        public init(id: String, subnetId: String, address: IPv4Address, groupIds: [String], interfaceType: String = "interface") {
            self.id = id; self.subnetId = subnetId; self.address = address
            self.groupIds = groupIds; self.interfaceType = interfaceType
        }
    }
}

extension FabricModel {
    /// An internet gateway and the VPC it is attached to.
    public struct InternetGateway: Sendable, Equatable {
        public var id: String
        public var vpcId: String
        public init(id: String, vpcId: String) { self.id = id; self.vpcId = vpcId }
    }

    /// A NAT gateway: its interface (a namespace in its subnet) forwards and masquerades only once available.
    public struct NatGateway: Sendable, Equatable {
        public var id: String
        public var interfaceId: String
        public var isAvailable: Bool
        public init(id: String, interfaceId: String, isAvailable: Bool) {
            self.id = id; self.interfaceId = interfaceId; self.isAvailable = isAvailable
        }
    }

    /// An Elastic IP mapped 1:1 to an interface's private address by the internet gateway of its VPC.
    public struct PublicMapping: Sendable, Equatable {
        public var publicIp: IPv4Address
        public var interfaceId: String
        public var privateIp: IPv4Address
        public init(publicIp: IPv4Address, interfaceId: String, privateIp: IPv4Address) {
            self.publicIp = publicIp; self.interfaceId = interfaceId; self.privateIp = privateIp
        }
    }
}

extension FabricModel {
    /// Reads the records the fabric enforces out of the control plane's state. Pure; IPv6-only rules are dropped
    /// because the fabric is IPv4-only.
    public init(state: CloudState) {
        var rulesByGroup: [String: [SecurityGroupRule]] = [:]
        for r in state.securityGroupRules.values { rulesByGroup[r.groupId, default: []].append(r) }
        let groups = state.securityGroups.values.map { g in
            let rules = (rulesByGroup[g.id] ?? []).sorted { ($0.sequence, $0.id) < ($1.sequence, $1.id) }.compactMap { r -> Rule? in
                let peer: Peer
                if let ref = r.referencedGroupId { peer = .group(ref) } else if let c = r.cidrIpv4 { peer = .cidr(c) } else { return nil }
                return Rule(id: r.id, isEgress: r.isEgress, ipProtocol: r.ipProtocol, fromPort: r.fromPort, toPort: r.toPort, peer: peer)
            }
            return SecurityGroup(id: g.id, vpcId: g.vpcId, rules: rules)
        }
        let tables = state.routeTables.values.map { t in
            RouteTable(id: t.id, vpcId: t.vpcId, isMain: t.isMain,
                       subnetIds: t.associations.compactMap { $0.main ? nil : $0.subnetId },
                       routes: t.routes.map { r in
                           let target: RouteTarget
                           if r.gatewayId == "local" { target = .local }
                           else if let eni = r.networkInterfaceId { target = .networkInterface(eni) }
                           else if let nat = r.natGatewayId { target = .natGateway(nat) }
                           else if let igw = r.gatewayId, igw.hasPrefix("igw-") { target = .internetGateway(igw) }
                           else if let vpce = r.gatewayId, vpce.hasPrefix("vpce-") { target = .vpcEndpoint(vpce) }
                           else { target = .unrealised(r.natGatewayId ?? r.gatewayId ?? r.instanceId ?? "unknown") }
                           return Route(destination: r.destination, target: target)
                       })
        }
        self.init(
            vpcs: state.vpcs.values.map {
                VPC(id: $0.id, cidr: $0.cidrBlock, secondaryCidrs: ($0.secondaryCidrBlocks ?? []).map(\.cidrBlock),
                    dnsSupport: $0.enableDnsSupport)
            },
            subnets: state.subnets.values.map { Subnet(id: $0.id, vpcId: $0.vpcId, cidr: $0.cidrBlock) },
            routeTables: tables,
            securityGroups: groups,
            interfaces: state.networkInterfaces.values.map {
                Interface(id: $0.id, subnetId: $0.subnetId, address: $0.privateIpAddress, groupIds: $0.groupIds,
                          interfaceType: $0.interfaceType)
            },
            internetGateways: state.internetGateways.values.compactMap { g in
                g.attachedVpcId.map { InternetGateway(id: g.id, vpcId: $0) }
            },
            natGateways: state.natGateways.values.compactMap { n in
                guard state.networkInterfaces[n.networkInterfaceId] != nil else { return nil }
                return NatGateway(id: n.id, interfaceId: n.networkInterfaceId, isAvailable: n.state == .available)
            },
            publicMappings: state.addresses.values.compactMap { a in
                a.association.map { PublicMapping(publicIp: a.publicIp, interfaceId: $0.networkInterfaceId, privateIp: $0.privateIpAddress) }
            } + state.dbInstances.values.compactMap { db in
                // A publicly accessible DB instance's address, mapped by the internet gateway as an Elastic IP is.
                guard let ip = db.publicIp, let eni = db.networkInterfaceId.flatMap({ state.networkInterfaces[$0] }) else { return nil }
                return PublicMapping(publicIp: ip, interfaceId: eni.id, privateIp: eni.privateIpAddress)
            })
        gatewayEndpoints = state.vpcEndpoints.values.compactMap { e in
            guard e.type == .gateway, e.state == .available, let source = e.sourceAddress else { return nil }
            let destinations = Set(state.routeTables.values.flatMap { t in
                t.routes.filter { $0.gatewayId == e.id }.map(\.destination)
            })
            return GatewayEndpoint(id: e.id, vpcId: e.vpcId, sourceAddress: source, destinations: destinations.sorted { $0.description < $1.description })
        }.sorted { $0.id < $1.id }
    }
}
