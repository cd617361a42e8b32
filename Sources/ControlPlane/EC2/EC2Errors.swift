import AWSWire

/// EC2's error codes and messages, in one place. Wording marked (unconfirmed) is our best reading of
/// AWS's behaviour and kept here so it is easy to correct.
public enum EC2Errors {
    // MARK: Not found
    public static func vpcNotFound(_ id: String) -> AWSError {
        AWSError(code: "InvalidVpcID.NotFound", message: "The vpc ID '\(id)' does not exist")
    }
    public static func subnetNotFound(_ id: String) -> AWSError {
        AWSError(code: "InvalidSubnetID.NotFound", message: "The subnet ID '\(id)' does not exist")
    }
    public static func groupNotFound(_ id: String) -> AWSError {
        AWSError(code: "InvalidGroup.NotFound", message: "The security group '\(id)' does not exist")
    }
    public static func networkInterfaceNotFound(_ id: String) -> AWSError {
        AWSError(code: "InvalidNetworkInterfaceID.NotFound", message: "The networkInterface ID '\(id)' does not exist")
    }
    public static func routeTableNotFound(_ id: String) -> AWSError {
        AWSError(code: "InvalidRouteTableID.NotFound", message: "The routeTable ID '\(id)' does not exist")
    }
    public static func networkAclNotFound(_ id: String) -> AWSError {
        AWSError(code: "InvalidNetworkAclID.NotFound", message: "The networkAcl ID '\(id)' does not exist")
    }
    /// (unconfirmed wording)
    public static func securityGroupRuleNotFound(_ id: String) -> AWSError {
        AWSError(code: "InvalidSecurityGroupRuleId.NotFound", message: "The security group rule ID '\(id)' does not exist")
    }
    public static func zoneNotFound(_ name: String) -> AWSError {
        AWSError(code: "InvalidParameterValue", message: "The zone '\(name)' does not exist.")
    }

    // MARK: Malformed ids
    /// The `.Malformed` code of each id prefix; the message names the id and the expected shape.
    static let malformedCodes: [String: String] = [
        "vpc": "InvalidVpcID.Malformed", "subnet": "InvalidSubnetID.Malformed", "sg": "InvalidGroupId.Malformed",
        "eni": "InvalidNetworkInterfaceID.Malformed", "rtb": "InvalidRouteTableID.Malformed",
        "acl": "InvalidNetworkAclID.Malformed", "sgr": "InvalidSecurityGroupRuleId.Malformed",
        "igw": "InvalidInternetGatewayID.Malformed", "eipalloc": "InvalidAllocationID.Malformed",
        "eipassoc": "InvalidAssociationID.Malformed", "rtbassoc": "InvalidAssociationID.Malformed",
        "i": "InvalidInstanceID.Malformed", "aclassoc": "InvalidAssociationID.Malformed",
        "vpce": "InvalidVpcEndpointId.Malformed",
    ]
    public static func malformed(_ id: String, prefix: String) -> AWSError {
        let code = malformedCodes[prefix] ?? "InvalidID"
        if prefix == "vpc" { return AWSError(code: code, message: "Invalid id: \"\(id)\"") }
        return AWSError(code: code, message: "Invalid id: \"\(id)\" (expecting \"\(prefix)-...\")")
    }
    public static func invalidResourceID(_ id: String) -> AWSError {
        AWSError(code: "InvalidID", message: "The ID '\(id)' is not valid")
    }

