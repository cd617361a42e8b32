import CloudFormationTemplate

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
        try detach(p, c)
    }

    /// While a NAT gateway of the VPC is still releasing its Elastic IP, EC2 refuses the detach; the handler
    /// waits and tries again rather than failing, as CloudFormation's does.
    func isDeleted(_ id: String, _ c: ProviderContext) throws -> Bool {
        guard let gateway = c.backends.ec2.store.snapshot().internetGateways.values.first(where: { "IGW|\($0.attachedVpcId ?? "")" == id }) else {
            return true
        }
        return try detach(ResourceProperties(["InternetGatewayId": .string(gateway.id), "VpcId": .string(gateway.attachedVpcId ?? "")]), c)
    }

    private func detach(_ p: ResourceProperties, _ c: ProviderContext) throws -> Bool {
        guard let igw = p.string("InternetGatewayId"), let vpc = p.string("VpcId") else { return true }
        do {
            try ignoringNotFound { try c.ec2("DetachInternetGateway", ["InternetGatewayId": igw, "VpcId": vpc]) }
        } catch let f as ResourceFailure where f.reason.contains("mapped public address") {
            return false
        }
        return true
    }
}
