/// Why the pool refused or failed an invocation before the function could answer; the API maps each to AWS's error.
public enum SandboxError: Error, Sendable, Equatable {
    /// 429 TooManyRequestsException; `reason` is AWS's `Reason` field.
    case throttled(reason: ThrottleReason)
    /// The runtime is not one the sandbox can start (the control plane validates earlier; this is the backstop).
    case unsupportedRuntime(String)
    /// The deployment package could not be unpacked (502 InvalidZipFileException on AWS).
    case invalidCode(String)
    /// The deployment package inflates past Lambda's 250 MB unzipped limit (found while unpacking: its directory lied).
    case unzippedTooLarge
    /// The environment could not be started (namespace, process): 500 ServiceException.
    case environmentStartFailed(String)
    /// The pool is shutting down.
    case shutDown
}

/// The `Reason` values of a 429 TooManyRequestsException from Invoke.
public enum ThrottleReason: String, Sendable {
    case reservedFunctionConcurrentInvocationLimitExceeded = "ReservedFunctionConcurrentInvocationLimitExceeded"
    case concurrentInvocationLimitExceeded = "ConcurrentInvocationLimitExceeded"

    /// AWS's message for the throttle (from the Invoke documentation; wording kept in this one place).
    public var message: String { "Rate Exceeded." }
}