    // MARK: Parameters
    public static func missingParameter(_ name: String) -> AWSError {
        AWSError(code: "MissingParameter", message: "The request must contain the parameter \(name)")
    }
    /// DescribeVpcAttribute's `Attribute` outside the model's enum (wording unconfirmed).
    public static func unknownVpcAttribute(_ value: String) -> AWSError {
        invalidParameterValue("Value (\(value)) for parameter attribute is invalid. Unknown attribute.")
    }
    /// ModifyVpcAttribute changes exactly one attribute per call (wording unconfirmed).
    public static func vpcAttributeCount(_ given: [String]) -> AWSError {
        given.isEmpty
            ? AWSError(code: "MissingParameter", message: "The request must contain exactly one attribute to modify")
            : AWSError(code: "InvalidParameterCombination",
                       message: "Fields for multiple attribute types specified: " + given.joined(separator: ", "))
    }
    public static func invalidParameterValue(_ message: String) -> AWSError {
        AWSError(code: "InvalidParameterValue", message: message)
    }
    public static func invalidCidr(_ value: String, parameter: String) -> AWSError {
        invalidParameterValue("Value (\(value)) for parameter \(parameter) is invalid. This is not a valid CIDR block.")
    }
    public static func unknownFilter(_ name: String) -> AWSError {
        invalidParameterValue("The filter '\(name)' is invalid")
    }
    public static func maxResultsTooSmall(_ value: String, min: Int) -> AWSError {
        invalidParameterValue("Value ( \(value) ) for parameter maxResults is invalid. Expecting a value greater than \(min).")
    }
    public static func maxResultsTooLarge(_ value: String, max: Int) -> AWSError {
        invalidParameterValue("Value ( \(value) ) for parameter maxResults is invalid. Expecting a value less than \(max).")
    }
    /// (unconfirmed wording)
    public static func invalidNextToken(_ token: String) -> AWSError {
        AWSError(code: "InvalidPaginationToken", message: "Invalid pagination token: \(token)")
    }
    /// (unconfirmed wording)
    public static func parameterCombination(_ a: String, _ b: String) -> AWSError {
        AWSError(code: "InvalidParameterCombination", message: "The parameter \(a) cannot be used with the parameter \(b)")
    }
    /// (unconfirmed wording)
    public static func invalidTagResourceType(_ type: String) -> AWSError {
        invalidParameterValue("'\(type)' is not a valid taggable resource type for this operation.")
    }
    public static func tagLimitExceeded() -> AWSError {
        AWSError(code: "TagLimitExceeded", message: "The maximum number of Tags for a resource has been reached.")
    }
    public static let dryRun = AWSError(code: "DryRunOperation",
                                        message: "Request would have succeeded, but DryRun flag is set.", httpStatus: 412)

    // MARK: VPCs and subnets
    public static func vpcRange(_ cidr: String) -> AWSError {
        AWSError(code: "InvalidVpc.Range", message: "The CIDR '\(cidr)' is invalid.")
    }
    public static func subnetRange(_ cidr: String) -> AWSError {
        AWSError(code: "InvalidSubnet.Range", message: "The CIDR '\(cidr)' is invalid.")
    }
    public static func subnetConflict(_ cidr: String) -> AWSError {
        AWSError(code: "InvalidSubnet.Conflict", message: "The CIDR '\(cidr)' conflicts with another subnet")
    }
    public static func invalidTenancy(_ t: String) -> AWSError {
        invalidParameterValue("Value (\(t)) for parameter instanceTenancy is invalid. Unsupported tenancy")
    }
    public static func invalidZone(_ zone: String, valid: [String]) -> AWSError {
        invalidParameterValue("Value (\(zone)) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: \(valid.joined(separator: ", ")).")
    }
    public static func vpcHasDependencies(_ id: String) -> AWSError {
        AWSError(code: "DependencyViolation", message: "The vpc '\(id)' has dependencies and cannot be deleted.")
    }
    public static func subnetHasDependencies(_ id: String) -> AWSError {
        AWSError(code: "DependencyViolation", message: "The subnet '\(id)' has dependencies and cannot be deleted.")
    }

