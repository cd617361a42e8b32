import AWSWire
import CloudModel

/// ModifySubnetAttribute: one attribute per call, as EC2 takes them; DescribeSubnets shows the result.
extension EC2Service {
    /// How each attribute is read from the request and applied; boolean ones come as `<Name>.Value`.
    private enum SubnetSetting {
        case flag(String, @Sendable (inout Subnet, Bool) -> Void)
        case text(String, @Sendable (inout Subnet, String) throws(AWSError) -> Void)
        case number(String, @Sendable (inout Subnet, Int) throws(AWSError) -> Void)

        var parameter: String {
            switch self {
            case .flag(let name, _): return name + ".Value"
            case .text(let name, _), .number(let name, _): return name
            }
        }
    }

    private static let subnetSettings: [SubnetSetting] = [
        .flag("MapPublicIpOnLaunch") { $0.mapPublicIpOnLaunch = $1 },
        .flag("AssignIpv6AddressOnCreation") { s, v in s.withAttributes { $0.assignIpv6AddressOnCreation = v } },
        .flag("MapCustomerOwnedIpOnLaunch") { s, v in s.withAttributes { $0.mapCustomerOwnedIpOnLaunch = v } },
        .text("CustomerOwnedIpv4Pool") { s, v in s.withAttributes { $0.customerOwnedIpv4Pool = v } },
        .flag("EnableDns64") { s, v in s.withAttributes { $0.enableDns64 = v } },
        .text("PrivateDnsHostnameTypeOnLaunch") { s, v throws(AWSError) in
            guard v == "ip-name" || v == "resource-name" else {
                throw EC2Errors.invalidParameterValue("Value (\(v)) for parameter PrivateDnsHostnameTypeOnLaunch is invalid.")
            }
            s.withAttributes { $0.hostnameType = v }
        },
        .flag("EnableResourceNameDnsARecordOnLaunch") { s, v in s.withAttributes { $0.enableResourceNameDnsARecord = v } },
        .flag("EnableResourceNameDnsAAAARecordOnLaunch") { s, v in s.withAttributes { $0.enableResourceNameDnsAAAARecord = v } },
        .number("EnableLniAtDeviceIndex") { s, v throws(AWSError) in
            guard v >= 1 else {
                throw EC2Errors.invalidParameterValue("Value (\(v)) for parameter EnableLniAtDeviceIndex is invalid.")
            }
            s.withAttributes { $0.enableLniAtDeviceIndex = v }
        },
        .flag("DisableLniAtDeviceIndex") { s, v in if v { s.withAttributes { $0.enableLniAtDeviceIndex = nil } } },
    ]

    func modifySubnetAttribute(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let id = try required(p, "SubnetId")
        let given = Self.subnetSettings.filter { p[$0.parameter] != nil }
        guard given.count == 1, let setting = given.first else {
            throw EC2Errors.vpcAttributeCount(given.map(\.parameter))
        }
        let text = p[setting.parameter] ?? ""
        try checkID(id, "subnet")
        try mutate(p) { tx in
            guard var subnet = tx.get(Subnet.self, id) else { throw EC2Errors.subnetNotFound(id) }
            switch setting {
            case .flag(let name, let apply):
                guard let value = Bool(text.lowercased()) else {
                    throw EC2Errors.invalidParameterValue("Value (\(text)) for parameter \(name) is invalid.")
                }
                apply(&subnet, value)
            case .text(_, let apply):
                try apply(&subnet, text)
            case .number(let name, let apply):
                guard let value = Int(text) else {
                    throw EC2Errors.invalidParameterValue("Value (\(text)) for parameter \(name) is invalid.")
                }
                try apply(&subnet, value)
            }
            tx.put(subnet)
        }
        return EC2XML.response("ModifySubnetAttribute", requestID: ctx.requestID) { $0.element("return", true) }
    }
}

extension Subnet {
    mutating func withAttributes(_ change: (inout SubnetAttributes) -> Void) {
        var a = attributes ?? SubnetAttributes()
        change(&a)
        attributes = a
    }
}
