import Foundation

/// A resource tag.
public struct Tag: Codable, Sendable, Equatable, Hashable {
    public var key: String
    public var value: String
    public init(key: String, value: String) { self.key = key; self.value = value }
}

/// A tagged EC2 resource; DescribeTags and the `tag:` filters read these.
public protocol Taggable {
    var tags: [Tag] { get set }
}

/// A VPC with its primary IPv4 block.
public struct Vpc: Record, Taggable {
    public static let kind = "ec2.vpc"
    public static var table: WritableKeyPath<CloudState, [String: Vpc]> { \.vpcs }
    public var id: String
    public var cidrBlock: IPv4CIDR
    public var cidrAssociationId: String
    public var instanceTenancy: String
    public var isDefault: Bool
    public var dhcpOptionsId: String
    public var ownerId: String
    public var tags: [Tag]
    public var createdAt: Date
    /// ModifyVpcAttribute's settings; nil (rows written before they existed, or never set) is AWS's default.
    public var dnsSupport: Bool?
    public var dnsHostnames: Bool?
    public var networkAddressUsageMetrics: Bool?
    /// Secondary IPv4 blocks (AssociateVpcCidrBlock); nil in rows written before they existed.
    public var secondaryCidrBlocks: [CidrBlockAssociation]?
    /// IPv6 blocks from the Amazon-like pool; nil in rows written before they existed.
    public var ipv6CidrBlocks: [Ipv6CidrBlockAssociation]?

    /// Every associated IPv4 block, the primary first: what the VPC's local routes and subnets may use.
    public var ipv4CidrBlocks: [IPv4CIDR] { [cidrBlock] + (secondaryCidrBlocks ?? []).map(\.cidrBlock) }

    /// The Amazon-provided DNS server answers in the VPC (default on).
    public var enableDnsSupport: Bool { dnsSupport ?? true }
    /// Instances get public DNS names (default off, on in a default VPC).
    public var enableDnsHostnames: Bool { dnsHostnames ?? isDefault }
    public var enableNetworkAddressUsageMetrics: Bool { networkAddressUsageMetrics ?? false }

    public init(id: String, cidrBlock: IPv4CIDR, cidrAssociationId: String, instanceTenancy: String, isDefault: Bool,
                dhcpOptionsId: String, ownerId: String, tags: [Tag], createdAt: Date) {
        self.id = id; self.cidrBlock = cidrBlock; self.cidrAssociationId = cidrAssociationId
        self.instanceTenancy = instanceTenancy; self.isDefault = isDefault; self.dhcpOptionsId = dhcpOptionsId
        self.ownerId = ownerId; self.tags = tags; self.createdAt = createdAt
    }
}

/// A subnet: a block of its VPC's range in one availability zone.
public struct Subnet: Record, Taggable {
    public static let kind = "ec2.subnet"
    public static var table: WritableKeyPath<CloudState, [String: Subnet]> { \.subnets }
    public var id: String
    public var vpcId: String
    public var cidrBlock: IPv4CIDR
    public var availabilityZone: String
    public var availabilityZoneId: String
    public var mapPublicIpOnLaunch: Bool
    public var ownerId: String
    public var tags: [Tag]
    public var createdAt: Date
    /// ModifySubnetAttribute's other settings; nil = EC2's default (rows written before they existed read as such).
    public var attributes: SubnetAttributes?
    /// The subnet's IPv6 /64 (at most one, as on EC2); nil when it has none.
    public var ipv6CidrBlock: Ipv6CidrBlockAssociation?
    /// The default VPC's subnet of its zone (`DefaultForAz`); nil = false.
    public var defaultForAz: Bool?

    public init(id: String, vpcId: String, cidrBlock: IPv4CIDR, availabilityZone: String, availabilityZoneId: String,
                mapPublicIpOnLaunch: Bool, ownerId: String, tags: [Tag], createdAt: Date) {
        self.id = id; self.vpcId = vpcId; self.cidrBlock = cidrBlock; self.availabilityZone = availabilityZone
        self.availabilityZoneId = availabilityZoneId; self.mapPublicIpOnLaunch = mapPublicIpOnLaunch
        self.ownerId = ownerId; self.tags = tags; self.createdAt = createdAt
    }
}

