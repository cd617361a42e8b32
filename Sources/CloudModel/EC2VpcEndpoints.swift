import Foundation

/// A VPC endpoint: a gateway endpoint (routes to its service's prefix list in route tables) or an interface endpoint
/// (one `vpc_endpoint` ENI per subnet under its security groups, and with private DNS the regional service name).
public struct VpcEndpoint: Record, Taggable {
    public static let kind = "ec2.vpc-endpoint"
    public static var table: WritableKeyPath<CloudState, [String: VpcEndpoint]> { \.vpcEndpoints }

    /// `Gateway` or `Interface`, as EC2 writes them.
    public enum EndpointType: String, Codable, Sendable { case gateway = "Gateway", interface = "Interface" }
    /// EC2's states on the wire (lower case).
    public enum State: String, Codable, Sendable { case pending, available, deleting, deleted, failed }

    public var id: String
    public var type: EndpointType
    public var vpcId: String
    public var serviceName: String
    public var state: State
    public var stateChangedAt: Date
    public var policyDocument: String
    public var routeTableIds: [String]
    public var subnetIds: [String]
    public var groupIds: [String]
    public var networkInterfaceIds: [String]
    public var privateDnsEnabled: Bool
    public var ipAddressType: String
    public var dnsRecordIpType: String
    public var clientToken: String?
    /// A gateway endpoint's address on the simulated internet: its traffic reaches the service edge from there,
    /// which tells the edge the endpoint it came through (nil for interface endpoints).
    public var sourceAddress: IPv4Address?
    public var ownerId: String
    public var tags: [Tag]
    public var createdAt: Date

    public init(id: String, type: EndpointType, vpcId: String, serviceName: String, state: State, policyDocument: String,
                routeTableIds: [String], subnetIds: [String], groupIds: [String], privateDnsEnabled: Bool,
                ownerId: String, tags: [Tag], createdAt: Date) {
        self.id = id; self.type = type; self.vpcId = vpcId; self.serviceName = serviceName; self.state = state
        self.stateChangedAt = createdAt; self.policyDocument = policyDocument; self.routeTableIds = routeTableIds
        self.subnetIds = subnetIds; self.groupIds = groupIds; self.networkInterfaceIds = []
        self.privateDnsEnabled = privateDnsEnabled; self.ipAddressType = "ipv4"; self.dnsRecordIpType = "ipv4"
        self.ownerId = ownerId; self.tags = tags; self.createdAt = createdAt
    }

    /// The policy an endpoint has when it is created without one: full access.
    public static let fullAccessPolicy = """
        {"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}
        """
}

extension VpcEndpoint {
    /// The service's short name (`sqs` of `com.amazonaws.us-east-1.sqs`).
    public var serviceShortName: String { serviceName.split(separator: ".").dropFirst(3).joined(separator: ".") }

    /// The endpoint's own regional name, `vpce-…-<8>.sqs.us-east-1.vpce.amazonaws.com`, and, with `zone`, the zonal one.
    public func dnsName(region: String, zone: String? = nil) -> String {
        "\(id)-\(id.suffix(8))" + (zone.map { "-" + $0 } ?? "") + ".\(serviceShortName).\(region).vpce.amazonaws.com"
    }

    /// Where gateway endpoints' source addresses come from (RFC 6598 shared space, never a VPC's or the internet's).
    public static let gatewaySourceBlock = IPv4CIDR("100.80.0.0/16")!

    /// A source address for a new gateway endpoint: from its id, the next free one on collision.
    public static func gatewaySourceAddress(for id: String, taken: Set<IPv4Address>) -> IPv4Address {
        var h: UInt32 = 2_166_136_261
        for b in id.utf8 { h = (h ^ UInt32(b)) &* 16_777_619 }
        let size = UInt32(1) << UInt32(32 - gatewaySourceBlock.prefixLength)
        var offset = h % (size - 2) + 1
        while taken.contains(IPv4Address(gatewaySourceBlock.network.value + offset)) { offset = offset % (size - 2) + 1 }
        return IPv4Address(gatewaySourceBlock.network.value + offset)
    }

    /// The regional service name private DNS takes over inside the endpoint's VPC.
    public func privateDnsName(region: String) -> String { "\(serviceShortName).\(region).amazonaws.com" }
}