    // MARK: Security groups
    public static func groupDuplicate(_ name: String, vpcId: String) -> AWSError {
        AWSError(code: "InvalidGroup.Duplicate", message: "The security group '\(name)' already exists for VPC '\(vpcId)'")
    }
    /// (unconfirmed wording)
    public static func groupNameReserved(_ name: String) -> AWSError {
        AWSError(code: "InvalidGroup.Reserved", message: "The security group '\(name)' is reserved")
    }
    public static func cannotDeleteDefaultGroup(_ id: String) -> AWSError {
        AWSError(code: "CannotDelete", message: "the specified group: \"\(id)\" name: \"default\" cannot be deleted by a user")
    }
    public static func groupHasDependents(_ id: String) -> AWSError {
        AWSError(code: "DependencyViolation", message: "resource \(id) has a dependent object")
    }
    public static func permissionDuplicate(_ description: String) -> AWSError {
        AWSError(code: "InvalidPermission.Duplicate", message: "the specified rule \"\(description)\" already exists")
    }
    public static func unknownProtocol(_ p: String) -> AWSError {
        invalidParameterValue("Invalid value '\(p)' for IP protocol. Unknown protocol.")
    }
    public static func portsRequired() -> AWSError {
        invalidParameterValue("Invalid value 'Must specify both from and to ports with TCP/UDP.' for portRange")
    }
    /// (unconfirmed wording)
    public static func invalidPortRange(from: Int, to: Int) -> AWSError {
        invalidParameterValue("Invalid port range: from port \(from), to port \(to). Ports must be between 0 and 65535 and from must not exceed to.")
    }
    /// (unconfirmed wording)
    public static func invalidIcmp(type: Int, code: Int) -> AWSError {
        invalidParameterValue("Invalid ICMP type \(type) or code \(code).")
    }
    /// (unconfirmed wording)
    public static func differentNetworks(_ a: String, _ b: String) -> AWSError {
        invalidParameterValue("Security group \(a) and subnet \(b) belong to different networks.")
    }

    // MARK: Network interfaces
    public static func notAllowedElaAttachment() -> AWSError {
        AWSError(code: "OperationNotPermitted", message: "You are not allowed to manage 'ela-attach' attachments.")
    }
    /// (unconfirmed wording)
    public static func interfaceInUse(_ id: String) -> AWSError {
        AWSError(code: "InvalidNetworkInterface.InUse", message: "Interface: [\(id)] in use.")
    }
    public static func insufficientAddresses(_ subnetId: String) -> AWSError {
        AWSError(code: "InsufficientFreeAddressesInSubnet",
                 message: "There are not enough free addresses in subnet '\(subnetId)' to satisfy the requested number of instances.")
    }
    /// (unconfirmed wording)
    public static func addressInUse(_ ip: String) -> AWSError {
        AWSError(code: "InvalidIPAddress.InUse", message: "The specified address \(ip) is already in use.")
    }
    /// (unconfirmed wording)
    public static func addressOutsideSubnet(_ ip: String) -> AWSError {
        invalidParameterValue("Address \(ip) does not fall within the subnet's address range")
    }
}

extension EC2Errors {
    public static func noDefaultVpc() -> AWSError {
        AWSError(code: "VPCIdNotSpecified", message: "No default VPC for this user")
    }
    public static func defaultVpcExists() -> AWSError {
        AWSError(code: "DefaultVpcAlreadyExists", message: "A Default VPC already exists for this account in this region.")
    }
    /// (unconfirmed wording)
    public static func defaultVpcMissing() -> AWSError {
        AWSError(code: "DefaultVpcDoesNotExist", message: "No default VPC exists for this account in this region.")
    }
    /// (unconfirmed wording)
    public static func defaultSubnetExists(_ zone: String) -> AWSError {
        AWSError(code: "DefaultSubnetAlreadyExistsInAvailabilityZone",
                 message: "A Default Subnet already exists in the availability zone \(zone).")
    }
    public static func groupNameLikeId() -> AWSError {
        invalidParameterValue("Group names may not be in the format sg-*.")
    }
    /// (unconfirmed wording)
    public static func missingPeer() -> AWSError {
        missingParameter("a source or destination: CidrIp, CidrIpv6 or a security group")
    }
    /// UpdateSecurityGroupRuleDescriptions* for a permission the group does not have.
    public static func permissionNotFound(_ rule: String) -> AWSError {
        AWSError(code: "InvalidPermission.NotFound",
                 message: "The specified rule does not exist in this security group. (\(rule))")
    }
    /// (unconfirmed wording)
    public static func ruleNotInGroup(_ ruleId: String, _ groupId: String) -> AWSError {
        AWSError(code: "InvalidSecurityGroupRuleId.NotFound",
                 message: "The security group rule ID '\(ruleId)' does not exist in security group '\(groupId)'")
    }
}

