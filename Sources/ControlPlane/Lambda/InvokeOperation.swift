import AWSWire
import CloudModel
import Foundation

extension LambdaService {
    /// Decides whether the function can run (payload size, state, DryRun), picks the version (weighted aliases), then
    /// runs it through the invoker (RequestResponse) or queues it durably (Event).
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
        if type == "Event", request.body.count > LambdaErrors.maxAsyncPayloadBytes {
            throw LambdaErrors.requestTooLarge(limit: LambdaErrors.maxAsyncPayloadBytes, operation: "InvokeAsync")
        }
        if request.body.count > LambdaErrors.maxSyncPayloadBytes {
            throw LambdaErrors.requestTooLarge(limit: LambdaErrors.maxSyncPayloadBytes, operation: "Invoke")
        }
        let s = store.snapshot()
        let r = try routed(resolve(ref, qualifier: qual, in: s), alias: qual, in: s)
        let now = store.now
        try checkInvocable(r, ref: ref, at: now)
        if type == "DryRun" { return empty(204, ctx) }
        try noteInvocation(r, at: now)
        // Lambda hands the handler `{}` when the request carries no payload.
        let payload = request.body.isEmpty ? Array("{}".utf8) : request.body
        if type == "Event" {
            let event = AsyncInvocation(id: ctx.requestID, functionName: ref.name, qualifier: qual, payload: Data(payload),
                                        clientContext: request.header("x-amz-client-context"), enqueuedAt: now)
            try store.write { tx in tx.put(event) }
            return empty(202, ctx)
        }
        let result = try await invoker.invoke(InvocationRequest(
            config: r.config, invokedArn: json.functionArn(ref.name, qualifier: r.arnQualifier), invocationType: type,
            logType: logType, clientContext: request.header("x-amz-client-context"), payload: payload,
            requestId: ctx.requestID, reservedConcurrency: r.function.reservedConcurrency))
        var headers: [(String, String)] = [("Content-Type", "application/json"), ("x-amzn-RequestId", ctx.requestID),
                                           ("X-Amz-Executed-Version", result.executedVersion)]
        if let e = result.functionError { headers.append(("X-Amz-Function-Error", e)) }
        if let l = result.logResult { headers.append(("X-Amz-Log-Result", l)) }
        return WireResponse(status: result.statusCode, headers: headers, body: result.payload)
    }

    /// The Pending 409 / Inactive 502 rules of the state machine; Invoke on an Inactive version also wakes it up.
    func checkInvocable(_ r: Resolved, ref: FunctionReference, at now: Date) throws {
        if r.config.status.state == .inactive {
            try wakeUp(r, at: now)
            throw LambdaErrors.functionInactive
        }
        try FunctionStateMachine.check(.invoke, r.config.status, arn: json.functionArn(ref.name, qualifier: r.arnQualifier))
    }

    /// Keeps the idle clock of VPC functions running (durably only now and then).
    func noteInvocation(_ r: Resolved, at now: Date) throws {
        activity.record(r.function.id, at: now)
        if (r.function.lastInvokedAt.map { now.timeIntervalSince($0) >= timings.activityGranularity } ?? true) {
            try store.write { tx in tx.update(LambdaFunction.self, r.function.id) { $0.lastInvokedAt = now } }
        }
    }

    /// An alias with RoutingConfig sends each invocation to one of its versions at random, by weight.
    func routed(_ r: Resolved, alias: String?, in s: CloudState, random: Double = Double.random(in: 0..<1)) -> Resolved {
        guard let alias, let a = s.lambdaAliases[LambdaAlias.id(r.function.id, alias)],
              let weights = a.additionalVersionWeights, !weights.isEmpty else { return r }
        var cumulative = 0.0
        for (version, weight) in weights.sorted(by: { $0.key < $1.key }) {
            cumulative += weight
            if random < cumulative, let n = Int(version), let v = s.lambdaVersions[LambdaVersion.id(r.function.id, n)] {
                return Resolved(function: r.function, config: v.config, arnQualifier: r.arnQualifier, versionRecordId: v.id)
            }
        }
        return r
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
