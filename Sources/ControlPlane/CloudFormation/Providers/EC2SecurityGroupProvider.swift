import CloudFormationTemplate

/// AWS::EC2::SecurityGroup: CreateSecurityGroup, then its inline rules; `Ref` is the group id.
struct EC2SecurityGroupProvider: ResourceProvider {
    let type = "AWS::EC2::SecurityGroup"
    let replacementProperties: Set<String> = ["GroupName", "GroupDescription", "VpcId"]

    func create(_ p: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned {
        var form = ["GroupDescription": try p.required("GroupDescription", of: type)]
        form["GroupName"] = p.string("GroupName") ?? PhysicalNames.generate(c, maxLength: 255)
        form["VpcId"] = p.string("VpcId")
        c.tagSpecification("security-group", p, into: &form)
        guard let id = try c.ec2("CreateSecurityGroup", form).find("groupId") else { throw ResourceFailure("Internal Failure") }
        try applyRules(id, old: ResourceProperties([:]), new: p, c)
        return Provisioned(id, attributes: ["GroupId": .string(id), "VpcId": .string(p.string("VpcId") ?? "")])
    }

    func update(_ id: String, old: ResourceProperties, new: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned? {
        try applyRules(id, old: old, new: new, c)
        try c.retag(id, old: old, new: new)
        return Provisioned(id, attributes: ["GroupId": .string(id), "VpcId": .string(new.string("VpcId") ?? "")])
    }

    /// Makes the group's inline rules the template's: revokes what is no longer listed, authorizes what is new.
    /// Listing egress rules replaces the default allow-all egress, as CloudFormation does.
    private func applyRules(_ id: String, old: ResourceProperties, new: ResourceProperties, _ c: ProviderContext) throws {
        for (key, action) in [("SecurityGroupIngress", "Ingress"), ("SecurityGroupEgress", "Egress")] {
            var before = old[key]?.listValue ?? [], after = new[key]?.listValue ?? []
            if key == "SecurityGroupEgress" {
                let allowAll = TemplateValue.object(["IpProtocol": .string("-1"), "CidrIp": .string("0.0.0.0/0")])
                if before.isEmpty { before = [allowAll] }
                if after.isEmpty { after = [allowAll] }
            }
            let removed = before.filter { !after.contains($0) }, added = after.filter { !before.contains($0) }
            if !removed.isEmpty { try c.ec2("RevokeSecurityGroup\(action)", SecurityGroupRuleForm.form(id, removed)) }
            if !added.isEmpty { try c.ec2("AuthorizeSecurityGroup\(action)", SecurityGroupRuleForm.form(id, added)) }
        }
    }

    func delete(_ id: String, _ p: ResourceProperties, _ c: ProviderContext) async throws -> Bool {
        try isDeleted(id, c)
    }

    func isDeleted(_ id: String, _ c: ProviderContext) throws -> Bool {
        try deletingUnlessInUse { try c.ec2("DeleteSecurityGroup", ["GroupId": id]) }
    }
}

/// CloudFormation's rule shape (`IpProtocol`, `FromPort`, `CidrIp`, `SourceSecurityGroupId`, …) as EC2's `IpPermissions`.
enum SecurityGroupRuleForm {
    static func form(_ groupId: String, _ rules: [TemplateValue]) -> [String: String] {
        var form = ["GroupId": groupId]
        for (i, r) in rules.enumerated() {
            let p = "IpPermissions.\(i + 1)."
            form[p + "IpProtocol"] = r["IpProtocol"]?.scalarText ?? "-1"
            form[p + "FromPort"] = r["FromPort"]?.scalarText
            form[p + "ToPort"] = r["ToPort"]?.scalarText
            let description = r["Description"]?.scalarText
            if let cidr = r["CidrIp"]?.scalarText { form[p + "IpRanges.1.CidrIp"] = cidr; form[p + "IpRanges.1.Description"] = description }
            if let cidr = r["CidrIpv6"]?.scalarText { form[p + "Ipv6Ranges.1.CidrIpv6"] = cidr; form[p + "Ipv6Ranges.1.Description"] = description }
            if let g = (r["SourceSecurityGroupId"] ?? r["DestinationSecurityGroupId"])?.scalarText {
                form[p + "Groups.1.GroupId"] = g; form[p + "Groups.1.Description"] = description
            }
            if let pl = (r["SourcePrefixListId"] ?? r["DestinationPrefixListId"])?.scalarText {
                form[p + "PrefixListIds.1.PrefixListId"] = pl; form[p + "PrefixListIds.1.Description"] = description
            }
        }
        return form
    }
}

/// Names CloudFormation generates for resources the template leaves unnamed: `STACK-LOGICALID-RANDOM`.
enum PhysicalNames {
    static func generate(_ c: ProviderContext, maxLength: Int) -> String {
        let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        let suffix = String((0..<12).map { _ in letters.randomElement()! })
        let base = "\(c.stackName)-\(c.logicalId)"
        return String(base.prefix(maxLength - suffix.count - 1)) + "-" + suffix
    }
}