/// Errors of the account-wide reads and the image, instance-type, key-pair and launch-template calls.
/// Wording marked (unconfirmed) is our best reading of AWS's behaviour.
extension EC2Errors {
    /// (unconfirmed wording)
    public static func invalidRegionNames(_ names: [String]) -> AWSError {
        invalidParameterValue("Invalid region names: [\(names.joined(separator: ", "))]")
    }
    /// (unconfirmed wording)
    public static func unknownAccountAttribute(_ name: String) -> AWSError {
        invalidParameterValue("Value (\(name)) for parameter attributeName is invalid. Unknown attribute.")
    }
    public static func classicUnsupported() -> AWSError {
        AWSError(code: "UnsupportedOperation", message: "The functionality you requested is not available in this region.")
    }
    public static func imageNotFound(_ ids: [String]) -> AWSError {
        AWSError(code: "InvalidAMIID.NotFound", message: "The image id '[\(ids.joined(separator: ", "))]' does not exist")
    }
    public static func imageMalformed(_ id: String) -> AWSError {
        AWSError(code: "InvalidAMIID.Malformed", message: "Invalid id: \"\(id)\" (expecting \"ami-...\")")
    }
    public static func invalidInstanceTypes(_ types: [String]) -> AWSError {
        AWSError(code: "InvalidInstanceType", message: "The following supplied instance types do not exist: [\(types.joined(separator: ", "))]")
    }
    public static func keyPairDuplicate(_ name: String) -> AWSError {
        AWSError(code: "InvalidKeyPair.Duplicate", message: "The keypair '\(name)' already exists.")
    }
    public static func keyPairNotFound(_ name: String) -> AWSError {
        AWSError(code: "InvalidKeyPair.NotFound", message: "The key pair '\(name)' does not exist")
    }
    public static func keyFormat() -> AWSError {
        AWSError(code: "InvalidKey.Format", message: "Key is not in valid OpenSSH public key format")
    }
    /// (unconfirmed wording)
    public static func keyGenerationFailed(_ why: String) -> AWSError {
        AWSError(code: "InternalError", message: "An internal error has occurred: \(why)", httpStatus: 500)
    }
    public static func launchTemplateNameInUse() -> AWSError {
        AWSError(code: "InvalidLaunchTemplateName.AlreadyExistsException",
                 message: "Launch template name already in use.")
    }
    public static func launchTemplateNameMalformed() -> AWSError {
        AWSError(code: "InvalidLaunchTemplateName.MalformedException",
                 message: "A launch template name must be between 3 and 128 characters, and may contain letters, numbers, and the following characters: - ( ) . / _.'")
    }
    public static func launchTemplateNameNotFound() -> AWSError {
        AWSError(code: "InvalidLaunchTemplateName.NotFoundException",
                 message: "At least one of the launch templates specified in the request does not exist.")
    }
    public static func launchTemplateIdNotFound(_ id: String) -> AWSError {
        AWSError(code: "InvalidLaunchTemplateId.NotFound",
                 message: "The specified launch template, with template ID \(id), does not exist.")
    }
    public static func launchTemplateIdMalformed(_ id: String) -> AWSError {
        AWSError(code: "InvalidLaunchTemplateId.Malformed",
                 message: "The specified ID for the launch template (\(id)) is not valid. Ensure that you specify the ID in the form lt-xxxxxxxxxxxxxxxxx.")
    }
    public static func launchTemplateVersionNotFound(_ version: String, id: String) -> AWSError {
        AWSError(code: "InvalidLaunchTemplateId.VersionNotFound",
                 message: "Could not find launch template version \(version) for launch template ID \(id).")
    }
    /// (unconfirmed wording)
    public static func launchTemplateVersionMalformed(_ version: String) -> AWSError {
        AWSError(code: "InvalidLaunchTemplateId.VersionNotFound",
                 message: "Could not find launch template version \(version). Specify a version number, $Latest or $Default.")
    }
    /// (unconfirmed wording)
    public static func launchTemplateIdAndName() -> AWSError {
        AWSError(code: "InvalidParameterCombination",
                 message: "Specify either the launch template ID or the launch template name, but not both.")
    }
    /// (unconfirmed wording)
    public static func launchTemplateIdOrName() -> AWSError {
        AWSError(code: "MissingParameter",
                 message: "The request must contain the parameter LaunchTemplateName or LaunchTemplateId")
    }
}