/// A secondary IPv4 block of a VPC and the association id EC2 names it by.
public struct CidrBlockAssociation: Codable, Sendable, Equatable {
    public var associationId: String
    public var cidrBlock: IPv4CIDR
    public init(associationId: String, cidrBlock: IPv4CIDR) { self.associationId = associationId; self.cidrBlock = cidrBlock }
}

/// An IPv6 block of a VPC (/56) or subnet (/64), in canonical text form, and its association id.
public struct Ipv6CidrBlockAssociation: Codable, Sendable, Equatable {
    public var associationId: String
    public var cidrBlock: String
    /// Where a VPC's block is advertised from (the region); nil for a subnet's block.
    public var networkBorderGroup: String?
    public init(associationId: String, cidrBlock: String, networkBorderGroup: String? = nil) {
        self.associationId = associationId; self.cidrBlock = cidrBlock; self.networkBorderGroup = networkBorderGroup
    }
}

/// A subnet's launch settings beyond MapPublicIpOnLaunch, each nil until set (EC2's defaults: false, `ip-name`, no
/// customer-owned pool, no LNI device index).
public struct SubnetAttributes: Codable, Sendable, Equatable {
    public var assignIpv6AddressOnCreation: Bool?
    public var mapCustomerOwnedIpOnLaunch: Bool?
    public var customerOwnedIpv4Pool: String?
    public var enableDns64: Bool?
    public var hostnameType: String?
    public var enableResourceNameDnsARecord: Bool?
    public var enableResourceNameDnsAAAARecord: Bool?
    public var enableLniAtDeviceIndex: Int?

    public init() {}
}

/// A security group; its rules are separate records (`SecurityGroupRule`) as EC2 models them since 2021.
public struct SecurityGroup: Record, Taggable {
    public static let kind = "ec2.security-group"
    public static var table: WritableKeyPath<CloudState, [String: SecurityGroup]> { \.securityGroups }
    public var id: String
    public var vpcId: String
    public var name: String
    public var description: String
    public var ownerId: String
    public var tags: [Tag]
    public var createdAt: Date

    public init(id: String, vpcId: String, name: String, description: String, ownerId: String, tags: [Tag], createdAt: Date) {
        self.id = id; self.vpcId = vpcId; self.name = name; self.description = description
        self.ownerId = ownerId; self.tags = tags; self.createdAt = createdAt
    }
}

/// One ingress or egress rule of a security group: one protocol/port range and one peer.
public struct SecurityGroupRule: Record, Taggable {
    public static let kind = "ec2.security-group-rule"
    public static var table: WritableKeyPath<CloudState, [String: SecurityGroupRule]> { \.securityGroupRules }
    public var id: String
    public var groupId: String
    public var isEgress: Bool
    /// `-1`, `tcp`, `udp`, `icmp` or a protocol number, as EC2 stores it (names lower-cased).
    public var ipProtocol: String
    /// -1 for "all" as EC2 reports it for protocol -1.
    public var fromPort: Int
    public var toPort: Int
    public var cidrIpv4: IPv4CIDR?
    public var cidrIpv6: String?
    public var referencedGroupId: String?
    public var description: String?
    public var ownerId: String
    public var tags: [Tag]
    /// Keeps the order in which rules were added, for stable listing.
    public var sequence: Int

    public init(id: String, groupId: String, isEgress: Bool, ipProtocol: String, fromPort: Int, toPort: Int,
                cidrIpv4: IPv4CIDR?, cidrIpv6: String?, referencedGroupId: String?, description: String?, ownerId: String,
                tags: [Tag], sequence: Int) {
        self.id = id; self.groupId = groupId; self.isEgress = isEgress; self.ipProtocol = ipProtocol
        self.fromPort = fromPort; self.toPort = toPort; self.cidrIpv4 = cidrIpv4; self.cidrIpv6 = cidrIpv6
        self.referencedGroupId = referencedGroupId; self.description = description; self.ownerId = ownerId
        self.tags = tags; self.sequence = sequence
    }

    /// Two rules are the same permission when protocol, ports and peer agree (EC2's duplicate test).
    public func samePermission(as o: SecurityGroupRule) -> Bool {
        groupId == o.groupId && isEgress == o.isEgress && ipProtocol == o.ipProtocol && fromPort == o.fromPort
            && toPort == o.toPort && cidrIpv4 == o.cidrIpv4 && cidrIpv6 == o.cidrIpv6 && referencedGroupId == o.referencedGroupId
    }
}

