import CloudModel

/// Which network a query comes from: the answers depend on it (private names and endpoint overrides exist only
/// inside their VPC).
public enum DNSView: Hashable, Sendable {
    case vpc(String)
    /// The network of functions without VpcConfig.
    case lambdaNetwork
}

/// Everything the Amazon-provided resolver answers, planned from the control plane's state (pure, rebuilt after
/// each committed write): per VPC the private names of its interfaces (`ip-10-0-1-4.ec2.internal`, with PTR) when
/// the VPC has enableDnsHostnames, and the names interface endpoints override; everywhere, the simulated
/// internet's hosts by name and the AWS service names (see `AWSServiceNames`), at the service edge's addresses.
/// Anything else is NXDOMAIN with an SOA, so a client gives up at once.
public struct DNSZone: Sendable {
    /// One region's state (a store partition) and the region its VPCs belong to.
    public struct Partition: Sendable {
        public var region: String
        public var state: CloudState
        public init(region: String, state: CloudState) { self.region = region; self.state = state }
    }

    /// A host of the simulated internet (`lambda-vpc internet run --name`).
    public struct InternetHost: Sendable, Equatable {
        public var name: String
        public var address: IPv4Address
        public init(name: String, address: IPv4Address) { self.name = name; self.address = address }
    }

    /// Names answered with `addresses` inside one VPC only, before anything else: an interface endpoint's own
    /// names, and with private DNS the regional service name it takes over. A name may start with `*.` (any
    /// labels in its place).
    public struct Override: Sendable, Equatable {
        public var vpcId: String
        public var names: [String]
        public var addresses: [IPv4Address]
        public init(vpcId: String, names: [String], addresses: [IPv4Address]) {
            self.vpcId = vpcId; self.names = names; self.addresses = addresses
        }
    }

    /// TTLs: service names never move; the rest can change with any write (or any `internet run`).
    public static let serviceTTL: UInt32 = 60
    public static let privateTTL: UInt32 = 60
    public static let volatileTTL: UInt32 = 5
    /// Negative answers are kept this long by caching clients (RFC 2308: the SOA's minimum and TTL).
    public static let negativeTTL: UInt32 = 5
    /// The SOA's primary server and mailbox: names of this simulation's own, under a reserved TLD.
    static let primary = DNSName("ns.lambda-vpc.internal")!
    static let mailbox = DNSName("hostmaster.lambda-vpc.internal")!

    /// A name's own data.
    struct Node: Sendable {
        var v4: [IPv4Address] = []
        var alias: String?
        var pointer: String?
        var ttl: UInt32
    }

    /// The names of one VPC (empty maps when it has no hostnames and no overrides).
    struct VPCNames: Sendable {
        var names: [String: Node] = [:]
        /// Wildcard overrides, keyed by what follows `*.`.
        var wildcards: [String: Node] = [:]
        /// Ancestors of `names`: they exist (NODATA), they are not NXDOMAIN (RFC 8020).
        var ancestors: Set<String> = []
    }

    var vpcs: [String: VPCNames] = [:]
    /// VPCs whose resolver answers (enableDnsSupport).
    public private(set) var servedVPCs: Set<String> = []
    var global: [String: Node] = [:]
    var globalAncestors: Set<String> = []
    /// Apexes the SOA of a negative answer is given for (the private domains of the partitions' regions).
    var apexes: Set<String> = ["amazonaws.com", "api.aws", "in-addr.arpa", "ec2.internal"]
    var serial: UInt32 = 1

    public init() {}

    /// Plans the names of every VPC of `partitions`, the internet hosts and the endpoint overrides.
    /// `serial`: the SOA serial (any counter that grows with rebuilds).
    public static func plan(partitions: [Partition], internetHosts: [InternetHost] = [], overrides: [Override] = [],
                            serial: UInt32 = 1) -> DNSZone {
        var z = DNSZone()
        z.serial = serial
        for p in partitions {
            let domain = AmazonDNS.privateDomain(region: p.region)
            z.apexes.insert(domain)
            for v in p.state.vpcs.values where v.enableDnsSupport { z.servedVPCs.insert(v.id) }
            let named = Set(p.state.vpcs.values.filter(\.enableDnsHostnames).map(\.id))
            for eni in p.state.networkInterfaces.values where named.contains(eni.vpcId) {
                let name = AmazonDNS.privateDnsName(eni.privateIpAddress, region: p.region)
                z.vpcs[eni.vpcId, default: VPCNames()].add(name, Node(v4: [eni.privateIpAddress], ttl: privateTTL))
                z.vpcs[eni.vpcId, default: VPCNames()].add(reverseName(eni.privateIpAddress), Node(pointer: name, ttl: privateTTL))
            }
        }
        for h in internetHosts {
            let key = h.name.lowercased().trimmingDot
            var node = z.global[key] ?? Node(ttl: volatileTTL)
            if !node.v4.contains(h.address) { node.v4.append(h.address) }
            z.global[key] = node
            z.globalAncestors.formUnion(ancestors(of: key))
        }
        for o in overrides {
            let node = Node(v4: o.addresses, ttl: volatileTTL)
            for n in o.names {
                let key = n.lowercased().trimmingDot
                if key.hasPrefix("*.") {
                    let base = String(key.dropFirst(2))
                    z.vpcs[o.vpcId, default: VPCNames()].wildcards[base] = node
                    z.vpcs[o.vpcId, default: VPCNames()].ancestors.formUnion(ancestors(of: key).union([base]))
                } else {
                    z.vpcs[o.vpcId, default: VPCNames()].add(key, node)
                }
            }
        }
        return z
    }

