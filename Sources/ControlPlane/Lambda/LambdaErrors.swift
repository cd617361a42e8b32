import AWSWire

/// Every Lambda error code and message, in one place. Strings marked (unconfirmed) are not known to be
/// AWS's exact wording; correct them here.
public enum LambdaErrors {
    // MARK: Model validation (ValidationException: no `Type`, lower-case `message`)

    /// `N validation error(s) detected: a; b`.
    public static func validation(_ problems: [String]) -> AWSError {
        let head = problems.count == 1 ? "1 validation error detected: " : "\(problems.count) validation errors detected: "
        return AWSError(code: "ValidationException", message: head + problems.joined(separator: "; "), httpStatus: 400, lambdaType: nil)
    }

    // MARK: Request content

    public static func unparsableBody(_ detail: String) -> AWSError {
        AWSError(code: "InvalidRequestContentException",
                 message: "Could not parse request body into json: Could not parse payload into json: \(detail)")
    }

    public static func wrongType(_ member: String, expected: String) -> AWSError {
        AWSError(code: "InvalidRequestContentException",
                 message: "Could not parse request body into json: Could not parse payload into json: Cannot deserialize value of type `\(expected)` for member `\(member)`")
    }

    public static func unknownOperation(_ method: String, _ path: String) -> AWSError {
        AWSError(code: "UnknownOperationException", message: "Unknown operation \(method) \(path)", httpStatus: 404)
    }

    // MARK: Parameters (InvalidParameterValueException)

    public static func invalidParameter(_ message: String) -> AWSError {
        AWSError(code: "InvalidParameterValueException", message: message)
    }

    public static func unsupportedRuntime(_ runtime: String, supported: [String]) -> AWSError {
        invalidParameter("Value \(runtime) at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [\(supported.joined(separator: ", "))] or be a valid ARN")
    }

    /// Create/update with a runtime Lambda has deprecated (wording from users' reports; the recommended runtime is
    /// the newest of the family here).
    public static func deprecatedRuntime(_ runtime: String, recommended: String) -> AWSError {
        invalidParameter("The runtime parameter of \(runtime) is no longer supported for creating or updating AWS Lambda "
            + "functions. We recommend you use the new runtime (\(recommended)) while creating or updating functions.")
    }

    public static let runtimeAndHandlerRequired =
        invalidParameter("Runtime and Handler are mandatory parameters for functions created with deployment packages.")
    public static let codeSourceRequired = invalidParameter("Please provide a source for function code.")
    public static let s3Unsupported =
        invalidParameter("Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error Message: The specified bucket does not exist")
    /// CreateFunction/UpdateFunctionCode/PublishLayerVersion whose S3 object cannot be read: S3's code and message.
    public static func s3Error(_ code: String, _ message: String) -> AWSError {
        invalidParameter("Error occurred while GetObject. S3 Error Code: \(code). S3 Error Message: \(message)")
    }
    public static let badZip = invalidParameter("Could not unzip uploaded file. Please check your file, then try to upload again.")
    /// Deployment packages may unpack to at most 250 MB (262,144,000 bytes), layers included.
    public static let unzippedTooLarge = invalidParameter("Unzipped size must be smaller than \(ZipArchive.unzippedLimit) bytes")
    public static let qualifierMismatch =
        invalidParameter("The derived qualifier from the function name does not match the specified qualifier.")
    public static let cannotDeleteLatest =
        invalidParameter("$LATEST version cannot be deleted without deleting the function.")

    public static func reservedEnvironmentKeys(_ keys: [String]) -> AWSError {
        invalidParameter("Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: \(keys.joined(separator: ", "))")
    }

    public static func environmentTooLarge(_ measured: Int) -> AWSError {
        invalidParameter("Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: \(measured)")
    }

    public static func codeShaMismatch(given: String, latest: String) -> AWSError {
        invalidParameter("CodeSHA256 (\(given)) is different from current CodeSHA256 in $LATEST (\(latest)). Please try again with the CodeSHA256 in $LATEST.")
    }

    public static func aliasVersionInvalid(_ message: String) -> AWSError { invalidParameter(message) }

    // MARK: VpcConfig (aws-behaviour.md §1)