/// An elastic network interface: user-created, a Lambda Hyperplane ENI, or an instance's.
public struct NetworkInterface: Record, Taggable {
    public static let kind = "ec2.network-interface"
    public static var table: WritableKeyPath<CloudState, [String: NetworkInterface]> { \.networkInterfaces }

    /// The attachment of an interface (`ela-attach-` for Lambda's).
    public struct Attachment: Codable, Sendable, Equatable {
        public var id: String
        public var attachTime: Date
        public var deleteOnTermination: Bool
        public var deviceIndex: Int
        public var instanceId: String?
        public var instanceOwnerId: String
        public var status: String
        public init(id: String, attachTime: Date, deleteOnTermination: Bool, deviceIndex: Int, instanceId: String?,
                    instanceOwnerId: String, status: String) {
            self.id = id; self.attachTime = attachTime; self.deleteOnTermination = deleteOnTermination
            self.deviceIndex = deviceIndex; self.instanceId = instanceId; self.instanceOwnerId = instanceOwnerId; self.status = status
        }
    }

    public var id: String
    public var subnetId: String
    public var vpcId: String
    public var availabilityZone: String
    public var privateIpAddress: IPv4Address
    public var macAddress: String
    public var groupIds: [String]
    /// `interface`, `lambda`, ...
    public var interfaceType: String
    public var description: String
    public var requesterId: String?
    public var requesterManaged: Bool
    /// `available` or `in-use`.
    public var status: String
    public var sourceDestCheck: Bool
    public var attachment: Attachment?
    public var ownerId: String
    public var tags: [Tag]
    public var createdAt: Date

    public init(id: String, subnetId: String, vpcId: String, availabilityZone: String, privateIpAddress: IPv4Address,
                macAddress: String, groupIds: [String], interfaceType: String, description: String, requesterId: String?,
                requesterManaged: Bool, status: String, sourceDestCheck: Bool, attachment: Attachment?, ownerId: String,
                tags: [Tag], createdAt: Date) {
        self.id = id; self.subnetId = subnetId; self.vpcId = vpcId; self.availabilityZone = availabilityZone
        self.privateIpAddress = privateIpAddress; self.macAddress = macAddress; self.groupIds = groupIds
        self.interfaceType = interfaceType; self.description = description; self.requesterId = requesterId
        self.requesterManaged = requesterManaged; self.status = status; self.sourceDestCheck = sourceDestCheck
        self.attachment = attachment; self.ownerId = ownerId; self.tags = tags; self.createdAt = createdAt
    }
}

/// A route table with its routes and subnet associations.
public struct RouteTable: Record, Taggable {
    public static let kind = "ec2.route-table"
    public static var table: WritableKeyPath<CloudState, [String: RouteTable]> { \.routeTables }

    /// One route: a destination and exactly one target.
    public struct Route: Codable, Sendable, Equatable {
        public var destination: IPv4CIDR
        /// `local`, `igw-…`, `nat-…` (as `natGatewayId`), ...
        public var gatewayId: String?
        public var natGatewayId: String?
        public var networkInterfaceId: String?
        public var instanceId: String?
        /// `CreateRouteTable`, `CreateRoute`.
        public var origin: String
        public var state: String
        /// A gateway endpoint's route names its service's prefix list (`destination` is then one of the list's CIDRs).
        public var destinationPrefixListId: String?
        public init(destination: IPv4CIDR, gatewayId: String? = nil, natGatewayId: String? = nil,
                    networkInterfaceId: String? = nil, instanceId: String? = nil, origin: String, state: String = "active") {
            self.destination = destination; self.gatewayId = gatewayId; self.natGatewayId = natGatewayId
            self.networkInterfaceId = networkInterfaceId; self.instanceId = instanceId; self.origin = origin; self.state = state
        }
    }

    /// A main-table marker or a subnet association.
    public struct Association: Codable, Sendable, Equatable {
        public var id: String
        public var main: Bool
        public var subnetId: String?
        public init(id: String, main: Bool, subnetId: String?) { self.id = id; self.main = main; self.subnetId = subnetId }
    }

