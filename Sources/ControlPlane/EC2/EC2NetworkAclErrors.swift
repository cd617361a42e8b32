import AWSWire

/// EC2's errors for network ACLs. Wording marked (unconfirmed) is our best reading of AWS's behaviour.
extension EC2Errors {
    public static func networkAclHasDependencies(_ id: String) -> AWSError {
        AWSError(code: "DependencyViolation", message: "The networkAcl '\(id)' has dependencies and cannot be deleted.")
    }
    public static func cannotDeleteDefaultAcl(_ id: String) -> AWSError {
        AWSError(code: "InvalidParameterValue", message: "cannot delete default network ACL \(id)")
    }
    public static func aclEntryExists(_ rule: Int) -> AWSError {
        AWSError(code: "NetworkAclEntryAlreadyExists", message: "The network acl entry identified by \(rule) already exists.")
    }
    /// (unconfirmed wording)
    public static func aclEntryNotFound(_ rule: Int, egress: Bool, acl: String) -> AWSError {
        AWSError(code: "InvalidNetworkAclEntry.NotFound",
                 message: "The \(egress ? "egress" : "ingress") entry identified by \(rule) does not exist in network acl \(acl).")
    }
    /// (unconfirmed wording)
    public static func invalidRuleNumber(_ text: String) -> AWSError {
        invalidParameterValue("Value (\(text)) for parameter ruleNumber is invalid. Rule numbers must be between 1 and 32766.")
    }
    /// (unconfirmed wording)
    public static func invalidRuleAction(_ text: String) -> AWSError {
        invalidParameterValue("Value (\(text)) for parameter ruleAction is invalid. Valid values: allow, deny.")
    }
    /// (unconfirmed wording)
    public static func aclPortRangeRequired() -> AWSError {
        AWSError(code: "MissingParameter", message: "The request must contain the parameter portRange")
    }
    /// (unconfirmed wording)
    public static func aclIcmpRequired() -> AWSError {
        AWSError(code: "MissingParameter", message: "The request must contain the parameter icmpTypeCode")
    }
}
