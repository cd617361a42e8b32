/// AWS::EC2::VPCGatewayAttachment (internet gateways): AttachInternetGateway; deleting detaches.
struct EC2VPCGatewayAttachmentProvider: ResourceProvider {
    let type = "AWS::EC2::VPCGatewayAttachment"
    let replacementProperties: Set<String> = ["VpcId", "InternetGatewayId", "VpnGatewayId"]

    func create(_ p: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned {
        let vpc = try p.required("VpcId", of: type)
        guard let igw = p.string("InternetGatewayId") else {
            throw ResourceFailure("Resource handler returned message: \"VPN gateways are not supported by this server; give InternetGatewayId\" (HandlerErrorCode: InvalidRequest)")
        }
        try c.ec2("AttachInternetGateway", ["InternetGatewayId": igw, "VpcId": vpc])
        return Provisioned("IGW|\(vpc)")
    }

    func delete(_ id: String, _ p: ResourceProperties, _ c: ProviderContext) async throws -> Bool {
        guard let igw = p.string("InternetGatewayId"), let vpc = p.string("VpcId") else { return true }
        try ignoringNotFound { try c.ec2("DetachInternetGateway", ["InternetGatewayId": igw, "VpcId": vpc]) }
        return true
    }
}
