import AWSWire

/// EC2's errors for associating and disassociating VPC and subnet CIDR blocks. Wording marked (unconfirmed) is our
/// best reading of AWS's behaviour.
extension EC2Errors {
    public static func cidrLimitExceeded(vpc: String) -> AWSError {
        AWSError(code: "CidrLimitExceeded", message: "This network '\(vpc)' has met its maximum number of allowed CIDRs: 5")
    }
    /// A private block from another RFC 1918 range than the VPC's primary block (unconfirmed wording).
    public static func vpcRangeRestricted(_ cidr: String) -> AWSError {
        AWSError(code: "InvalidVpc.Range", message: "The CIDR '\(cidr)' is restricted. Use a CIDR from the same private address range as the current VPC CIDR, or use a publicly-routable CIDR.")
    }
    public static func vpcCidrAssociationNotFound(_ id: String) -> AWSError {
        AWSError(code: "InvalidVpcCidrBlockAssociationID.NotFound", message: "The vpc CIDR block association ID '\(id)' does not exist")
    }
    public static func subnetCidrAssociationNotFound(_ id: String) -> AWSError {
        AWSError(code: "InvalidSubnetCidrBlockAssociationID.NotFound", message: "The subnet CIDR block association ID '\(id)' does not exist")
    }
    public static func primaryCidrNotRemovable(_ id: String) -> AWSError {
        AWSError(code: "OperationNotPermitted",
                 message: "The vpc CIDR block with association ID \(id) may not be disassociated. It is the primary IPv4 CIDR block of the VPC")
    }
    /// (unconfirmed wording)
    public static func vpcCidrInUse(vpc: String, cidr: String) -> AWSError {
        AWSError(code: "InvalidCidrBlock.InUse", message: "The vpc \(vpc) currently has a subnet within CIDR block \(cidr)")
    }
    public static func subnetIpv6InUse(_ associationId: String) -> AWSError {
        AWSError(code: "InvalidCidrBlock.InUse",
                 message: "The subnet IPv6 CIDR block with association ID \(associationId) may not be disassociated, because its subnet has assign-ipv6-address-on-creation set to true.")
    }
    /// (unconfirmed wording)
    public static func subnetHasIpv6(_ subnet: String) -> AWSError {
        AWSError(code: "InvalidParameterValue", message: "The subnet \(subnet) already has an IPv6 CIDR block associated")
    }
    /// IPAM pools, BYOIP pools and explicit IPv6 blocks for VPCs are not part of this endpoint.
    public static func unsupportedCidrSource(_ parameter: String) -> AWSError {
        invalidParameterValue("The parameter \(parameter) is not supported by this endpoint; use CidrBlock or AmazonProvidedIpv6CidrBlock.")
    }
}
