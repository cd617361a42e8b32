import AWSWire
import CloudModel
import Foundation

/// EC2's Query API (2016-11-15), VPC part: validates like EC2, writes the store, answers EC2's XML.
public final class EC2Service: Sendable {
    public let store: StateStore
    public let accountId: String
    public let region: String
    /// DescribeSubnets' XML per subnet, reused while the subnet is unchanged (the hot read path).
    let renderedSubnets = RenderedFragments<SubnetRendering>()
    public let zones: AvailabilityZones
    /// Where instances run; GetConsoleOutput reads it.
    public let runtime: any InstanceRuntime
    /// Elastic IPs of every region, which must not collide.
    let publicAddresses: PublicAddressSpace
    /// Where IAM lives (global): instance profiles and their roles.
    let iamStore: StateStore

    public init(store: StateStore, accountId: String, region: String, runtime: any InstanceRuntime = InProcessInstanceRuntime(),
                publicAddresses: PublicAddressSpace? = nil, iam: StateStore? = nil) {
        self.publicAddresses = publicAddresses ?? .single(store)
        self.iamStore = iam ?? store
        self.store = store
        self.accountId = accountId
        self.region = region
        self.zones = AvailabilityZones(region: region)
        self.runtime = runtime
    }

    typealias Operation = @Sendable (EC2Service, QueryParameters, RequestContext) throws -> String

