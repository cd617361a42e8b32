import CloudModel

/// AWS::EC2::NatGateway: created pending, complete once available (as CloudFormation waits); deletion waits too.
struct EC2NatGatewayProvider: ResourceProvider {
    let type = "AWS::EC2::NatGateway"
    let replacementProperties: Set<String> = ["AllocationId", "SubnetId", "ConnectivityType", "PrivateIpAddress"]

    func create(_ p: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned {
        var form = ["SubnetId": try p.required("SubnetId", of: type)]
        form["AllocationId"] = p.string("AllocationId")
        form["ConnectivityType"] = p.string("ConnectivityType")
        form["PrivateIpAddress"] = p.string("PrivateIpAddress")
        c.tagSpecification("natgateway", p, into: &form)
        guard let id = try c.ec2("CreateNatGateway", form).find("natGatewayId") else { throw ResourceFailure("Internal Failure") }
        return Provisioned(id, attributes: ["NatGatewayId": .string(id)], pending: true)
    }

    func stabilize(_ id: String, _ p: ResourceProperties, _ c: ProviderContext) async throws -> Stabilization {
        guard let nat = c.backends.ec2.store.snapshot().natGateways[id] else { return .failed("NAT gateway \(id) not found") }
        switch nat.state {
        case .available: return .ready(["NatGatewayId": .string(id)])
        case .failed:
            return .failed("Resource handler returned message: \"NAT Gateway \(id) went to failed state: \(nat.failureMessage ?? "failed")\" (HandlerErrorCode: NotStabilized)")
        default: return .waiting
        }
    }

    func delete(_ id: String, _ p: ResourceProperties, _ c: ProviderContext) async throws -> Bool {
        try ignoringNotFound { try c.ec2("DeleteNatGateway", ["NatGatewayId": id]) }
        return try isDeleted(id, c)
    }

    func isDeleted(_ id: String, _ c: ProviderContext) throws -> Bool {
        guard let nat = c.backends.ec2.store.snapshot().natGateways[id] else { return true }
        return nat.state == .deleted || nat.state == .failed
    }
}
