import AWSWire

/// EC2's errors for route tables, internet gateways, Elastic IPs and NAT gateways. Wording marked
/// (unconfirmed) is our best reading of AWS's behaviour, kept here so it is easy to correct.
extension EC2Errors {
    // MARK: Route tables and routes
    public static func routeTableHasDependencies(_ id: String) -> AWSError {
        AWSError(code: "DependencyViolation", message: "The routeTable '\(id)' has dependencies and cannot be deleted.")
    }
    public static func routeAlreadyExists(_ cidr: String) -> AWSError {
        AWSError(code: "RouteAlreadyExists", message: "The route identified by \(cidr) already exists.")
    }
    public static func routeNotFound(_ cidr: String) -> AWSError {
        AWSError(code: "InvalidRoute.NotFound", message: "The route identified by \(cidr) does not exist.")
    }
    public static func routeToReplaceNotFound(_ cidr: String) -> AWSError {
        AWSError(code: "InvalidRoute.NotFound",
                 message: "There is no route defined for '\(cidr)' in the route table. Use CreateRoute instead.")
    }
    public static func cannotRemoveLocalRoute(_ cidr: String, table: String) -> AWSError {
        invalidParameterValue("cannot remove local route \(cidr) in route table \(table)")
    }
    /// (unconfirmed wording)
    public static func cannotReplaceLocalRoute(_ cidr: String, table: String) -> AWSError {
        invalidParameterValue("cannot replace local route \(cidr) in route table \(table)")
    }
    public static func routeMoreSpecificThanVpc(_ cidr: String) -> AWSError {
        invalidParameterValue("The destination CIDR block \(cidr) is equal to or more specific than one of this VPC's CIDR blocks. This route can target only an interface or an instance.")
    }
    /// (unconfirmed wording)
    public static func missingRouteTarget() -> AWSError {
        missingParameter("exactly one of gatewayId, natGatewayId, networkInterfaceId, vpcPeeringConnectionId, egressOnlyInternetGatewayId, transitGatewayId, localGatewayId, carrierGatewayId, or instanceId")
    }
    public static func differentNetworksGateway(table: String, gateway: String) -> AWSError {
        invalidParameterValue("route table \(table) and network gateway \(gateway) belong to different networks")
    }
    /// (unconfirmed wording)
    public static func differentNetworksTarget(table: String, target: String) -> AWSError {
        invalidParameterValue("route table \(table) and interface \(target) belong to different networks")
    }
    public static func routeTableSubnetDifferentNetworks(table: String, subnet: String) -> AWSError {
        invalidParameterValue("Route table \(table) and subnet \(subnet) belong to different networks")
    }
    public static func gatewayNotFound(_ id: String) -> AWSError {
        AWSError(code: "InvalidGatewayID.NotFound", message: "The gateway ID '\(id)' does not exist")
    }
    public static func natGatewayIdNotFound(_ id: String) -> AWSError {
        AWSError(code: "InvalidNatGatewayID.NotFound", message: "The natGateway ID '\(id)' does not exist")
    }
    public static func vpcPeeringNotFound(_ id: String) -> AWSError {
        AWSError(code: "InvalidVpcPeeringConnectionID.NotFound", message: "The vpcPeeringConnection ID '\(id)' does not exist")
    }
    public static func transitGatewayNotFound(_ id: String) -> AWSError {
        AWSError(code: "InvalidTransitGatewayID.NotFound", message: "Transit Gateway \(id) was deleted or does not exist.")
    }
    public static func associationNotFound(_ id: String) -> AWSError {
        AWSError(code: "InvalidAssociationID.NotFound", message: "The association ID '\(id)' does not exist")
    }
    public static func subnetAlreadyAssociated(table: String) -> AWSError {
        AWSError(code: "Resource.AlreadyAssociated",
                 message: "the specified association for route table \(table) conflicts with an existing association")
    }
    public static func cannotDisassociateMain(_ id: String) -> AWSError {
        invalidParameterValue("cannot disassociate the main route table association \(id)")
    }

