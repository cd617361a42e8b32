import CloudModel

/// AWS::EC2::Subnet: CreateSubnet, then MapPublicIpOnLaunch.
struct EC2SubnetProvider: ResourceProvider {
    let type = "AWS::EC2::Subnet"
    let replacementProperties: Set<String> = ["VpcId", "CidrBlock", "AvailabilityZone", "AvailabilityZoneId", "Ipv4IpamPoolId"]

    func create(_ p: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned {
        var form: [String: String] = [:]
        form["VpcId"] = try p.required("VpcId", of: type)
        form["CidrBlock"] = p.string("CidrBlock")
        form["AvailabilityZone"] = p.string("AvailabilityZone")
        form["AvailabilityZoneId"] = p.string("AvailabilityZoneId")
        c.tagSpecification("subnet", p, into: &form)
        guard let id = try c.ec2("CreateSubnet", form).find("subnetId") else { throw ResourceFailure("Internal Failure") }
        if p.bool("MapPublicIpOnLaunch") == true {
            try c.ec2("ModifySubnetAttribute", ["SubnetId": id, "MapPublicIpOnLaunch.Value": "true"])
        }
        return Provisioned(id, attributes: try attributes(id, c))
    }

    func update(_ id: String, old: ResourceProperties, new: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned? {
        if (old.bool("MapPublicIpOnLaunch") ?? false) != (new.bool("MapPublicIpOnLaunch") ?? false) {
            try c.ec2("ModifySubnetAttribute", ["SubnetId": id, "MapPublicIpOnLaunch.Value": String(new.bool("MapPublicIpOnLaunch") ?? false)])
        }
        try c.retag(id, old: old, new: new)
        return Provisioned(id, attributes: try attributes(id, c))
    }

    func attributes(_ id: String, _ c: ProviderContext) throws -> [String: StackAttributeValue] {
        let state = c.backends.ec2.store.snapshot()
        guard let s = state.subnets[id] else { throw ResourceFailure("Subnet \(id) not found") }
        var out: [String: StackAttributeValue] = [
            "SubnetId": .string(id), "VpcId": .string(s.vpcId), "CidrBlock": .string("\(s.cidrBlock)"),
            "AvailabilityZone": .string(s.availabilityZone), "AvailabilityZoneId": .string(s.availabilityZoneId),
            "Ipv6CidrBlocks": .list([]),
        ]
        if let acl = state.networkAcls.values.first(where: { $0.associations.contains { $0.subnetId == id } }),
           let a = acl.associations.first(where: { $0.subnetId == id }) {
            out["NetworkAclAssociationId"] = .string(a.id)
        }
        return out
    }

    func delete(_ id: String, _ p: ResourceProperties, _ c: ProviderContext) async throws -> Bool {
        try isDeleted(id, c)
    }

    func isDeleted(_ id: String, _ c: ProviderContext) throws -> Bool {
        try deletingUnlessInUse { try c.ec2("DeleteSubnet", ["SubnetId": id]) }
    }
}
