/// AWS::EC2::InternetGateway.
struct EC2InternetGatewayProvider: ResourceProvider {
    let type = "AWS::EC2::InternetGateway"

    func create(_ p: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned {
        var form: [String: String] = [:]
        c.tagSpecification("internet-gateway", p, into: &form)
        guard let id = try c.ec2("CreateInternetGateway", form).find("internetGatewayId") else { throw ResourceFailure("Internal Failure") }
        return Provisioned(id, attributes: ["InternetGatewayId": .string(id)])
    }

    func update(_ id: String, old: ResourceProperties, new: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned? {
        try c.retag(id, old: old, new: new)
        return Provisioned(id, attributes: ["InternetGatewayId": .string(id)])
    }

    func delete(_ id: String, _ p: ResourceProperties, _ c: ProviderContext) async throws -> Bool {
        try ignoringNotFound { try c.ec2("DeleteInternetGateway", ["InternetGatewayId": id]) }
        return true
    }
}
