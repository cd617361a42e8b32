import CloudFormationTemplate

/// AWS::EC2::SecurityGroupIngress: one rule; its physical id is the rule's `sgr-` id.
struct EC2SecurityGroupIngressProvider: ResourceProvider {
    let type = "AWS::EC2::SecurityGroupIngress"
    var direction: String { "Ingress" }
    let replacementProperties: Set<String> = ["GroupId", "IpProtocol", "FromPort", "ToPort", "CidrIp", "CidrIpv6",
                                              "SourceSecurityGroupId", "SourcePrefixListId", "DestinationSecurityGroupId",
                                              "DestinationPrefixListId", "GroupName"]

    func create(_ p: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned {
        try SecurityGroupRuleResource.create(p, direction: direction, c)
    }

    func delete(_ id: String, _ p: ResourceProperties, _ c: ProviderContext) async throws -> Bool {
        try SecurityGroupRuleResource.delete(id, p, direction: direction, c)
    }
}

/// AWS::EC2::SecurityGroupEgress: the same for outbound rules.
struct EC2SecurityGroupEgressProvider: ResourceProvider {
    let type = "AWS::EC2::SecurityGroupEgress"
    let replacementProperties: Set<String> = ["GroupId", "IpProtocol", "FromPort", "ToPort", "CidrIp", "CidrIpv6",
                                              "DestinationSecurityGroupId", "DestinationPrefixListId"]

    func create(_ p: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned {
        try SecurityGroupRuleResource.create(p, direction: "Egress", c)
    }

    func delete(_ id: String, _ p: ResourceProperties, _ c: ProviderContext) async throws -> Bool {
        try SecurityGroupRuleResource.delete(id, p, direction: "Egress", c)
    }
}

enum SecurityGroupRuleResource {
    static func create(_ p: ResourceProperties, direction: String, _ c: ProviderContext) throws -> Provisioned {
        let group = try p.required("GroupId", of: "AWS::EC2::SecurityGroup\(direction)")
        let rule = TemplateValue.object(p.values)
        let r = try c.ec2("AuthorizeSecurityGroup\(direction)", SecurityGroupRuleForm.form(group, [rule]))
        guard let id = r.find("securityGroupRuleId") else { throw ResourceFailure("Internal Failure") }
        return Provisioned(id, attributes: ["Id": .string(id)])
    }

    static func delete(_ id: String, _ p: ResourceProperties, direction: String, _ c: ProviderContext) throws -> Bool {
        guard let group = p.string("GroupId") else { return true }
        try ignoringNotFound { try c.ec2("RevokeSecurityGroup\(direction)", ["GroupId": group, "SecurityGroupRuleId.1": id]) }
        return true
    }
}