    public var id: String
    public var vpcId: String
    public var routes: [Route]
    public var associations: [Association]
    public var ownerId: String
    public var tags: [Tag]
    public var createdAt: Date

    public init(id: String, vpcId: String, routes: [Route], associations: [Association], ownerId: String, tags: [Tag], createdAt: Date) {
        self.id = id; self.vpcId = vpcId; self.routes = routes; self.associations = associations
        self.ownerId = ownerId; self.tags = tags; self.createdAt = createdAt
    }

    public var isMain: Bool { associations.contains { $0.main } }
}

/// A network ACL; the default one of each VPC allows everything.
public struct NetworkAcl: Record, Taggable {
    public static let kind = "ec2.network-acl"
    public static var table: WritableKeyPath<CloudState, [String: NetworkAcl]> { \.networkAcls }

    /// One numbered, stateless allow/deny entry.
    public struct Entry: Codable, Sendable, Equatable {
        public var ruleNumber: Int
        public var egress: Bool
        public var proto: String
        public var ruleAction: String
        public var cidrBlock: IPv4CIDR
        public var fromPort: Int?
        public var toPort: Int?
        /// ICMP type and code for protocol 1 (-1 means all).
        public var icmpType: Int?
        public var icmpCode: Int?
        public init(ruleNumber: Int, egress: Bool, proto: String, ruleAction: String, cidrBlock: IPv4CIDR, fromPort: Int?, toPort: Int?,
                    icmpType: Int? = nil, icmpCode: Int? = nil) {
            self.icmpType = icmpType; self.icmpCode = icmpCode
            self.ruleNumber = ruleNumber; self.egress = egress; self.proto = proto; self.ruleAction = ruleAction
            self.cidrBlock = cidrBlock; self.fromPort = fromPort; self.toPort = toPort
        }
    }

    /// A subnet's association with this ACL.
    public struct Association: Codable, Sendable, Equatable {
        public var id: String
        public var subnetId: String
        public init(id: String, subnetId: String) { self.id = id; self.subnetId = subnetId }
    }

    public var id: String
    public var vpcId: String
    public var isDefault: Bool
    public var entries: [Entry]
    public var associations: [Association]
    public var ownerId: String
    public var tags: [Tag]

    public init(id: String, vpcId: String, isDefault: Bool, entries: [Entry], associations: [Association], ownerId: String, tags: [Tag]) {
        self.id = id; self.vpcId = vpcId; self.isDefault = isDefault; self.entries = entries
        self.associations = associations; self.ownerId = ownerId; self.tags = tags
    }
}

extension CloudState {
    /// The private addresses taken in a subnet (primary addresses of its network interfaces), for
    /// `SubnetAddressing.firstFree` and AvailableIpAddressCount.
    public func usedAddresses(inSubnet subnetId: String) -> Set<IPv4Address> {
        var used = Set<IPv4Address>()
        for eni in networkInterfaces.values where eni.subnetId == subnetId { used.insert(eni.privateIpAddress) }
        return used
    }

    /// The lowest free address of a subnet, or nil when the subnet is full or unknown.
    public func firstFreeAddress(inSubnet subnetId: String) -> IPv4Address? {
        guard let subnet = subnets[subnetId] else { return nil }
        return SubnetAddressing.firstFree(subnet.cidrBlock, used: usedAddresses(inSubnet: subnetId))
    }

    /// The number of network interfaces per subnet, in one pass over the interfaces.
    public func interfaceCountBySubnet() -> [String: Int] {
        var counts: [String: Int] = [:]
        for eni in networkInterfaces.values { counts[eni.subnetId, default: 0] += 1 }
        return counts
    }
}

extension CloudState {
    /// The interfaces attached to an instance, primary (device index 0) first.
    public func interfaces(attachedTo instanceId: String) -> [NetworkInterface] {
        networkInterfaces.values.filter { $0.attachment?.instanceId == instanceId }
            .sorted { ($0.attachment?.deviceIndex ?? 0) < ($1.attachment?.deviceIndex ?? 0) }
    }

    /// The interface holding an attachment id, if any.
    public func interface(withAttachment attachmentId: String) -> NetworkInterface? {
        networkInterfaces.values.first { $0.attachment?.id == attachmentId }
    }
}
