import CloudModel

/// `serve --egress host`: the root-namespace side of the core's way out. The core's `lv-egress` veth has its peer
/// (`lv-<tag>-eg`) in the root namespace, which dies with the core; this adds the peer's address and a masquerade
/// table in the root namespace, the only objects the fabric ever makes outside its own namespaces.
public struct HostEgress: Sendable, Equatable {
    let names: FabricNames

    /// `ip link add … peer … netns 1`: the namespace of pid 1, the host's.
    static let rootNamespacePid = "1"
    /// Per-instance /30s inside 169.254.192.0/18, so two servers with egress on one host do not collide.
    static let block = IPv4CIDR("169.254.192.0/18")!

    var linkNetwork: IPv4CIDR {
        let slot = UInt32(FabricNames.fnv1a64(names.tag) % UInt64(Self.block.size / 4))
        return IPv4CIDR(address: Self.block.address(at: slot * 4), prefixLength: 30)
    }
    var coreAddress: IPv4Address { linkNetwork.address(at: 1) }
    var rootAddress: IPv4Address { linkNetwork.address(at: 2) }

    /// `ip -batch` lines for the root namespace, run once the core created the veth (idempotent with `-force`).
    public var rootIPBatch: String {
        "address replace \(rootAddress)/30 dev \(names.egressRootLink)\nlink set \(names.egressRootLink) up\n"
    }

    /// The root namespace's masquerade of the core's traffic, replacing any earlier copy in one transaction.
    public var rootRuleset: String {
        let t = names.egressRootTable
        return "add table \(t)\ndelete table \(t)\ntable \(t) {\n"
            + SecurityGroupRuleset.chain("postrouting", "type nat hook postrouting priority srcnat; policy accept;", [
                "ip saddr \(linkNetwork) masquerade",
            ]) + "}\n"
    }

    /// Removes the root table (teardown); the link went with the core.
    public var rootTeardown: String { "delete table \(names.egressRootTable)\n" }

    /// Forwarding in the root namespace, which masquerading the core's traffic onwards needs.
    public static let rootSysctl = (key: "net/ipv4/ip_forward", value: "1")
}