/// VPC endpoints' and prefix lists' errors (codes as EC2's; wordings marked where unconfirmed).
extension EC2Errors {
    public static func vpcEndpointMalformed(_ id: String) -> AWSError {
        AWSError(code: "InvalidVpcEndpointId.Malformed", message: "Invalid Id: '\(id)' (expecting 'vpce-...')")
    }
    public static func vpcEndpointNotFound(_ id: String) -> AWSError {
        AWSError(code: "InvalidVpcEndpointId.NotFound", message: "The Vpc Endpoint Id '\(id)' does not exist")
    }
    public static func endpointServiceNotFound(_ name: String) -> AWSError {
        AWSError(code: "InvalidServiceName", message: "The Vpc Endpoint Service '\(name)' does not exist")
    }
    /// (unconfirmed wording)
    public static func endpointTypeUnsupported(_ type: String, _ service: String) -> AWSError {
        AWSError(code: "InvalidParameter", message: "The Vpc Endpoint Service '\(service)' does not support the endpoint type '\(type)'")
    }
    /// (unconfirmed wording)
    public static func gatewayEndpointOptions() -> AWSError {
        AWSError(code: "InvalidParameter", message: "Subnets and security groups are not supported for Gateway endpoints")
    }
    /// (unconfirmed wording)
    public static func interfaceEndpointRouteTables() -> AWSError {
        AWSError(code: "InvalidParameter", message: "Route tables are not supported for Interface endpoints")
    }
    /// (unconfirmed wording)
    public static func endpointNeedsGroup() -> AWSError {
        AWSError(code: "InvalidParameter", message: "An Interface endpoint must have at least one security group")
    }
    public static func endpointSubnetsInOneZone(_ subnet: String) -> AWSError {
        AWSError(code: "DuplicateSubnetsInSameZone",
                 message: "Found another VPC endpoint subnet in the availability zone of \(subnet). VPC endpoint subnets should be in different availability zones supported by the VPC endpoint service.")
    }
    /// (unconfirmed wording)
    public static func privateDnsNeedsVpcDns(_ vpc: String) -> AWSError {
        AWSError(code: "InvalidParameter",
                 message: "Enabling private DNS requires both enableDnsSupport and enableDnsHostnames VPC attributes set to true for \(vpc)")
    }
    /// (unconfirmed wording)
    public static func privateDnsConflict(_ name: String, vpc: String) -> AWSError {
        AWSError(code: "InvalidParameter",
                 message: "private-dns-enabled cannot be set because there is already a conflicting DNS domain for \(name) in the VPC \(vpc)")
    }
    /// (unconfirmed wording)
    public static func prefixListRouteExists(_ table: String, _ list: String) -> AWSError {
        AWSError(code: "RouteAlreadyExists", message: "route table \(table) already has a route with destination-prefix-list-id \(list)")
    }
    /// (unconfirmed wording)
    public static func malformedEndpointPolicy() -> AWSError {
        AWSError(code: "MalformedPolicyDocument", message: "The policy document is not valid JSON")
    }
    public static func prefixListNotFound(_ id: String) -> AWSError {
        AWSError(code: "InvalidPrefixListID.NotFound", message: "The prefix list ID '\(id)' does not exist")
    }
}
