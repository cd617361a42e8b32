/// The kernel objects of one network namespace that the fabric manages: what the plan wants, or what was read
/// back from the kernel. Same type for both, so the diff is a comparison.
public struct NamespaceState: Sendable, Equatable {
    public var links: [String: Link] = [:]
    public var addresses: Set<Address> = []
    public var routes: Set<Route> = []
    public var rules: Set<PolicyRule> = []
    /// The fingerprint stored in the namespace's nftables table (as an empty chain's name); nil when no fabric table exists.
    public var firewallFingerprint: String?

    public init() {}

    /// A network link.
    public struct Link: Sendable, Equatable {
        public var kind: LinkKind
        /// The bridge this link is a port of.
        public var master: String?
        public var up: Bool
        public init(kind: LinkKind, master: String? = nil, up: Bool = true) { self.kind = kind; self.master = master; self.up = up }
    }

    /// An IPv4 address on a link (`10.0.1.1/24` on `lv-b-…`).
    public struct Address: Sendable, Hashable, Comparable {
        public var device: String
        /// Address with prefix length, e.g. `10.0.1.1/24`.
        public var cidr: String
        public init(device: String, cidr: String) { self.device = device; self.cidr = cidr }
        public static func < (a: Address, b: Address) -> Bool { (a.device, a.cidr) < (b.device, b.cidr) }
    }

    /// A route the fabric installs (always `proto static`, so kernel-made routes are never ours).
    public struct Route: Sendable, Hashable, Comparable {
        /// `unicast`, `blackhole`, `throw` or `unreachable`.
        public var type: String
        /// Normalised `a.b.c.d/n` (`0.0.0.0/0` for default).
        public var destination: String
        public var gateway: String?
        public var device: String?
        /// `main` or a table number.
        public var table: String
        public init(type: String = "unicast", destination: String, gateway: String? = nil, device: String? = nil, table: String = "main") {
            self.type = type; self.destination = destination; self.gateway = gateway; self.device = device; self.table = table
        }
        public static func < (a: Route, b: Route) -> Bool {
            (a.table, a.destination, a.type, a.gateway ?? "", a.device ?? "") < (b.table, b.destination, b.type, b.gateway ?? "", b.device ?? "")
        }
    }

    /// A policy-routing rule `from SOURCE lookup TABLE pref PRIORITY`.
    public struct PolicyRule: Sendable, Hashable, Comparable {
        public var priority: Int
        public var source: String
        public var table: String
        public init(priority: Int, source: String, table: String) { self.priority = priority; self.source = source; self.table = table }
        public static func < (a: PolicyRule, b: PolicyRule) -> Bool { (a.priority, a.source, a.table) < (b.priority, b.source, b.table) }
    }
}

/// The kinds of link the fabric makes; anything else found in one of its namespaces is `other`.
public enum LinkKind: Sendable, Equatable {
    case loopback
    case bridge
    case veth
    case other(String)
}

/// How a veth pair is made: from the namespace holding one end, naming the other end and its namespace.
public struct VethPeer: Sendable, Equatable {
    public var name: String
    public var namespace: String
    public init(name: String, namespace: String) { self.name = name; self.namespace = namespace }
}

/// What is loaded into a namespace in one step on a namespace thread: sysctls and an nftables ruleset.
public struct Firewall: Sendable, Equatable {
    /// `net/ipv4/ip_forward` style keys (paths under /proc/sys) with their values.
    public var sysctls: [(key: String, value: String)]
    /// The table holding the fingerprint chain (`inet lv_sg`).
    public var fingerprintTable: String
    /// A complete `nft -f` script that replaces the fabric's tables atomically.
    public var ruleset: String
    /// Hash of sysctls and ruleset; stored in the table comment so a restart can tell what is loaded.
    public var fingerprint: String

    public init(sysctls: [(key: String, value: String)], fingerprintTable: String, ruleset: String, fingerprint: String) {
        self.sysctls = sysctls; self.fingerprintTable = fingerprintTable; self.ruleset = ruleset; self.fingerprint = fingerprint
    }

    public static func == (a: Firewall, b: Firewall) -> Bool {
        a.fingerprint == b.fingerprint && a.fingerprintTable == b.fingerprintTable && a.ruleset == b.ruleset
    }
}

/// Everything the plan wants in one namespace.
public struct NamespacePlan: Sendable, Equatable {
    /// Order of application: the internet core first (it creates the uplinks of VPC routers, hosts and the
    /// lambda network), then VPC routers and the lambda network (they own bridges and create ENI veths), then ENI
    /// and internet host namespaces (ENIs create environment veths), then environment namespaces.
    public enum Role: Int, Sendable, Comparable {
        case core = 0
        case router = 1
        case interface = 2
        case environment = 3
        public static func < (a: Role, b: Role) -> Bool { a.rawValue < b.rawValue }
    }

    public var name: String
    public var role: Role
    /// False for environment namespaces: the sandbox creates and removes them; the fabric only adds its link.
    public var owned: Bool
    public var state: NamespaceState
    /// Veths this namespace creates, by local link name.
    public var creates: [String: VethPeer]
    public var firewall: Firewall?
    /// The DNS resolver listening in this namespace (sockets the server opens, see `NamespaceSocketOwner`).
    public var resolver: ResolverListener?

    public init(name: String, role: Role, owned: Bool = true, state: NamespaceState = NamespaceState(),
                creates: [String: VethPeer] = [:], firewall: Firewall? = nil, resolver: ResolverListener? = nil) {
        self.name = name; self.role = role; self.owned = owned; self.state = state; self.creates = creates
        self.firewall = firewall; self.resolver = resolver
    }
}

/// The desired kernel objects for a whole model: one plan per namespace.
public struct FabricPlan: Sendable, Equatable {
    public var namespaces: [String: NamespacePlan]
    public init(namespaces: [String: NamespacePlan] = [:]) { self.namespaces = namespaces }
}
