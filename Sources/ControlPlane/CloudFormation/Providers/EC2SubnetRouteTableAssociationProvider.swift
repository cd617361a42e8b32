/// AWS::EC2::SubnetRouteTableAssociation: AssociateRouteTable; its id is the association's.
struct EC2SubnetRouteTableAssociationProvider: ResourceProvider {
    let type = "AWS::EC2::SubnetRouteTableAssociation"
    let replacementProperties: Set<String> = ["SubnetId", "RouteTableId"]

    func create(_ p: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned {
        let form = ["SubnetId": try p.required("SubnetId", of: type), "RouteTableId": try p.required("RouteTableId", of: type)]
        guard let id = try c.ec2("AssociateRouteTable", form).find("associationId") else { throw ResourceFailure("Internal Failure") }
        return Provisioned(id, attributes: ["Id": .string(id)])
    }

    func delete(_ id: String, _ p: ResourceProperties, _ c: ProviderContext) async throws -> Bool {
        try ignoringNotFound { try c.ec2("DisassociateRouteTable", ["AssociationId": id]) }
        return true
    }
}
