import AWSWire

/// EC2's error codes and messages, in one place.
public enum EC2Errors {
    public static func vpcNotFound(_ id: String) -> AWSError {
        AWSError(code: "InvalidVpcID.NotFound", message: "The vpc ID '\(id)' does not exist")
    }
    public static func subnetNotFound(_ id: String) -> AWSError {
        AWSError(code: "InvalidSubnetID.NotFound", message: "The subnet ID '\(id)' does not exist")
    }
    public static func groupNotFound(_ id: String) -> AWSError {
        AWSError(code: "InvalidGroup.NotFound", message: "The security group '\(id)' does not exist")
    }
    public static func missingParameter(_ name: String) -> AWSError {
        AWSError(code: "MissingParameter", message: "The request must contain the parameter \(name)")
    }
    public static func invalidParameterValue(_ message: String) -> AWSError {
        AWSError(code: "InvalidParameterValue", message: message)
    }
    public static func vpcRange(_ cidr: String) -> AWSError {
        AWSError(code: "InvalidVpc.Range", message: "The CIDR '\(cidr)' is invalid.")
    }
}
