import AWSWire

/// Every error SSM Parameter Store answers with, and its message, in one place. awsJson1_1 renders them as
/// `{"__type": CODE, "message": ...}` with status 400. Messages marked unconfirmed follow AWS's documentation and
/// common client reports, not a captured response.
enum SSMErrors {
    static func error(_ code: String, _ message: String) -> AWSError {
        AWSError(code: code, message: message, httpStatus: 400, lambdaType: nil)
    }

    static func validation(_ message: String) -> AWSError { error("ValidationException", message) }

    /// A member the model constrains, refused as AWS's validator words it.
    static func constraint(_ member: String, _ value: String, _ rule: String) -> AWSError {
        validation("1 validation error detected: Value '\(value)' at '\(member)' failed to satisfy constraint: \(rule)")
    }

    static func missing(_ member: String) -> AWSError {
        validation("1 validation error detected: Value null at '\(member)' failed to satisfy constraint: Member must not be null")
    }

    static func serialization(_ message: String) -> AWSError { error("SerializationException", message) }

    static let unknownOperation = AWSError(code: "UnknownOperationException", message: "", httpStatus: 400, lambdaType: nil)

    /// GetParameter and DeleteParameter name nothing in their message (unconfirmed: clients print an empty one).
    static let parameterNotFound = error("ParameterNotFound", "")

    static func versionNotFound(_ name: String, _ version: String) -> AWSError {
        error("ParameterVersionNotFound", "Systems Manager could not find version \(version) of \(name). Verify the version and try again.")
    }

    static let alreadyExists = error("ParameterAlreadyExists",
                                     "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.")

    static let tagsWithOverwrite = validation("Invalid request: tags and overwrite can't be used together. To create a parameter with "
        + "tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.")

    static let typeRequired = validation("A parameter type is required when you create a parameter.")

    static let badName = validation("Parameter name: can't be prefixed with \"aws\" or \"ssm\" (case-insensitive). If formed as a path, it "
        + "can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_")

    static let reservedPrefix = validation("Parameter name: can't be prefixed with \"aws\" or \"ssm\" (case-insensitive).")

    static let notFullyQualified = validation("Parameter name must be a fully qualified name.")

    static func reservedName(_ name: String) -> AWSError {
        error("AccessDeniedException", "No access to reserved parameter name: \(name).")
    }

    static let hierarchyTooDeep = error("HierarchyLevelLimitExceededException",
        "A hierarchy can have a maximum of 15 levels. For more information, see Requirements and constraints for parameter names "
        + "in the Amazon Web Services Systems Manager User Guide.")

    static func patternMismatch(_ pattern: String) -> AWSError {
        error("ParameterPatternMismatchException", "Parameter value, cannot be validated against allowedPattern: \(pattern)")
    }

    static func badAllowedPattern(_ pattern: String) -> AWSError {
        error("InvalidAllowedPatternException", "The allowed pattern \(pattern) is not a valid regular expression.")
    }

    static func valueTooLong(tier: String, max: Int) -> AWSError {
        validation("\(tier) tier parameters support a maximum parameter value of \(max) characters. To create a larger parameter "
            + "value, upgrade the parameter to use the advanced-parameter tier. For more information, see "
            + "https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html")
    }

    static let tierDowngrade = validation("This parameter uses the advanced-parameter tier. You can't downgrade a parameter from the "
        + "advanced-parameter tier to the standard-parameter tier. If necessary, you can delete the advanced parameter and recreate it "
        + "as a standard parameter.")

    static func unsupportedDataType(_ t: String) -> AWSError {
        validation("The following data type is not supported: \(t) (Data type names are all lowercase.)")
    }

    static func badImageValue(_ value: String) -> AWSError {
        validation("Parameter value \(value) is not a valid AMI ID. AMI IDs must begin with ami- and contain 8 or 17 hexadecimal characters.")
    }

    static let invalidNextToken = error("InvalidNextToken", "The specified token is not valid.")

    static func invalidFilterKey(_ message: String) -> AWSError { error("InvalidFilterKey", message) }
    static func invalidFilterOption(_ message: String) -> AWSError { error("InvalidFilterOption", message) }
    static func invalidFilterValue(_ message: String) -> AWSError { error("InvalidFilterValue", message) }

    static let invalidResourceId = error("InvalidResourceId", "")
    static let invalidResourceType = error("InvalidResourceType", "")

    static let labelLimit = error("ParameterVersionLabelLimitExceeded",
        "A parameter version can have maximum 10 labels. Move one or more labels to another version and try again.")

    static let tooManyTags = error("TooManyTagsError", "")

    /// The IAM denial, in SSM's envelope (400, as awsJson services answer it).
    static func accessDenied(_ p: Principal, action: String, resource: String, explicit: Bool) -> AWSError {
        error("AccessDeniedException", Authorizer.denialText(p, action: action, resource: resource, explicit: explicit))
    }
}