    // MARK: Internet gateways
    public static func internetGatewayNotFound(_ id: String) -> AWSError {
        AWSError(code: "InvalidInternetGatewayID.NotFound", message: "The internetGateway ID '\(id)' does not exist")
    }
    public static func gatewayAlreadyAttached(_ igw: String, vpc: String) -> AWSError {
        AWSError(code: "Resource.AlreadyAssociated", message: "resource \(igw) is already attached to network \(vpc)")
    }
    /// (unconfirmed wording)
    public static func vpcAlreadyHasGateway(_ vpc: String) -> AWSError {
        AWSError(code: "Resource.AlreadyAssociated", message: "Network \(vpc) already has an internet gateway attached")
    }
    public static func gatewayNotAttached(_ igw: String, vpc: String) -> AWSError {
        AWSError(code: "Gateway.NotAttached", message: "resource \(igw) is not attached to network \(vpc)")
    }
    public static func internetGatewayHasDependencies(_ id: String) -> AWSError {
        AWSError(code: "DependencyViolation", message: "The internetGateway '\(id)' has dependencies and cannot be deleted.")
    }
    public static func vpcHasMappedAddresses(_ vpc: String) -> AWSError {
        AWSError(code: "DependencyViolation",
                 message: "Network \(vpc) has some mapped public address(es). Please unmap those public address(es) before detaching the gateway.")
    }
    public static func networkHasNoGateway(_ vpc: String) -> AWSError {
        AWSError(code: "Gateway.NotAttached", message: "Network \(vpc) is not attached to any internet gateway")
    }

    // MARK: Elastic IPs
    public static func allocationNotFound(_ id: String) -> AWSError {
        AWSError(code: "InvalidAllocationID.NotFound", message: "The allocation ID '\(id)' does not exist")
    }
    public static func addressNotFound(_ ip: String) -> AWSError {
        AWSError(code: "InvalidAddress.NotFound", message: "Address '\(ip)' not found.")
    }
    /// (unconfirmed wording)
    public static func addressAssociated(_ allocationId: String) -> AWSError {
        AWSError(code: "InvalidIPAddress.InUse", message: "The address with allocation id [\(allocationId)] is in use.")
    }
    public static func addressAlreadyAssociated(_ allocationId: String, association: String) -> AWSError {
        AWSError(code: "Resource.AlreadyAssociated",
                 message: "resource \(allocationId) is already associated with associate-id \(association)")
    }
    public static func addressLimitExceeded() -> AWSError {
        AWSError(code: "AddressLimitExceeded", message: "The maximum number of addresses has been reached.")
    }
    /// (unconfirmed wording)
    public static func invalidDomain(_ d: String) -> AWSError {
        invalidParameterValue("Invalid value '\(d)' for domain.")
    }
    /// (unconfirmed wording)
    public static func managedAssociation(_ id: String) -> AWSError {
        AWSError(code: "InvalidParameterValue", message: "The association \(id) is managed by a NAT gateway and cannot be changed.")
    }

    // MARK: NAT gateways
    public static func natGatewayNotFound(_ id: String) -> AWSError {
        AWSError(code: "NatGatewayNotFound", message: "The Nat Gateway \(id) was not found")
    }
    public static func natGatewayMalformed(_ id: String) -> AWSError {
        AWSError(code: "NatGatewayMalformed", message: "The Nat Gateway ID '\(id)' is malformed")
    }
    public static func elasticIpInUse(_ allocationId: String) -> AWSError {
        AWSError(code: "Resource.AlreadyAssociated", message: "Elastic IP address [\(allocationId)] is already associated")
    }
    /// (unconfirmed wording)
    public static func invalidConnectivityType(_ t: String) -> AWSError {
        invalidParameterValue("Value (\(t)) for parameter connectivityType is invalid. Valid values: public, private.")
    }
    /// (unconfirmed wording)
    public static func privateNatWithAllocation() -> AWSError {
        AWSError(code: "InvalidParameterCombination", message: "Private NAT gateways cannot be associated with an Elastic IP address.")
    }
}