    /// Every action this service answers; anything else is `InvalidAction`.
    static let operations: [String: Operation] = [
        "CreateVpc": { try $0.createVpc($1, $2) },
        "DescribeVpcs": { try $0.describeVpcs($1, $2) },
        "DeleteVpc": { try $0.deleteVpc($1, $2) },
        "CreateDefaultVpc": { try $0.createDefaultVpc($1, $2) },
        "CreateDefaultSubnet": { try $0.createDefaultSubnet($1, $2) },
        "CreateVpcEndpoint": { try $0.createVpcEndpoint($1, $2) },
        "ModifyVpcEndpoint": { try $0.modifyVpcEndpoint($1, $2) },
        "DeleteVpcEndpoints": { try $0.deleteVpcEndpoints($1, $2) },
        "DescribeVpcEndpoints": { try $0.describeVpcEndpoints($1, $2) },
        "DescribeVpcEndpointServices": { try $0.describeVpcEndpointServices($1, $2) },
        "DescribePrefixLists": { try $0.describePrefixLists($1, $2) },
        "DescribeManagedPrefixLists": { try $0.describeManagedPrefixLists($1, $2) },
        "GetManagedPrefixListEntries": { try $0.getManagedPrefixListEntries($1, $2) },
        "DescribeVpcAttribute": { try $0.describeVpcAttribute($1, $2) },
        "ModifyVpcAttribute": { try $0.modifyVpcAttribute($1, $2) },
        "AssociateVpcCidrBlock": { try $0.associateVpcCidrBlock($1, $2) },
        "DisassociateVpcCidrBlock": { try $0.disassociateVpcCidrBlock($1, $2) },
        "CreateSubnet": { try $0.createSubnet($1, $2) },
        "DescribeSubnets": { try $0.describeSubnets($1, $2) },
        "DeleteSubnet": { try $0.deleteSubnet($1, $2) },
        "ModifySubnetAttribute": { try $0.modifySubnetAttribute($1, $2) },
        "AssociateSubnetCidrBlock": { try $0.associateSubnetCidrBlock($1, $2) },
        "DisassociateSubnetCidrBlock": { try $0.disassociateSubnetCidrBlock($1, $2) },
        "ModifySecurityGroupRules": { try $0.modifySecurityGroupRules($1, $2) },
        "UpdateSecurityGroupRuleDescriptionsIngress": { try $0.updateRuleDescriptionsIngress($1, $2) },
        "UpdateSecurityGroupRuleDescriptionsEgress": { try $0.updateRuleDescriptionsEgress($1, $2) },
        "CreateSecurityGroup": { try $0.createSecurityGroup($1, $2) },
        "DescribeSecurityGroups": { try $0.describeSecurityGroups($1, $2) },
        "DeleteSecurityGroup": { try $0.deleteSecurityGroup($1, $2) },
        "AuthorizeSecurityGroupIngress": { try $0.authorizeIngress($1, $2) },
        "AuthorizeSecurityGroupEgress": { try $0.authorizeEgress($1, $2) },
        "RevokeSecurityGroupIngress": { try $0.revokeIngress($1, $2) },
        "RevokeSecurityGroupEgress": { try $0.revokeEgress($1, $2) },
        "DescribeSecurityGroupRules": { try $0.describeSecurityGroupRules($1, $2) },
        "CreateNetworkInterface": { try $0.createNetworkInterface($1, $2) },
        "DescribeNetworkInterfaces": { try $0.describeNetworkInterfaces($1, $2) },
        "DeleteNetworkInterface": { try $0.deleteNetworkInterface($1, $2) },
        "AttachNetworkInterface": { try $0.attachNetworkInterface($1, $2) },
        "DetachNetworkInterface": { try $0.detachNetworkInterface($1, $2) },
        "ModifyNetworkInterfaceAttribute": { try $0.modifyNetworkInterfaceAttribute($1, $2) },
        "CreateTags": { try $0.createTags($1, $2) },
        "DeleteTags": { try $0.deleteTags($1, $2) },
        "DescribeTags": { try $0.describeTags($1, $2) },
        "DescribeAvailabilityZones": { try $0.describeAvailabilityZones($1, $2) },
        "DescribeRouteTables": { try $0.describeRouteTables($1, $2) },
        "DescribeNetworkAcls": { try $0.describeNetworkAcls($1, $2) },
        "CreateRouteTable": { try $0.createRouteTable($1, $2) },
        "DeleteRouteTable": { try $0.deleteRouteTable($1, $2) },
        "CreateRoute": { try $0.createRoute($1, $2) },
        "ReplaceRoute": { try $0.replaceRoute($1, $2) },
        "DeleteRoute": { try $0.deleteRoute($1, $2) },
        "AssociateRouteTable": { try $0.associateRouteTable($1, $2) },
        "DisassociateRouteTable": { try $0.disassociateRouteTable($1, $2) },
        "ReplaceRouteTableAssociation": { try $0.replaceRouteTableAssociation($1, $2) },
        "CreateInternetGateway": { try $0.createInternetGateway($1, $2) },
        "AttachInternetGateway": { try $0.attachInternetGateway($1, $2) },
        "DetachInternetGateway": { try $0.detachInternetGateway($1, $2) },
        "DeleteInternetGateway": { try $0.deleteInternetGateway($1, $2) },
        "DescribeInternetGateways": { try $0.describeInternetGateways($1, $2) },
        "AllocateAddress": { try $0.allocateAddress($1, $2) },
        "ReleaseAddress": { try $0.releaseAddress($1, $2) },
        "AssociateAddress": { try $0.associateAddress($1, $2) },
        "DisassociateAddress": { try $0.disassociateAddress($1, $2) },
        "DescribeAddresses": { try $0.describeAddresses($1, $2) },
        "CreateNatGateway": { try $0.createNatGateway($1, $2) },
        "DeleteNatGateway": { try $0.deleteNatGateway($1, $2) },
        "DescribeNatGateways": { try $0.describeNatGateways($1, $2) },
        "RunInstances": { try $0.runInstances($1, $2) },
        "DescribeInstances": { try $0.describeInstances($1, $2) },
        "DescribeInstanceStatus": { try $0.describeInstanceStatus($1, $2) },
        "TerminateInstances": { try $0.terminateInstances($1, $2) },
        "StopInstances": { try $0.stopInstances($1, $2) },
        "StartInstances": { try $0.startInstances($1, $2) },
        "GetConsoleOutput": { try $0.getConsoleOutput($1, $2) },
        "AssociateIamInstanceProfile": { try $0.associateIamInstanceProfile($1, $2) },
        "DescribeIamInstanceProfileAssociations": { try $0.describeIamInstanceProfileAssociations($1, $2) },
        "DisassociateIamInstanceProfile": { try $0.disassociateIamInstanceProfile($1, $2) },
        "ReplaceIamInstanceProfileAssociation": { try $0.replaceIamInstanceProfileAssociation($1, $2) },
        "CreateNetworkAcl": { try $0.createNetworkAcl($1, $2) },
        "DeleteNetworkAcl": { try $0.deleteNetworkAcl($1, $2) },
        "CreateNetworkAclEntry": { try $0.createNetworkAclEntry($1, $2) },
        "ReplaceNetworkAclEntry": { try $0.replaceNetworkAclEntry($1, $2) },
        "DeleteNetworkAclEntry": { try $0.deleteNetworkAclEntry($1, $2) },
        "ReplaceNetworkAclAssociation": { try $0.replaceNetworkAclAssociation($1, $2) },
        "DescribeRegions": { try $0.describeRegions($1, $2) },
        "DescribeAccountAttributes": { try $0.describeAccountAttributes($1, $2) },
        "DescribeAddressesAttribute": { try $0.describeAddressesAttribute($1, $2) },
        "DescribeVpcClassicLink": { try $0.describeVpcClassicLink($1, $2) },
        "DescribeVpcClassicLinkDnsSupport": { try $0.describeVpcClassicLink($1, $2) },
        "DescribeImages": { try $0.describeImages($1, $2) },
        "DescribeInstanceTypes": { try $0.describeInstanceTypes($1, $2) },
        "CreateKeyPair": { try $0.createKeyPair($1, $2) },
        "ImportKeyPair": { try $0.importKeyPair($1, $2) },
        "DescribeKeyPairs": { try $0.describeKeyPairs($1, $2) },
        "DeleteKeyPair": { try $0.deleteKeyPair($1, $2) },
        "CreateLaunchTemplate": { try $0.createLaunchTemplate($1, $2) },
        "CreateLaunchTemplateVersion": { try $0.createLaunchTemplateVersion($1, $2) },
        "DescribeLaunchTemplates": { try $0.describeLaunchTemplates($1, $2) },
        "DescribeLaunchTemplateVersions": { try $0.describeLaunchTemplateVersions($1, $2) },
        "ModifyLaunchTemplate": { try $0.modifyLaunchTemplate($1, $2) },
        "DeleteLaunchTemplate": { try $0.deleteLaunchTemplate($1, $2) },
        "DeleteLaunchTemplateVersions": { try $0.deleteLaunchTemplateVersions($1, $2) },
    ]

    public func handle(action: String, params: QueryParameters, context: RequestContext) throws -> String {
        guard let op = Self.operations[action] else { throw QueryErrors.invalidAction(action) }
        try authorizeCall(action, params, context)
        // Reads have nothing to validate beyond permissions, so DryRun answers at once; writes validate
        // fully inside their transaction first (see `mutate`).
        if action.hasPrefix("Describe") && isDryRun(params) { throw EC2Errors.dryRun }
        return try op(self, params, context)
    }
}
