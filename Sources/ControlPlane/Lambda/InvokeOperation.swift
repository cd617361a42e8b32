import AWSWire
import CloudModel
import Foundation

extension LambdaService {
    /// Decides whether the function can run (state, DryRun), records activity, and hands the rest to the invoker.
    func invoke(_ name: String, _ q: LambdaQuery, _ request: WireRequest, _ ctx: RequestContext) async throws -> WireResponse {
        let ref = try reference(name, namespaced: true)
        let qual = try qualifier(ref, q)
        let type = request.header("x-amz-invocation-type") ?? "RequestResponse"
        guard ["RequestResponse", "Event", "DryRun"].contains(type) else {
            throw LambdaErrors.validation(["Value '\(type)' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]"])
        }
        let logType = request.header("x-amz-log-type") ?? "None"
        guard ["None", "Tail"].contains(logType) else {
            throw LambdaErrors.validation(["Value '\(logType)' at 'logType' failed to satisfy constraint: Member must satisfy enum value set: [Tail, None]"])
        }
        let r = try resolve(ref, qualifier: qual, in: store.snapshot())
        let now = store.now
        if r.config.status.state == .inactive {
            try wakeUp(r, at: now)
            throw LambdaErrors.functionInactive
        }
        try FunctionStateMachine.check(.invoke, r.config.status, arn: json.functionArn(ref.name, qualifier: r.arnQualifier))
        if type == "DryRun" { return empty(204, ctx) }
        activity.record(ref.name, at: now)
        if (r.function.lastInvokedAt.map { now.timeIntervalSince($0) >= timings.activityGranularity } ?? true) {
            try store.write { tx in tx.update(LambdaFunction.self, ref.name) { $0.lastInvokedAt = now } }
        }
        let result = try await invoker.invoke(InvocationRequest(
            config: r.config, invokedArn: json.functionArn(ref.name, qualifier: r.arnQualifier), invocationType: type,
            logType: logType, clientContext: request.header("x-amz-client-context"), payload: request.body))
        var headers: [(String, String)] = [("Content-Type", "application/json"), ("x-amzn-RequestId", ctx.requestID),
                                           ("X-Amz-Executed-Version", result.executedVersion)]
        if let e = result.functionError { headers.append(("X-Amz-Function-Error", e)) }
        if let l = result.logResult { headers.append(("X-Amz-Log-Result", l)) }
        return WireResponse(status: result.statusCode, headers: headers, body: result.payload)
    }

    /// Invoke on an Inactive version sends it back to Pending; the reconciler brings its ENIs back.
    func wakeUp(_ r: Resolved, at now: Date) throws {
        activity.record(r.function.id, at: now)
        try store.write { tx in
            tx.update(LambdaFunction.self, r.function.id) { f in
                f.lastInvokedAt = now
                if r.versionRecordId == nil, let s = FunctionStateMachine.transition(f.latest.status, .invokedWhileInactive) {
                    f.latest.status = s; f.latest.revisionId = newRevisionId()
                }
            }
            if let id = r.versionRecordId {
                tx.update(LambdaVersion.self, id) { v in
                    if let s = FunctionStateMachine.transition(v.config.status, .invokedWhileInactive) {
                        v.config.status = s; v.config.revisionId = newRevisionId()
                    }
                }
            }
        }
    }
}
