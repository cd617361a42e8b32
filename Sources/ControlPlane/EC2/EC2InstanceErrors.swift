import AWSWire

/// EC2's errors for instances. Wording marked (unconfirmed) is our best reading of AWS's behaviour.
extension EC2Errors {
    public static func instanceNotFound(_ ids: [String]) -> AWSError {
        if ids.count == 1 { return AWSError(code: "InvalidInstanceID.NotFound", message: "The instance ID '\(ids[0])' does not exist") }
        return AWSError(code: "InvalidInstanceID.NotFound", message: "The instance IDs '\(ids.joined(separator: ", "))' do not exist")
    }
    public static func incorrectInstanceState(_ id: String, verb: String) -> AWSError {
        AWSError(code: "IncorrectInstanceState", message: "The instance '\(id)' is not in a state from which it can be \(verb).")
    }
    public static func invalidInstanceType(_ t: String) -> AWSError {
        invalidParameterValue("Invalid value '\(t)' for InstanceType.")
    }
    public static func invalidUserData() -> AWSError {
        invalidParameterValue("Invalid BASE64 encoding of user data.")
    }
    public static func userDataTooLarge() -> AWSError {
        invalidParameterValue("User data is limited to 16384 bytes")
    }
    /// (unconfirmed wording)
    public static func invalidCount(_ name: String, _ value: String) -> AWSError {
        invalidParameterValue("Value (\(value)) for parameter \(name) is invalid. Expected a positive integer.")
    }
    /// (unconfirmed wording)
    public static func minAboveMax(min: Int, max: Int) -> AWSError {
        invalidParameterValue("Value (\(min)) for parameter minCount is invalid. It must not be greater than maxCount (\(max)).")
    }
    public static func instanceLimitExceeded(requested: Int, limit: Int) -> AWSError {
        AWSError(code: "InstanceLimitExceeded",
                 message: "You have requested more instances (\(requested)) than your current instance limit of \(limit) allows for the specified instance type. Please visit http://aws.amazon.com/contact-us/ec2-request to request an adjustment to this limit.")
    }
    /// (unconfirmed wording)
    public static func privateIpWithManyInstances() -> AWSError {
        AWSError(code: "InvalidParameterCombination", message: "Cannot specify a private IP address when launching more than one instance.")
    }
    public static func groupNameWithSubnet() -> AWSError {
        AWSError(code: "InvalidParameterCombination", message: "The parameter groupName cannot be used with the parameter subnet")
    }
}
