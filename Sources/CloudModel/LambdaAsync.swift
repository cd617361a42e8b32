import Foundation

/// One Event (asynchronous) invocation waiting in Lambda's internal queue: stored durably so it survives a restart,
/// deleted once delivered or given up on.
public struct AsyncInvocation: Record {
    public static let kind = "lambda.async-invocation"
    public static var table: WritableKeyPath<CloudState, [String: AsyncInvocation]> { \.asyncInvocations }
    /// The request id Invoke answered with; the function sees the same id on every attempt.
    public var id: String
    public var functionName: String
    /// The qualifier as invoked (nil: unqualified); an alias is resolved again at each attempt.
    public var qualifier: String?
    public var payload: Data
    public var clientContext: String?
    public var enqueuedAt: Date
    /// Attempts made so far (the first delivery included).
    public var attempts: Int
    /// Not delivered before this time (retry back-off).
    public var notBefore: Date

    public init(id: String, functionName: String, qualifier: String?, payload: Data, clientContext: String?, enqueuedAt: Date) {
        self.id = id; self.functionName = functionName; self.qualifier = qualifier; self.payload = payload
        self.clientContext = clientContext; self.enqueuedAt = enqueuedAt; self.attempts = 0; self.notBefore = enqueuedAt
    }
}

/// A function's (or one qualifier's) asynchronous invocation settings: PutFunctionEventInvokeConfig.
public struct LambdaEventInvokeConfig: Record {
    public static let kind = "lambda.event-invoke-config"
    public static var table: WritableKeyPath<CloudState, [String: LambdaEventInvokeConfig]> { \.eventInvokeConfigs }
    /// `function:qualifier` (`$LATEST` for the unqualified function).
    public var id: String
    public var functionName: String
    public var qualifier: String
    /// nil: AWS's default (2).
    public var maximumRetryAttempts: Int?
    /// nil: AWS's default (21600 s, six hours).
    public var maximumEventAgeInSeconds: Int?
    /// DestinationConfig as given (stored and echoed; destinations are not delivered to).
    public var destinationConfigJSON: Data?
    public var lastModified: Date

    public init(functionName: String, qualifier: String, maximumRetryAttempts: Int?, maximumEventAgeInSeconds: Int?,
                destinationConfigJSON: Data?, lastModified: Date) {
        self.id = Self.id(functionName, qualifier); self.functionName = functionName; self.qualifier = qualifier
        self.maximumRetryAttempts = maximumRetryAttempts; self.maximumEventAgeInSeconds = maximumEventAgeInSeconds
        self.destinationConfigJSON = destinationConfigJSON; self.lastModified = lastModified
    }

    public static func id(_ function: String, _ qualifier: String) -> String { "\(function):\(qualifier)" }
}
