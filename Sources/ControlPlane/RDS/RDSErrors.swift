import AWSWire

/// RDS's errors (codes from botocore's model, messages as RDS words them).
enum RDSErrors {
    static func invalidParameter(_ message: String) -> AWSError {
        AWSError(code: "InvalidParameterValue", message: message)
    }

    static func invalidCombination(_ message: String) -> AWSError {
        AWSError(code: "InvalidParameterCombination", message: message)
    }

    static func missing(_ name: String) -> AWSError {
        AWSError(code: "MissingParameter", message: "The request must contain the parameter \(name)")
    }

    static func invalidIdentifier(_ parameter: String) -> AWSError {
        invalidParameter("The parameter \(parameter) is not a valid identifier. Identifiers must begin with a letter; "
            + "must contain only ASCII letters, digits, and hyphens; and must not end with a hyphen or contain two consecutive hyphens.")
    }

    static let invalidEngine = AWSError(code: "InvalidParameterValue", message: "Invalid DB engine")

    static func invalidStorage(engine: String, storageType: String, size: Int) -> AWSError {
        invalidCombination("Invalid storage size for engine name \(engine) and storage type \(storageType): \(size)")
    }

    static func instanceExists() -> AWSError {
        AWSError(code: "DBInstanceAlreadyExists", message: "DB instance already exists")
    }

    static func instanceNotFound(_ id: String) -> AWSError {
        AWSError(code: "DBInstanceNotFound", message: "DBInstance \(id) not found.", httpStatus: 404)
    }

    static func invalidState(_ message: String) -> AWSError {
        AWSError(code: "InvalidDBInstanceState", message: message)
    }

    static func snapshotNotFound(_ id: String) -> AWSError {
        AWSError(code: "DBSnapshotNotFound", message: "DBSnapshot \(id) not found.", httpStatus: 404)
    }

    static func subnetGroupNotFound(_ name: String) -> AWSError {
        AWSError(code: "DBSubnetGroupNotFoundFault", message: "DBSubnetGroup \(name) not found.", httpStatus: 404)
    }

    static func subnetGroupExists(_ name: String) -> AWSError {
        AWSError(code: "DBSubnetGroupAlreadyExists", message: "DB Subnet Group with name \(name) already exists.")
    }

    static func subnetGroupInUse(_ name: String) -> AWSError {
        AWSError(code: "InvalidDBSubnetGroupStateFault", message: "Cannot delete the subnet group '\(name)' because at least one database instance: is still using it.")
    }

    static func notEnoughZones(_ zones: [String]) -> AWSError {
        AWSError(code: "DBSubnetGroupDoesNotCoverEnoughAZs",
                 message: "The DB subnet group doesn't meet Availability Zone (AZ) coverage requirement. Current AZ coverage: "
                     + zones.joined(separator: ", ") + ". Add subnets to cover at least 2 AZs.")
    }

    static func invalidSubnets(_ ids: [String]) -> AWSError {
        AWSError(code: "InvalidSubnet", message: "Some input subnets in :[\(ids.joined(separator: ", "))] are invalid.")
    }

    static func subnetsInManyVpcs() -> AWSError {
        AWSError(code: "InvalidParameterValue", message: "Subnets must be in the same VPC.")
    }

    static func invalidSecurityGroup(_ id: String) -> AWSError {
        AWSError(code: "InvalidParameterValue", message: "Invalid security group , groupId= \(id), groupName=.")
    }

    static func securityGroupsNotInVpc(_ vpcId: String) -> AWSError {
        AWSError(code: "InvalidParameterCombination",
                 message: "The DB instance and EC2 security group are in different VPCs. The DB instance is in \(vpcId) and the EC2 security group is in another VPC.")
    }

    static func noCapacity() -> AWSError {
        AWSError(code: "InsufficientDBInstanceCapacity", message: "Cannot create a DB instance: no subnet of the DB subnet group has a free address.")
    }

    static func invalidArn(_ arn: String) -> AWSError {
        invalidParameter("Invalid resource name: \(arn)")
    }
}
