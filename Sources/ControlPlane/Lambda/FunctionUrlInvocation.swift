import AWSWire
import CloudModel
import Foundation
import IAMPolicy

extension LambdaService {
    /// Answers one HTTP request to a function URL: CORS preflight from the configuration, then the URL's auth
    /// (AWS_IAM: a SigV4 signature for `lambda` and `lambda:InvokeFunctionUrl`; NONE: a resource policy allowing it
    /// to `*`), then the function run on the payload format 2.0 event, its result mapped back to HTTP. Never throws:
    /// every refusal is the `{"Message": ...}` answer a function URL gives.
    /// `authenticate`: the router's check of the request's signature, asked only for AWS_IAM (nil: unsigned or not
    /// verified).
    public func invokeFunctionUrl(_ url: LambdaFunctionUrlConfig, _ request: WireRequest, rawPath: String, domainName: String,
                                  authenticate: () -> RequestContext?) async -> WireResponse {
        let origin = request.header("origin")
        if request.method == "OPTIONS", let cors = url.cors, let origin, request.header("access-control-request-method") != nil {
            return FunctionUrlHTTP.preflight(cors, origin: origin, requestId: newRequestID())
        }
        var response = await runFunctionUrl(url, request, rawPath: rawPath, domainName: domainName, authenticate: authenticate)
        if let cors = url.cors { FunctionUrlHTTP.applyCors(cors, origin: origin, to: &response) }
        return response
    }

    private func runFunctionUrl(_ url: LambdaFunctionUrlConfig, _ request: WireRequest, rawPath: String, domainName: String,
                                authenticate: () -> RequestContext?) async -> WireResponse {
        let arn = json.functionArn(url.functionName, qualifier: url.qualifier)
        var requestId = newRequestID()
        var caller: FunctionUrlHTTP.IAMCaller?
        if url.authType == "AWS_IAM" {
            guard let ctx = authenticate() else { return FunctionUrlHTTP.message(403, "Forbidden", requestId: requestId) }
            requestId = ctx.requestID
            do {
                try ctx.authorize("lambda:InvokeFunctionUrl", arn, resourcePolicy: {
                    ctx.authorization.flatMap { resourcePolicy(function: url.functionName, qualifier: url.qualifier, cache: $0.authorizer.identity.cache) }
                }) { $0.set("lambda:FunctionUrlAuthType", "AWS_IAM") }
            } catch {
                return FunctionUrlHTTP.message(403, "Forbidden", requestId: requestId)
            }
            let p = ctx.principal
            caller = .init(accessKey: p.accessKeyId, accountId: p.accountId, callerId: p.userId, userArn: p.arn)
        } else if !allowsAnonymousUrlInvoke(url, arn: arn) {
            return FunctionUrlHTTP.message(403, "Forbidden", requestId: requestId)
        }
        if request.body.count > LambdaErrors.maxSyncPayloadBytes {
            return FunctionUrlHTTP.message(413, "Request must be smaller than \(LambdaErrors.maxSyncPayloadBytes) bytes for the InvokeFunction operation", requestId: requestId)
        }
        do {
            let s = store.snapshot()
            let ref = try reference(url.functionName)
            let r = routed(try resolve(ref, qualifier: url.qualifier, in: s), alias: url.qualifier, in: s)
            let now = store.now
            try checkInvocable(r, ref: ref, at: now)
            try noteInvocation(r, at: now)
            let target = FunctionUrlHTTP.Target(urlId: url.urlId, rawPath: rawPath, domainName: domainName)
            let event = FunctionUrlHTTP.event(request, target, requestId: requestId, accountId: accountId, caller: caller, now: now)
            let result = try await invoker.invoke(InvocationRequest(
                config: r.config, invokedArn: json.functionArn(ref.name, qualifier: r.arnQualifier), invocationType: "RequestResponse",
                logType: "None", clientContext: nil, payload: event, requestId: requestId,
                reservedConcurrency: r.function.reservedConcurrency))
            guard result.functionError == nil, var response = FunctionUrlHTTP.response(result.payload) else {
                return FunctionUrlHTTP.message(502, "Internal Server Error", requestId: requestId)
            }
            response.headers.append(("x-amzn-RequestId", requestId))
            return response
        } catch let e as AWSError where e.httpStatus == 429 {
            return FunctionUrlHTTP.message(429, "Rate Exceeded.", requestId: requestId)
        } catch {
            return FunctionUrlHTTP.message(502, "Internal Server Error", requestId: requestId)
        }
    }

    /// A NONE URL still needs the function's (or alias's) resource policy to allow `lambda:InvokeFunctionUrl` to
    /// everyone with `lambda:FunctionUrlAuthType` NONE, as Lambda requires (AddPermission with
    /// `--function-url-auth-type NONE --principal '*'`).
    private func allowsAnonymousUrlInvoke(_ url: LambdaFunctionUrlConfig, arn: String) -> Bool {
        guard let policy = resourcePolicy(function: url.functionName, qualifier: url.qualifier, cache: urlPolicies) else { return false }
        var keys = ConditionContext()
        keys.set("lambda:FunctionUrlAuthType", "NONE")
        let request = AuthorizationRequest(action: "lambda:InvokeFunctionUrl", resource: arn, context: keys,
                                           principal: PrincipalIdentity(type: "AWS", identifier: "anonymous"))
        return PolicyEvaluator.evaluate([policy], request).outcome == .allowed
    }
}
