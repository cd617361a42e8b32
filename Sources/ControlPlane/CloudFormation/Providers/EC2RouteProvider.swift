/// AWS::EC2::Route: its physical id is `ROUTETABLE|DESTINATION`; a new target is a ReplaceRoute.
struct EC2RouteProvider: ResourceProvider {
    let type = "AWS::EC2::Route"
    let replacementProperties: Set<String> = ["RouteTableId", "DestinationCidrBlock", "DestinationIpv6CidrBlock", "DestinationPrefixListId"]
    static let targets = ["GatewayId", "NatGatewayId", "VpcEndpointId", "InstanceId", "NetworkInterfaceId", "VpcPeeringConnectionId",
                          "TransitGatewayId", "EgressOnlyInternetGatewayId", "CarrierGatewayId", "LocalGatewayId", "CoreNetworkArn"]

    func form(_ p: ResourceProperties) throws -> [String: String] {
        var form = ["RouteTableId": try p.required("RouteTableId", of: type)]
        for k in ["DestinationCidrBlock", "DestinationIpv6CidrBlock", "DestinationPrefixListId"] + Self.targets { form[k] = p.string(k) }
        return form
    }

    static func destination(_ p: ResourceProperties) -> String {
        p.string("DestinationCidrBlock") ?? p.string("DestinationIpv6CidrBlock") ?? p.string("DestinationPrefixListId") ?? ""
    }

    func create(_ p: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned {
        try c.ec2("CreateRoute", try form(p))
        return Provisioned("\(p.string("RouteTableId")!)|\(Self.destination(p))")
    }

    func update(_ id: String, old: ResourceProperties, new: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned? {
        try c.ec2("ReplaceRoute", try form(new))
        return Provisioned(id)
    }

    func delete(_ id: String, _ p: ResourceProperties, _ c: ProviderContext) async throws -> Bool {
        var form = ["RouteTableId": p.string("RouteTableId") ?? String(id.split(separator: "|").first ?? "")]
        for k in ["DestinationCidrBlock", "DestinationIpv6CidrBlock", "DestinationPrefixListId"] { form[k] = p.string(k) }
        try ignoringNotFound { try c.ec2("DeleteRoute", form) }
        return true
    }
}