    /// Whether the resolver answers in `view` at all (a VPC with enableDnsSupport false has no resolver).
    public func serves(_ view: DNSView) -> Bool {
        switch view {
        case .lambdaNetwork: return true
        case .vpc(let id): return servedVPCs.contains(id)
        }
    }

    /// The records for one question asked from `view`: CNAMEs followed (at most 8), NODATA or NXDOMAIN with the
    /// SOA of the closest apex in the authority section.
    public func answer(_ q: DNSQuestion, from view: DNSView) -> DNSAnswer {
        var records: [DNSRecord] = []
        var owner = q.name
        var key = q.name.key
        for _ in 0..<8 {
            guard let node = find(key, view) else {
                let exists = existsWithoutData(key, view)
                return DNSAnswer(rcode: exists ? DNSRcode.noError : DNSRcode.nameError, answers: records, authority: [soa(for: key)])
            }
            if let alias = node.alias, q.type != DNSType.cname, let target = DNSName(alias) {
                records.append(.cname(owner, target, ttl: node.ttl))
                owner = target
                key = alias
                continue
            }
            let matched = Self.records(node, owner: owner, type: q.type)
            records += matched
            return DNSAnswer(answers: records, authority: matched.isEmpty ? [soa(for: key)] : [])
        }
        return DNSAnswer(rcode: DNSRcode.serverFailure, answers: [])
    }

    static func records(_ node: Node, owner: DNSName, type: UInt16) -> [DNSRecord] {
        var out: [DNSRecord] = []
        let any = type == DNSType.any
        if type == DNSType.a || any { out += node.v4.map { .a(owner, $0.bytes, ttl: node.ttl) } }
        if type == DNSType.cname || any, let alias = node.alias, let target = DNSName(alias) { out.append(.cname(owner, target, ttl: node.ttl)) }
        if type == DNSType.ptr || any, let p = node.pointer, let target = DNSName(p) { out.append(.ptr(owner, target, ttl: node.ttl)) }
        return out
    }

    /// A name's own data: the VPC's names and overrides first, then the internet's hosts, then AWS's names.
    func find(_ key: String, _ view: DNSView) -> Node? {
        if case .vpc(let id) = view, let names = vpcs[id] {
            if let n = names.names[key] { return n }
            if !names.wildcards.isEmpty {
                var rest = Substring(key)
                while let dot = rest.firstIndex(of: ".") {
                    rest = rest[rest.index(after: dot)...]
                    if let n = names.wildcards[String(rest)] { return n }
                }
            }
        }
        if let n = global[key] { return n }
        switch AWSServiceNames.resolve(key.split(separator: ".").map(String.init)) {
        case .edge(let service, let region)?:
            guard let a = ServiceEdge.address(service: service, region: region) else { return nil }
            return Node(v4: [a], ttl: Self.serviceTTL)
        case .alias(let target)?:
            return Node(alias: target, ttl: Self.serviceTTL)
        case .emptyNonTerminal?, nil:
            return nil
        }
    }

    /// True for a name that has no data but names below it, or is an apex: NODATA rather than NXDOMAIN.
    func existsWithoutData(_ key: String, _ view: DNSView) -> Bool {
        if apexes.contains(key) || globalAncestors.contains(key) { return true }
        if case .vpc(let id) = view, vpcs[id]?.ancestors.contains(key) == true { return true }
        return AWSServiceNames.resolve(key.split(separator: ".").map(String.init)) == .emptyNonTerminal
    }

    /// The SOA of the closest apex holding `key` (the root for names of no zone here), for negative answers.
    func soa(for key: String) -> DNSRecord {
        var apex = ""
        var rest = Substring(key)
        while true {
            if apexes.contains(String(rest)) { apex = String(rest); break }
            guard let dot = rest.firstIndex(of: ".") else { break }
            rest = rest[rest.index(after: dot)...]
        }
        let data = DNSSOA(primary: Self.primary, mailbox: Self.mailbox, serial: serial, refresh: 3600, retry: 600,
                          expire: 86400, minimum: Self.negativeTTL)
        return DNSRecord(name: DNSName(apex) ?? .root, type: DNSType.soa, ttl: Self.negativeTTL, data: .soa(data))
    }

    /// `4.1.0.10.in-addr.arpa` for 10.0.1.4.
    public static func reverseName(_ a: IPv4Address) -> String {
        a.bytes.reversed().map(String.init).joined(separator: ".") + ".in-addr.arpa"
    }

    /// Every proper ancestor of a dotted name (`a.b.c` → `b.c`, `c`).
    static func ancestors(of key: String) -> Set<String> {
        var out: Set<String> = []
        var rest = Substring(key)
        while let dot = rest.firstIndex(of: ".") {
            rest = rest[rest.index(after: dot)...]
            out.insert(String(rest))
        }
        return out
    }
}

extension DNSZone.VPCNames {
    mutating func add(_ key: String, _ node: DNSZone.Node) {
        names[key] = node
        ancestors.formUnion(DNSZone.ancestors(of: key))
    }
}

extension IPv4Address {
    /// The four bytes in network order.
    var bytes: [UInt8] { [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)] }
}

extension String {
    var trimmingDot: String { hasSuffix(".") ? String(dropLast()) : self }
}
