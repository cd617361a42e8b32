import CloudModel

/// What an execution environment's namespace is wired to.
public enum AttachmentTarget: Sendable, Hashable {
    /// A Hyperplane ENI: traffic leaves source-NATed to the ENI's address, under the ENI's security groups.
    case interface(String)
    /// The Lambda-owned network of functions without VpcConfig: no route into any VPC.
    case lambdaNetwork
}

/// One environment namespace linked to an ENI namespace (or the lambda network) by a private /30.
public struct EnvironmentAttachment: Sendable, Equatable {
    public var environmentNamespace: String
    public var target: AttachmentTarget
    /// Index of the /30 inside `linkBlock`, unique among the attachments of one target.
    public var slot: Int

    public init(environmentNamespace: String, target: AttachmentTarget, slot: Int) {
        self.environmentNamespace = environmentNamespace; self.target = target; self.slot = slot
    }

    /// Link-local space outside 169.254.169.0/24 (metadata-style addresses) and never a legal VPC range.
    public static let linkBlock = IPv4CIDR("169.254.128.0/17")!
    public static let maxSlots = Int(linkBlock.size / 4)

    /// The target-side address of the /30 (the environment's default gateway).
    public var gatewayAddress: IPv4Address { Self.linkBlock.address(at: UInt32(slot * 4 + 1)) }
    /// The environment's own address.
    public var environmentAddress: IPv4Address { Self.linkBlock.address(at: UInt32(slot * 4 + 2)) }

    /// Metadata-style addresses (the resolver's 169.254.169.253, instance metadata's .254): no link may hold them.
    public static let reservedBlock = IPv4CIDR("169.254.169.0/24")!

    /// The lowest slot no attachment of `target` uses, outside `reservedBlock`.
    static func freeSlot(for target: AttachmentTarget, among existing: some Sequence<EnvironmentAttachment>) -> Int? {
        let used = Set(existing.filter { $0.target == target }.map(\.slot))
        return (0..<maxSlots).first { !used.contains($0) && !reservedBlock.contains(linkBlock.address(at: UInt32($0 * 4))) }
    }
}

/// What the sandbox needs to know about an attached environment.
public struct EnvironmentLink: Sendable, Equatable {
    /// The environment's interface (inside its namespace) and address.
    public var interfaceName: String
    public var address: IPv4Address
    public var gateway: IPv4Address
    /// The namespace the environment's link joins (`lv-<tag>-eni-…` or `lv-<tag>-lambda`).
    public var targetNamespace: String
    /// The source address its traffic has once it leaves (the ENI's private IP), nil for the lambda network.
    public var sourceAddress: IPv4Address?
}