    public static let vpcListsMustCoexist = invalidParameter("SubnetIds and SecurityIds must coexist or be both empty list.")

    public static func securityGroupNotFound(_ id: String) -> AWSError {
        invalidParameter("Error occurred while DescribeSecurityGroups. EC2 Error Code: InvalidGroup.NotFound. EC2 Error Message: The security group '\(id)' does not exist")
    }

    public static func subnetNotFound(_ id: String) -> AWSError {
        invalidParameter("Error occurred while DescribeSubnets. EC2 Error Code: InvalidSubnetID.NotFound. EC2 Error Message: The subnet ID '\(id)' does not exist")
    }

    /// (unconfirmed wording)
    public static let differentVpcs = invalidParameter("Security Groups are required to be in the same VPC")
    /// (AWS's exact wording unknown)
    public static let dedicatedTenancy = invalidParameter("Lambda doesn't support VPCs with dedicated instance tenancy")

    public static func subnetOutOfAddresses(_ subnetId: String) -> AWSError {
        invalidParameter("The subnet \(subnetId) is out of IP addresses.")
    }

    // MARK: Not found (ResourceNotFoundException: `Message`)

    public static func functionNotFound(_ arn: String) -> AWSError {
        AWSError(code: "ResourceNotFoundException", message: "Function not found: \(arn)", httpStatus: 404, lambdaMessageKey: "Message")
    }

    public static func aliasNotFound(_ arn: String) -> AWSError {
        AWSError(code: "ResourceNotFoundException", message: "Alias not found: \(arn)", httpStatus: 404, lambdaMessageKey: "Message")
    }

    /// Get/Update/DeleteFunctionUrlConfig when the function or alias has no URL.
    public static let functionUrlNotFound = AWSError(
        code: "ResourceNotFoundException", message: "The resource you requested does not exist.", httpStatus: 404,
        lambdaMessageKey: "Message")

    // MARK: Conflicts (ResourceConflictException, 409)

    public static func conflict(_ message: String) -> AWSError {
        AWSError(code: "ResourceConflictException", message: message, httpStatus: 409)
    }

    public static func functionExists(_ name: String) -> AWSError { conflict("Function already exist: \(name)") }
    public static func aliasExists(_ arn: String) -> AWSError { conflict("Alias already exists: \(arn)") }

    /// Invoke while Pending (or any other non-invocable state).
    public static func invokeInState(_ state: String) -> AWSError {
        conflict("The operation cannot be performed at this time. The function is currently in the following state: \(state)")
    }

    /// Update/Publish while Pending or Failed.
    public static func resourceInState(_ arn: String, state: String, reasonCode: String) -> AWSError {
        conflict("The operation cannot be performed at this time. The resource \(arn) is currently in the following state: '\(state)'. StateReasonCode: '\(reasonCode)'")
    }

    public static func updateInProgress(_ arn: String) -> AWSError {
        conflict("The operation cannot be performed at this time. An update is in progress for resource: \(arn)")
    }

    public static func versionHasAliases(_ aliases: [String]) -> AWSError {
        conflict("Unable to delete version because the following aliases reference it: [\(aliases.joined(separator: ", "))]")
    }

    // MARK: Preconditions and readiness

    public static let revisionMismatch = AWSError(
        code: "PreconditionFailedException",
        message: "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id",
        httpStatus: 412)

    public static let functionInactive = AWSError(
        code: "ResourceNotReadyException",
        message: "The function is inactive and its VPC connection is no longer available. Wait for the VPC connection to reestablish and try again.",
        httpStatus: 502, lambdaMessageKey: "Message")

    // MARK: Resource policies (AddPermission, GetPolicy, RemovePermission)

    public static func statementExists(_ sid: String) -> AWSError {
        conflict("The statement id (\(sid)) provided already exists. Please provide a new statement id, or remove the existing statement.")
    }

    /// GetPolicy of a function or qualifier without a policy.
    public static let policyNotFound = AWSError(
        code: "ResourceNotFoundException", message: "The resource you requested does not exist.", httpStatus: 404, lambdaMessageKey: "Message")

