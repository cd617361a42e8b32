import AWSWire
import CloudModel
import Foundation
import Synchronization

/// One invocation handed to the execution side, after the control plane decided the function can run.
public struct InvocationRequest: Sendable {
    public var config: FunctionConfig
    /// The ARN as invoked (with the qualifier the caller used).
    public var invokedArn: String
    /// `RequestResponse` or `Event`.
    public var invocationType: String
    public var logType: String
    public var clientContext: String?
    public var payload: [UInt8]
    /// The request id the function sees (an Event invocation keeps its id across retries).
    public var requestId: String
    /// The function's reserved concurrency (nil: it draws from the account's unreserved pool).
    public var reservedConcurrency: Int?
}

/// What the execution side answers.
public struct InvocationResult: Sendable {
    public var statusCode: Int
    public var payload: [UInt8]
    public var functionError: String?
    public var logResult: String?
    public var executedVersion: String

    public init(statusCode: Int, payload: [UInt8], functionError: String? = nil, logResult: String? = nil, executedVersion: String) {
        self.statusCode = statusCode; self.payload = payload; self.functionError = functionError
        self.logResult = logResult; self.executedVersion = executedVersion
    }
}

/// The port through which Invoke runs code (implemented by the sandbox; absent in this build).
public protocol FunctionInvoker: Sendable {
    func invoke(_ request: InvocationRequest) async throws -> InvocationResult
}

/// The invoker used until execution environments exist: a clear error instead of a fake result.
public struct UnavailableInvoker: FunctionInvoker {
    public init() {}
    public func invoke(_ request: InvocationRequest) async throws -> InvocationResult { throw LambdaErrors.executionUnavailable }
}

/// The last invocation time of each function, in memory; persisted only coarsely so Invoke needs no durable
/// write each time (the idle check reads both).
public final class InvocationActivity: Sendable {
    private let last = Mutex<[String: Date]>([:])
    public init() {}
    public func record(_ function: String, at date: Date) { last.withLock { $0[function] = date } }
    public func lastInvoked(_ function: String) -> Date? { last.withLock { $0[function] } }
    public func forget(_ function: String) { _ = last.withLock { $0.removeValue(forKey: function) } }
}
