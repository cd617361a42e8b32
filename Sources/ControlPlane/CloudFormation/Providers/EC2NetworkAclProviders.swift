import CloudModel

/// AWS::EC2::NetworkAcl.
struct EC2NetworkAclProvider: ResourceProvider {
    let type = "AWS::EC2::NetworkAcl"
    let replacementProperties: Set<String> = ["VpcId"]

    func create(_ p: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned {
        var form = ["VpcId": try p.required("VpcId", of: type)]
        c.tagSpecification("network-acl", p, into: &form)
        guard let id = try c.ec2("CreateNetworkAcl", form).find("networkAclId") else { throw ResourceFailure("Internal Failure") }
        return Provisioned(id, attributes: ["Id": .string(id)])
    }

    func update(_ id: String, old: ResourceProperties, new: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned? {
        try c.retag(id, old: old, new: new)
        return Provisioned(id, attributes: ["Id": .string(id)])
    }

    func delete(_ id: String, _ p: ResourceProperties, _ c: ProviderContext) async throws -> Bool {
        try isDeleted(id, c)
    }

    func isDeleted(_ id: String, _ c: ProviderContext) throws -> Bool {
        try deletingUnlessInUse { try c.ec2("DeleteNetworkAcl", ["NetworkAclId": id]) }
    }
}

/// AWS::EC2::NetworkAclEntry: one numbered rule; a changed rule is a ReplaceNetworkAclEntry.
struct EC2NetworkAclEntryProvider: ResourceProvider {
    let type = "AWS::EC2::NetworkAclEntry"
    let replacementProperties: Set<String> = ["NetworkAclId", "RuleNumber", "Egress"]

    func form(_ p: ResourceProperties) throws -> [String: String] {
        var form = ["NetworkAclId": try p.required("NetworkAclId", of: type), "RuleNumber": try p.required("RuleNumber", of: type),
                    "Protocol": try p.required("Protocol", of: type), "RuleAction": try p.required("RuleAction", of: type),
                    "Egress": String(p.bool("Egress") ?? false)]
        form["CidrBlock"] = p.string("CidrBlock")
        form["Ipv6CidrBlock"] = p.string("Ipv6CidrBlock")
        form["PortRange.From"] = p["PortRange"]?["From"]?.scalarText
        form["PortRange.To"] = p["PortRange"]?["To"]?.scalarText
        form["Icmp.Code"] = p["Icmp"]?["Code"]?.scalarText
        form["Icmp.Type"] = p["Icmp"]?["Type"]?.scalarText
        return form
    }

    func create(_ p: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned {
        let f = try form(p)
        try c.ec2("CreateNetworkAclEntry", f)
        return Provisioned("\(f["NetworkAclId"]!)|\(f["RuleNumber"]!)|\(f["Egress"]!)")
    }

    func update(_ id: String, old: ResourceProperties, new: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned? {
        try c.ec2("ReplaceNetworkAclEntry", try form(new))
        return Provisioned(id)
    }

    func delete(_ id: String, _ p: ResourceProperties, _ c: ProviderContext) async throws -> Bool {
        guard let acl = p.string("NetworkAclId"), let rule = p.string("RuleNumber") else { return true }
        try ignoringNotFound {
            try c.ec2("DeleteNetworkAclEntry", ["NetworkAclId": acl, "RuleNumber": rule, "Egress": String(p.bool("Egress") ?? false)])
        }
        return true
    }
}

/// AWS::EC2::SubnetNetworkAclAssociation: moves the subnet to the ACL; deleting moves it back to the VPC's default ACL.
struct EC2SubnetNetworkAclAssociationProvider: ResourceProvider {
    let type = "AWS::EC2::SubnetNetworkAclAssociation"
    let replacementProperties: Set<String> = ["SubnetId", "NetworkAclId"]

    func associate(_ subnet: String, to acl: String, _ c: ProviderContext) throws -> String {
        guard let current = c.backends.ec2.store.snapshot().networkAcls.values.lazy
            .flatMap({ $0.associations }).first(where: { $0.subnetId == subnet }) else {
            throw ResourceFailure("Subnet \(subnet) has no network ACL association")
        }
        guard let id = try c.ec2("ReplaceNetworkAclAssociation", ["AssociationId": current.id, "NetworkAclId": acl]).find("newAssociationId") else {
            throw ResourceFailure("Internal Failure")
        }
        return id
    }

    func create(_ p: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned {
        let id = try associate(try p.required("SubnetId", of: type), to: try p.required("NetworkAclId", of: type), c)
        return Provisioned(id, attributes: ["AssociationId": .string(id)])
    }

    func delete(_ id: String, _ p: ResourceProperties, _ c: ProviderContext) async throws -> Bool {
        let state = c.backends.ec2.store.snapshot()
        guard let subnetId = p.string("SubnetId"), let subnet = state.subnets[subnetId],
              let fallback = state.networkAcls.values.first(where: { $0.vpcId == subnet.vpcId && $0.isDefault }) else { return true }
        _ = try associate(subnetId, to: fallback.id, c)
        return true
    }
}
