import Foundation

/// An internet gateway, attached to at most one VPC.
public struct InternetGateway: Record, Taggable {
    public static let kind = "ec2.internet-gateway"
    public static var table: WritableKeyPath<CloudState, [String: InternetGateway]> { \.internetGateways }
    public var id: String
    /// The VPC it is attached to, if any (EC2 shows the attachment state `available`).
    public var attachedVpcId: String?
    public var ownerId: String
    public var tags: [Tag]
    public var createdAt: Date

    public init(id: String, attachedVpcId: String?, ownerId: String, tags: [Tag], createdAt: Date) {
        self.id = id; self.attachedVpcId = attachedVpcId; self.ownerId = ownerId; self.tags = tags; self.createdAt = createdAt
    }
}

/// An Elastic IP address (domain `vpc`), allocated from this project's "public" documentation range.
public struct ElasticAddress: Record, Taggable {
    public static let kind = "ec2.address"
    public static var table: WritableKeyPath<CloudState, [String: ElasticAddress]> { \.addresses }

    /// Where the address is mapped: one network interface (an instance's, a NAT gateway's or a user's).
    public struct Association: Codable, Sendable, Equatable {
        public var id: String
        public var networkInterfaceId: String
        public var privateIpAddress: IPv4Address
        public var instanceId: String?
        public init(id: String, networkInterfaceId: String, privateIpAddress: IPv4Address, instanceId: String?) {
            self.id = id; self.networkInterfaceId = networkInterfaceId
            self.privateIpAddress = privateIpAddress; self.instanceId = instanceId
        }
    }

    /// The allocation id (`eipalloc-…`).
    public var id: String
    public var publicIp: IPv4Address
    public var association: Association?
    public var ownerId: String
    public var tags: [Tag]
    public var createdAt: Date

    public init(id: String, publicIp: IPv4Address, association: Association?, ownerId: String, tags: [Tag], createdAt: Date) {
        self.id = id; self.publicIp = publicIp; self.association = association
        self.ownerId = ownerId; self.tags = tags; self.createdAt = createdAt
    }

    /// The block Elastic IPs come from: RFC 7526's retired 6to4 relay block, which no host uses any more. Not the
    /// simulated internet's host ranges (TEST-NET-2 and -3), not TEST-NET-1 (which machines, this project's CI among
    /// them, use for their own network) and not 198.18.0.0/15, where the service edge answers (`ServiceEdge`).
    public static let pool = IPv4CIDR("192.88.99.0/24")!

    /// The lowest free address of the pool (`.1` … `.254`), or nil when all are allocated.
    public static func firstFree(used: Set<IPv4Address>) -> IPv4Address? {
        for off in UInt32(1)..<UInt32(pool.size - 1) {
            let a = pool.address(at: off)
            if !used.contains(a) { return a }
        }
        return nil
    }
}

/// The lifecycle of a NAT gateway as EC2 reports it.
public enum NatGatewayState: String, Codable, Sendable, CaseIterable {
    case pending, available, deleting, deleted, failed

    /// What moves a NAT gateway from one state to the next.
    public enum Event: Sendable, Equatable {
        /// Provisioning finished; `internetReachable` is false for a public gateway whose VPC has no internet gateway.
        case provisioned(internetReachable: Bool)
        case deleteRequested
        case deprovisioned
    }

    /// The single transition function; nil when the event does not apply in this state.
    public func next(_ event: Event) -> NatGatewayState? {
        switch (self, event) {
        case (.pending, .provisioned(let reachable)): reachable ? .available : .failed
        case (.pending, .deleteRequested), (.available, .deleteRequested), (.failed, .deleteRequested): .deleting
        case (.deleting, .deprovisioned): .deleted
        default: nil
        }
    }

}

/// A NAT gateway in a subnet; its own network interface holds its private address.
public struct NatGateway: Record, Taggable {
    public static let kind = "ec2.nat-gateway"
    public static var table: WritableKeyPath<CloudState, [String: NatGateway]> { \.natGateways }
    public var id: String
    public var vpcId: String
    public var subnetId: String
    /// `public` or `private`.
    public var connectivityType: String
    public var allocationId: String?
    public var publicIp: IPv4Address?
    /// Still reported once deleted, although the interface itself is gone by then.
    public var networkInterfaceId: String
    public var privateIp: IPv4Address
    public var state: NatGatewayState
    /// When the state last changed; the reconciler times the next transition from it.
    public var stateChangedAt: Date
    public var failureCode: String?
    public var failureMessage: String?
    public var ownerId: String
    public var tags: [Tag]
    public var createdAt: Date
    public var deletedAt: Date?

    public init(id: String, vpcId: String, subnetId: String, connectivityType: String, allocationId: String?, publicIp: IPv4Address?,
                networkInterfaceId: String, privateIp: IPv4Address, state: NatGatewayState, stateChangedAt: Date,
                ownerId: String, tags: [Tag], createdAt: Date) {
        self.id = id; self.vpcId = vpcId; self.subnetId = subnetId; self.connectivityType = connectivityType
        self.allocationId = allocationId; self.publicIp = publicIp; self.networkInterfaceId = networkInterfaceId
        self.privateIp = privateIp; self.state = state; self.stateChangedAt = stateChangedAt
        self.ownerId = ownerId; self.tags = tags; self.createdAt = createdAt
    }
}
