import AWSWire

/// EC2's errors for attaching and detaching network interfaces. Wording marked (unconfirmed) is our best
/// reading of AWS's behaviour, kept here so it is easy to correct.
extension EC2Errors {
    public static func deviceIndexTaken(_ instanceId: String, _ index: Int) -> AWSError {
        invalidParameterValue("Instance '\(instanceId)' already has an interface attached at device index '\(index)'.")
    }
    /// (unconfirmed wording)
    public static func invalidDeviceIndex(_ value: String) -> AWSError {
        invalidParameterValue("Value (\(value)) for parameter deviceIndex is invalid.")
    }
    /// (unconfirmed wording)
    public static func invalidNetworkCardIndex(_ value: String) -> AWSError {
        invalidParameterValue("Value (\(value)) for parameter networkCardIndex is invalid. Network card index is out of range.")
    }
    /// (unconfirmed wording)
    public static func interfaceInOtherZone() -> AWSError {
        AWSError(code: "InvalidParameterCombination",
                 message: "You may not attach a network interface to an instance if they are not in the same availability zone")
    }
    /// (unconfirmed wording)
    public static func instanceStateForAttachment(_ id: String) -> AWSError {
        AWSError(code: "IncorrectInstanceState", message: "The instance '\(id)' is not in a valid state for this operation.")
    }
    /// (unconfirmed wording)
    public static func attachmentLimitExceeded(count: Int, instanceType: String) -> AWSError {
        AWSError(code: "AttachmentLimitExceeded", message: "Interface count \(count) exceeds the limit for \(instanceType)")
    }
    /// (unconfirmed wording)
    public static func attachmentNotFound(_ id: String) -> AWSError {
        AWSError(code: "InvalidAttachmentID.NotFound", message: "Interface attachment '\(id)' does not exist.")
    }
    public static func primaryInterfaceDetach() -> AWSError {
        AWSError(code: "OperationNotPermitted", message: "The network interface at device index 0 cannot be detached.")
    }
    /// (unconfirmed wording)
    public static func attachmentOfOtherInterface(_ attachmentId: String, _ eniId: String) -> AWSError {
        invalidParameterValue("Attachment '\(attachmentId)' does not belong to network interface '\(eniId)'.")
    }
    /// (unconfirmed wording)
    public static func multipleInterfaceAttributes() -> AWSError {
        AWSError(code: "InvalidParameterCombination",
                 message: "Fields for multiple attribute types specified: attachment, description, groupSet, sourceDestCheck")
    }
}
