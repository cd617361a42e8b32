import AWSWire
import IAMPolicy

extension EC2Service {
    /// Authorizes `ec2:<Action>` before the operation acts: Describe/Get calls on `*` (EC2 does not scope them to
    /// resources), creations on `arn:aws:ec2:REGION:ACCOUNT:TYPE/*`, other calls on the resource they name;
    /// tags in `TagSpecification`/`Tag` become `aws:RequestTag/KEY` and `aws:TagKeys`.
    func authorizeCall(_ action: String, _ p: QueryParameters, _ ctx: RequestContext) throws(AWSError) {
        guard ctx.isAuthorizing else { return }
        let resource = resourceArn(action, p)
        var tags: [(key: String, value: String)] = []
        for spec in p.structures("TagSpecification") {
            for t in spec.structures("Tag") { tags.append((t["Key"] ?? "", t["Value"] ?? "")) }
        }
        if action == "CreateTags" || action == "DeleteTags" {
            for t in p.structures("Tag") { tags.append((t["Key"] ?? "", t["Value"] ?? "")) }
        }
        try ctx.authorize("ec2:" + action, resource) { c in
            if action == "DeleteTags" {
                if !tags.isEmpty { c.set("aws:TagKeys", values: tags.map(\.key)) }
            } else {
                c.setRequestTags(tags)
            }
        }
    }

    /// The parameters that name a resource, with the ARN resource type EC2 uses for it.
    static let resourceParameters: [(param: String, type: String)] = [
        ("NetworkInterfaceId", "network-interface"), ("InstanceId.1", "instance"), ("InstanceId", "instance"),
        ("NatGatewayId", "natgateway"), ("InternetGatewayId", "internet-gateway"), ("RouteTableId", "route-table"),
        ("NetworkAclId", "network-acl"), ("AllocationId", "elastic-ip"), ("GroupId", "security-group"),
        ("SubnetId", "subnet"), ("VpcId", "vpc"), ("VpcEndpointId", "vpc-endpoint"), ("VpcEndpointId.1", "vpc-endpoint"),
        ("ResourceId.1", ""),
    ]

    /// The resource type each Create action makes.
    static let createdTypes: [String: String] = [
        "CreateVpc": "vpc", "CreateDefaultVpc": "vpc", "CreateSubnet": "subnet", "CreateDefaultSubnet": "subnet",
        "CreateVpcEndpoint": "vpc-endpoint", "CreateSecurityGroup": "security-group",
        "CreateNetworkInterface": "network-interface", "CreateRouteTable": "route-table",
        "CreateInternetGateway": "internet-gateway", "CreateNatGateway": "natgateway", "AllocateAddress": "elastic-ip",
        "RunInstances": "instance", "CreateNetworkAcl": "network-acl", "CreateLaunchTemplate": "launch-template",
    ]

    func resourceArn(_ action: String, _ p: QueryParameters) -> String {
        if action.hasPrefix("Describe") || action.hasPrefix("Get") { return "*" }
        let prefix = "arn:aws:ec2:\(region):\(accountId):"
        // Key pairs are named by name in ARNs, launch templates by id, whichever way the request names them.
        if action.hasSuffix("KeyPair") {
            let name = p["KeyName"] ?? p["KeyPairId"].flatMap { store.snapshot().keyPairs[$0]?.name } ?? p["KeyPairId"] ?? "*"
            return prefix + "key-pair/" + name
        }
        if ["CreateLaunchTemplateVersion", "ModifyLaunchTemplate", "DeleteLaunchTemplate", "DeleteLaunchTemplateVersions"].contains(action) {
            let name = p["LaunchTemplateName"]
            let id = p["LaunchTemplateId"] ?? name.flatMap { n in store.snapshot().launchTemplates.values.first { $0.name == n }?.id }
            return prefix + "launch-template/" + (id ?? "*")
        }
        if let type = Self.createdTypes[action] { return prefix + type + "/*" }
        // A detachment names only its attachment; the interface holding it is the resource.
        if action == "DetachNetworkInterface", let id = p["AttachmentId"] {
            return prefix + "network-interface/" + (store.snapshot().interface(withAttachment: id)?.id ?? "*")
        }
        // Disassociations name only the association; the policy sees the VPC or subnet it belongs to.
        if let assoc = p["AssociationId"], action == "DisassociateVpcCidrBlock" || action == "DisassociateSubnetCidrBlock" {
            let s = store.snapshot()
            if let vpc = s.vpcs.values.first(where: { v in
                v.cidrAssociationId == assoc || (v.secondaryCidrBlocks ?? []).contains { $0.associationId == assoc }
                    || (v.ipv6CidrBlocks ?? []).contains { $0.associationId == assoc }
            }) { return prefix + "vpc/" + vpc.id }
            if let subnet = s.subnets.values.first(where: { $0.ipv6CidrBlock?.associationId == assoc }) { return prefix + "subnet/" + subnet.id }
            return "*"
        }
        for (param, type) in Self.resourceParameters {
            guard let id = p[param], !id.isEmpty else { continue }
            return prefix + (type.isEmpty ? Self.resourceType(of: id) : type) + "/" + id
        }
        return "*"
    }

    /// The ARN resource type of an id by its prefix (CreateTags/DeleteTags name any resource).
    static func resourceType(of id: String) -> String {
        let types = ["vpc-": "vpc", "subnet-": "subnet", "sg-": "security-group", "eni-": "network-interface",
                     "rtb-": "route-table", "igw-": "internet-gateway", "nat-": "natgateway", "eipalloc-": "elastic-ip",
                     "i-": "instance", "acl-": "network-acl", "key-": "key-pair", "lt-": "launch-template", "vpce-": "vpc-endpoint"]
        return types.first { id.hasPrefix($0.key) }?.value ?? "*"
    }
}
