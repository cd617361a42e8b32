/// AWS::EC2::RouteTable.
struct EC2RouteTableProvider: ResourceProvider {
    let type = "AWS::EC2::RouteTable"
    let replacementProperties: Set<String> = ["VpcId"]

    func create(_ p: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned {
        var form = ["VpcId": try p.required("VpcId", of: type)]
        c.tagSpecification("route-table", p, into: &form)
        guard let id = try c.ec2("CreateRouteTable", form).find("routeTableId") else { throw ResourceFailure("Internal Failure") }
        return Provisioned(id, attributes: ["RouteTableId": .string(id)])
    }

    func update(_ id: String, old: ResourceProperties, new: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned? {
        try c.retag(id, old: old, new: new)
        return Provisioned(id, attributes: ["RouteTableId": .string(id)])
    }

    func delete(_ id: String, _ p: ResourceProperties, _ c: ProviderContext) async throws -> Bool {
        try ignoringNotFound { try c.ec2("DeleteRouteTable", ["RouteTableId": id]) }
        return true
    }
}