    /// RemovePermission where there is no policy at all. (unconfirmed wording)
    public static let noPolicy = AWSError(
        code: "ResourceNotFoundException", message: "No policy is associated with the given resource.", httpStatus: 404, lambdaMessageKey: "Message")

    public static func statementNotFound(_ sid: String) -> AWSError {
        AWSError(code: "ResourceNotFoundException", message: "Statement \(sid) is not found in resource policy.", httpStatus: 404,
                 lambdaMessageKey: "Message")
    }

    public static let policyRevisionMismatch = AWSError(
        code: "PreconditionFailedException",
        message: "The Revision Id provided does not match the latest Revision Id. Call the GetPolicy API to retrieve the latest Revision Id",
        httpStatus: 412)

    public static let invalidPrincipal = invalidParameter("The provided principal was invalid. Please check the principal and try again.")

    // MARK: Provisioned concurrency and code signing

    public static let provisionedOnUnpublished =
        invalidParameter("Provisioned Concurrency Configs cannot be applied to unpublished function versions.")

    public static let provisionedConfigNotFound = AWSError(
        code: "ProvisionedConcurrencyConfigNotFoundException", message: "No Provisioned Concurrency Config found for this function",
        httpStatus: 404, lambdaMessageKey: "Message")

    /// (unconfirmed wording)
    public static func codeSigningConfigNotFound(_ arn: String, code: String = "ResourceNotFoundException") -> AWSError {
        AWSError(code: code, message: "The code signing configuration cannot be found. Check that the provided configuration is not deleted: \(arn).",
                 httpStatus: 404, lambdaMessageKey: "Message")
    }

    /// (unconfirmed wording)
    public static func codeSigningConfigInUse(_ arn: String) -> AWSError {
        conflict("The code signing configuration \(arn) cannot be deleted because it is used by one or more functions.")
    }

    // MARK: Layers and logging

    public static let layerNotFound = AWSError(
        code: "ResourceNotFoundException", message: "The resource you requested does not exist.", httpStatus: 404,
        lambdaMessageKey: "Message")

    /// (unconfirmed wording)
    public static let layerContentRequired = invalidParameter("Please provide a source for layer content.")

    public static let tooManyLayers = invalidParameter("Cannot reference more than 5 layers.")

    public static func layerVersionMissing(_ arn: String) -> AWSError {
        invalidParameter("Layer version \(arn) does not exist.")
    }

    public static func duplicateLayer(_ arn: String) -> AWSError {
        invalidParameter("Two different versions of the same layer are not allowed to be referenced in the same function. \(arn)")
    }

    public static func combinedTooLarge(_ total: Int) -> AWSError {
        invalidParameter("Function code combined with layers exceeds the maximum allowed size of \(ZipArchive.unzippedLimit) bytes. The actual size is \(total) bytes.")
    }

    /// (unconfirmed wording)
    public static let logLevelsNeedJSON =
        invalidParameter("ApplicationLogLevel and SystemLogLevel can only be set when LogFormat is JSON.")

    /// What Invoke answers until a FunctionInvoker is plugged in.
    public static let executionUnavailable = AWSError(
        code: "ServiceException", message: "lambda-vpc: running function code is not available in this build yet",
        httpStatus: 500, lambdaType: "Service", lambdaMessageKey: "Message")
}

/// The reasons and reason codes Lambda writes into StateReason / LastUpdateStatusReason.
public enum LambdaStateReasons {
    public static let creating = "The function is being created."
    /// (unconfirmed)
    public static let idle = "The function is idle."
    /// (unconfirmed)
    public static let restoring = "The function is being restored."
    /// (unconfirmed)
    public static func subnetOutOfAddresses(_ subnet: String) -> String {
        "Lambda was unable to create an ENI in the subnet \(subnet) because it is out of IP addresses."
    }
    /// (unconfirmed)
    public static func eniLimit(_ vpc: String) -> String {
        "Lambda was not able to create an ENI in the VPC \(vpc) of the Lambda function because the limit for Network Interfaces has been reached."
    }
    /// (unconfirmed)
    public static func invalidSubnet(_ subnet: String) -> String { "The subnet \(subnet) does not exist." }
    /// (unconfirmed)
    public static func invalidSecurityGroup(_ group: String) -> String { "The security group \(group) does not exist." }
}
