import CloudModel

/// Where the Amazon-provided resolver answers (issue 13): in each VPC router namespace with enableDnsSupport, at
/// the VPC's base + 2 and at 169.254.169.253, both on the router's loopback, so every ENI reaches them through its
/// default gateway; in the lambda network at 169.254.169.253. The fabric plans the addresses (and the firewall
/// openings); the server's resolver opens its UDP and TCP sockets on them (see `NamespaceSocketOwner`).
extension FabricPlanner {
    /// The port every resolver listens on.
    public static let resolverPort = 53

    /// The addresses a VPC's resolver holds; empty without DNS support.
    public static func resolverAddresses(_ vpc: FabricModel.VPC) -> [IPv4Address] {
        vpc.dnsSupport ? [AmazonDNS.vpcResolver(vpc.cidr), AmazonDNS.linkLocalResolver] : []
    }

    func addResolver(_ p: inout NamespacePlan, vpc: FabricModel.VPC) {
        let addresses = Self.resolverAddresses(vpc)
        guard !addresses.isEmpty else { return }
        for a in addresses { p.state.addresses.insert(.init(device: "lo", cidr: "\(a)/32")) }
        p.resolver = ResolverListener(view: .vpc(vpc.id), addresses: addresses)
    }

    func addLambdaResolver(_ p: inout NamespacePlan) {
        p.state.addresses.insert(.init(device: "lo", cidr: "\(AmazonDNS.linkLocalResolver)/32"))
        p.resolver = ResolverListener(view: .lambdaNetwork, addresses: [AmazonDNS.linkLocalResolver])
    }

    /// nft lines accepting DNS to `addresses` (UDP and TCP port 53): security groups do not filter traffic to the
    /// Amazon DNS server, and the lambda network lets its environments ask its own.
    static func resolverAcceptLines(_ addresses: [IPv4Address], prefix: String) -> [String] {
        guard !addresses.isEmpty else { return [] }
        let set = addresses.count == 1 ? addresses[0].description : "{ " + addresses.map(\.description).joined(separator: ", ") + " }"
        return ["\(prefix)ip daddr \(set) meta l4proto { tcp, udp } th dport \(resolverPort) accept"]
    }
}

/// A resolver's place in a namespace: which network's answers it gives and the addresses it binds.
public struct ResolverListener: Sendable, Hashable {
    public enum View: Sendable, Hashable {
        case vpc(String)
        case lambdaNetwork
    }
    public var view: View
    public var addresses: [IPv4Address]
    public init(view: View, addresses: [IPv4Address]) { self.view = view; self.addresses = addresses }
}

/// Keeps sockets inside the fabric's namespaces (the DNS resolver's). A socket holds its network namespace alive,
/// and with it the veth ends the next namespace of the same name needs, so the fabric tells the owner before it
/// deletes a namespace, and after each pass what should listen where. Both run on the fabric's own thread, which
/// may enter namespaces (`LinuxFabric.inNetworkNamespace`); they must return once done and never wait for the fabric.
public protocol NamespaceSocketOwner: Sendable {
    /// Closes every socket in these namespaces, returning when they are closed.
    func closeSockets(in namespaces: Set<String>)
    /// The resolvers of every namespace built without failure: open what is missing, close what is no longer wanted.
    func resolversPlanned(_ listeners: [String: ResolverListener])
}
