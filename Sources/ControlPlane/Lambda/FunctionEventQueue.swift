import AWSWire
import CloudModel
import Foundation
import IAMPolicy

/// How another service (S3's event notifications) hands events to functions: Lambda's asynchronous queue, only for
/// a function whose resource policy lets that service invoke it, as on AWS.
public protocol FunctionEventQueue: Sendable {
    /// nil when `functionArn` names a function of this account and region whose resource policy allows `service`
    /// (`s3.amazonaws.com`) `lambda:InvokeFunction` for `sourceArn`/`sourceAccount`; else why not.
    func refusesEvents(functionArn: String, service: String, sourceArn: String, sourceAccount: String) -> String?
    /// Queues one asynchronous invocation with `payload` as its event.
    func enqueue(functionArn: String, payload: [UInt8]) throws
}

extension LambdaService: FunctionEventQueue {
    public func refusesEvents(functionArn: String, service: String, sourceArn: String, sourceAccount: String) -> String? {
        guard case .success(let ref) = FunctionReference.parse(functionArn), ref.accountId ?? accountId == accountId,
              ref.region ?? region == region else {
            return "The function \(functionArn) is not in this account and region"
        }
        guard store.snapshot().lambdaFunctions[ref.name] != nil else { return "The function \(functionArn) does not exist" }
        guard let policy = resourcePolicy(function: ref.name, qualifier: ref.qualifier, cache: urlPolicies) else {
            return "Not authorized to invoke function [\(functionArn)]"
        }
        var context = ConditionContext()
        context.set("aws:SourceArn", sourceArn)
        context.set("aws:SourceAccount", sourceAccount)
        let request = AuthorizationRequest(action: "lambda:InvokeFunction", resource: json.functionArn(ref.name, qualifier: ref.qualifier),
                                           context: context, principal: PrincipalIdentity(type: "Service", identifier: service))
        return PolicyEvaluator.evaluate([policy], request).outcome == .allowed ? nil : "Not authorized to invoke function [\(functionArn)]"
    }

    public func enqueue(functionArn: String, payload: [UInt8]) throws {
        guard case .success(let ref) = FunctionReference.parse(functionArn) else { return }
        let event = AsyncInvocation(id: newRequestID(), functionName: ref.name, qualifier: ref.qualifier, payload: Data(payload),
                                    clientContext: nil, enqueuedAt: store.now)
        try store.write { tx in tx.put(event) }
    }
}
