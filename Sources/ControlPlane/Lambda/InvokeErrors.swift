import AWSWire

/// The errors of running functions: payload limits, throttling, the sandbox's failures, EventInvokeConfig.
extension LambdaErrors {
    /// Synchronous Invoke accepts at most 6 MB of payload; Event invocations 256 KB.
    public static let maxSyncPayloadBytes = 6_291_456
    public static let maxAsyncPayloadBytes = 262_144

    public static func requestTooLarge(limit: Int, operation: String) -> AWSError {
        AWSError(code: "RequestTooLargeException", message: "Request must be smaller than \(limit) bytes for the \(operation) operation",
                 httpStatus: 413)
    }

    /// 429 with AWS's `Reason` (ReservedFunctionConcurrentInvocationLimitExceeded / ConcurrentInvocationLimitExceeded).
    public static func throttled(reason: String) -> AWSError {
        AWSError(code: "TooManyRequestsException", message: "Rate Exceeded.", httpStatus: 429, extraFields: ["Reason": reason])
    }

    /// (wording unconfirmed)
    public static func noEventInvokeConfig(_ arn: String) -> AWSError {
        AWSError(code: "ResourceNotFoundException", message: "The function \(arn) doesn't have an EventInvokeConfig",
                 httpStatus: 404, lambdaMessageKey: "Message")
    }

    /// The deployment package could not be unpacked when the environment started.
    public static func invalidZip(_ message: String) -> AWSError {
        AWSError(code: "InvalidZipFileException", message: message, httpStatus: 502, lambdaMessageKey: "Message")
    }

    public static func service(_ message: String) -> AWSError {
        AWSError(code: "ServiceException", message: message, httpStatus: 500, lambdaType: "Service", lambdaMessageKey: "Message")
    }

    /// A backstop: CreateFunction accepts only runtimes the sandbox can start (lambda-vpc's own wording).
    public static func invalidRuntime(_ runtime: String) -> AWSError {
        AWSError(code: "InvalidRuntimeException", message: "lambda-vpc cannot start the runtime \(runtime).",
                 httpStatus: 502, lambdaMessageKey: "Message")
    }
}
