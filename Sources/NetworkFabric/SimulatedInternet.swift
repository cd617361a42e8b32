import CloudModel

/// The addresses of the simulated internet. Every link into the core is point-to-point: the core holds
/// `coreAddress` on each of its ports and routes each public address (a host's, an Elastic IP, the lambda
/// network's) to the one port behind which it lives, so no two links need distinct link addresses.
public enum SimulatedInternet {
    /// Where internet hosts may live (RFC 5737 TEST-NET-3 and TEST-NET-2); Elastic IPs come from
    /// `ElasticAddress.pool`; the service edge answers in `ServiceEdge.block`.
    public static let hostRanges = [IPv4CIDR("203.0.113.0/24")!, IPv4CIDR("198.51.100.0/24")!]
    /// The core's address on every port: the default gateway of hosts, VPC routers and the lambda network.
    public static let coreAddress = IPv4Address("169.254.0.1")!
    /// A VPC router's own address on its uplink (the source of its ARP requests).
    public static let routerUplinkAddress = IPv4Address("169.254.0.2")!
    /// The service edge's own address on its uplink (the source of its ARP requests; it answers in `ServiceEdge.block`).
    public static let edgeUplinkAddress = IPv4Address("169.254.0.3")!
    /// The public address the lambda network masquerades functions without VpcConfig to (RFC 6598 shared space,
    /// never routed into a VPC: the core knows VPCs only by their Elastic IPs).
    public static let lambdaPublicAddress = IPv4Address("100.64.0.1")!

    /// Why `address` cannot be a new internet host, nil when it can.
    public static func hostAddressProblem(_ text: String, inUse: Set<IPv4Address>) -> String? {
        guard let a = IPv4Address(text) else { return "'\(text)' is not an IPv4 address" }
        guard let range = hostRanges.first(where: { $0.contains(a) }) else {
            return "\(a) is not in the simulated internet's host ranges (203.0.113.0/24, 198.51.100.0/24)"
        }
        if a == range.network || a == range.broadcast { return "\(a) is the network or broadcast address of \(range)" }
        if inUse.contains(a) { return "\(a) is already used by another internet host" }
        return nil
    }

    /// Domains the VPC resolver answers itself: a host may not take a name in them.
    static let reservedDomains = ["amazonaws.com", "api.aws", "internal", "arpa"]

    /// Why `name` cannot name an internet host in DNS, nil when it can: a hostname (letters, digits and inner
    /// hyphens, labels of 1-63, 253 in all) outside the domains the resolver answers itself. Several hosts may
    /// share a name (its answer lists them all).
    public static func hostNameProblem(_ name: String) -> String? {
        let n = (name.hasSuffix(".") ? String(name.dropLast()) : name).lowercased()
        let labels = n.split(separator: ".", omittingEmptySubsequences: false)
        let valid = !n.isEmpty && n.count <= 253 && labels.allSatisfy { l in
            (1...63).contains(l.count) && l.first != "-" && l.last != "-"
                && l.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
        guard valid else {
            return "'\(name)' is not a host name (letters, digits and hyphens in dot-separated labels of 1-63 characters)"
        }
        if let d = reservedDomains.first(where: { n == $0 || n.hasSuffix("." + $0) }) {
            return "'\(name)' is in \(d), which the VPC resolver answers itself"
        }
        return nil
    }
}

/// Whether the internet core reaches the host's own network (`serve --egress`).
public enum InternetEgress: String, Sendable, Equatable, CaseIterable {
    /// The simulated internet is all there is: no packet leaves the project's namespaces.
    case none
    /// The core's default route leads to the host's network, masqueraded twice (in the core, then by the host).
    case host
}
