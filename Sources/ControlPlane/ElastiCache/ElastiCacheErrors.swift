import AWSWire

/// ElastiCache's errors (codes from botocore's model).
enum ElastiCacheErrors {
    static func invalidParameter(_ message: String) -> AWSError { AWSError(code: "InvalidParameterValue", message: message) }
    static func invalidCombination(_ message: String) -> AWSError { AWSError(code: "InvalidParameterCombination", message: message) }
    static func missing(_ name: String) -> AWSError {
        AWSError(code: "MissingParameter", message: "The request must contain the parameter \(name).")
    }
    static func invalidIdentifier(_ parameter: String) -> AWSError {
        invalidParameter("The parameter \(parameter) is not a valid identifier. Identifiers must begin with a letter; must contain only ASCII letters, digits, and hyphens; and must not end with a hyphen or contain two consecutive hyphens.")
    }
    static func clusterExists(_ id: String) -> AWSError {
        AWSError(code: "CacheClusterAlreadyExists", message: "Cache cluster \(id) already exists.")
    }
    static func clusterNotFound(_ id: String) -> AWSError {
        AWSError(code: "CacheClusterNotFound", message: "CacheCluster not found: \(id)", httpStatus: 404)
    }
    static func invalidState(_ id: String, _ status: String) -> AWSError {
        AWSError(code: "InvalidCacheClusterState", message: "Cache cluster \(id) is not in a valid state to be modified (status: \(status)).")
    }
    static func subnetGroupExists(_ name: String) -> AWSError {
        AWSError(code: "CacheSubnetGroupAlreadyExists", message: "Cache subnet group \(name) already exists.")
    }
    static func subnetGroupNotFound(_ name: String) -> AWSError {
        AWSError(code: "CacheSubnetGroupNotFoundFault", message: "Cache subnet group \(name) not found.")
    }
    static func subnetGroupInUse(_ name: String) -> AWSError {
        AWSError(code: "CacheSubnetGroupInUse", message: "Cache subnet group \(name) is currently in use by a cache cluster.")
    }
    static func invalidSubnet(_ id: String) -> AWSError {
        AWSError(code: "InvalidSubnet", message: "The subnet ID '\(id)' does not exist")
    }
    static func invalidSecurityGroup(_ id: String) -> AWSError {
        AWSError(code: "InvalidVPCNetworkStateFault", message: "The security group '\(id)' does not exist in the cache subnet group's VPC.")
    }
    static func noCapacity() -> AWSError {
        AWSError(code: "InsufficientCacheClusterCapacity", message: "No subnet of the cache subnet group has a free address.")
    }
    static func replicationGroupExists(_ id: String) -> AWSError {
        AWSError(code: "ReplicationGroupAlreadyExists", message: "Replication group \(id) already exists.")
    }
    static func replicationGroupNotFound(_ id: String) -> AWSError {
        AWSError(code: "ReplicationGroupNotFoundFault", message: "ReplicationGroup not found: \(id)", httpStatus: 404)
    }
    static func invalidReplicationGroupState(_ id: String, _ status: String) -> AWSError {
        AWSError(code: "InvalidReplicationGroupState", message: "Replication group \(id) is not in a valid state to be modified (status: \(status)).")
    }
    static func memberOfReplicationGroup(_ id: String, _ group: String) -> AWSError {
        AWSError(code: "InvalidReplicationGroupState", message: "Cache cluster \(id) is the primary of replication group \(group); delete the replication group instead.")
    }
    static func invalidArn(_ arn: String) -> AWSError { AWSError(code: "InvalidARN", message: "\(arn) is not a valid ARN.") }
}
