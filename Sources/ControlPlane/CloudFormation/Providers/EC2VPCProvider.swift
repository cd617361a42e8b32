import CloudModel

/// AWS::EC2::VPC: CreateVpc, then the DNS attributes; `Fn::GetAtt` reads the VPC's default security group and ACL.
struct EC2VPCProvider: ResourceProvider {
    let type = "AWS::EC2::VPC"
    let replacementProperties: Set<String> = ["CidrBlock", "InstanceTenancy", "Ipv4IpamPoolId", "Ipv4NetmaskLength"]

    func create(_ p: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned {
        var form: [String: String] = [:]
        form["CidrBlock"] = p.string("CidrBlock")
        form["InstanceTenancy"] = p.string("InstanceTenancy")
        c.tagSpecification("vpc", p, into: &form)
        guard let id = try c.ec2("CreateVpc", form).find("vpcId") else { throw ResourceFailure("Internal Failure") }
        try setAttributes(id, p, c)
        return Provisioned(id, attributes: try attributes(id, c))
    }

    private func setAttributes(_ id: String, _ p: ResourceProperties, _ c: ProviderContext) throws {
        if let v = p.bool("EnableDnsSupport") { try c.ec2("ModifyVpcAttribute", ["VpcId": id, "EnableDnsSupport.Value": String(v)]) }
        if let v = p.bool("EnableDnsHostnames") { try c.ec2("ModifyVpcAttribute", ["VpcId": id, "EnableDnsHostnames.Value": String(v)]) }
    }

    func update(_ id: String, old: ResourceProperties, new: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned? {
        try setAttributes(id, new, c)
        try c.retag(id, old: old, new: new)
        return Provisioned(id, attributes: try attributes(id, c))
    }

    func attributes(_ id: String, _ c: ProviderContext) throws -> [String: StackAttributeValue] {
        let state = c.backends.ec2.store.snapshot()
        guard let vpc = state.vpcs[id] else { throw ResourceFailure("VPC \(id) not found") }
        var out: [String: StackAttributeValue] = ["VpcId": .string(id), "CidrBlock": .string("\(vpc.cidrBlock)"),
                                                  "CidrBlockAssociations": .list([vpc.cidrAssociationId]), "Ipv6CidrBlocks": .list([])]
        if let sg = state.securityGroups.values.first(where: { $0.vpcId == id && $0.name == "default" }) {
            out["DefaultSecurityGroup"] = .string(sg.id)
        }
        if let acl = state.networkAcls.values.first(where: { $0.vpcId == id && $0.isDefault }) {
            out["DefaultNetworkAcl"] = .string(acl.id)
        }
        return out
    }

    func delete(_ id: String, _ p: ResourceProperties, _ c: ProviderContext) async throws -> Bool {
        try isDeleted(id, c)
    }

    func isDeleted(_ id: String, _ c: ProviderContext) throws -> Bool {
        try deletingUnlessInUse { try c.ec2("DeleteVpc", ["VpcId": id]) }
    }
}

/// A delete of something already gone succeeds, as CloudFormation's handlers treat NotFound on delete.
func ignoringNotFound(_ body: () throws -> Void) throws {
    do { try body() } catch let f as ResourceFailure where f.reason.contains("HandlerErrorCode: NotFound") {}
}
