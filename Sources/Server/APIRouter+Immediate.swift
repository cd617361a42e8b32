import AWSWire
import ControlPlane

extension APIRouter {
    /// Reads answered on the event loop without a task hop: the health check (the benchmarks' HTTP floor), the
    /// Query protocols' Describe/Get/List actions and Lambda's GET operations. They only read the in-memory state,
    /// so they never block the loop. Everything else returns nil and goes through `respond(to:)`.
    public func respondImmediately(to request: WireRequest) -> WireResponse? {
        if request.rawPath.hasPrefix("/_lambda-vpc/"), request.edge == nil {
            return request.method == "GET" && request.rawPath == "/_lambda-vpc/health" ? internalRoute(request) : nil
        }
        // Lambda's POSTs (`/2015-03-31/…`) are never immediate, and Invoke comes here once per call: leave before
        // the S3 and Query checks. (A Query-protocol POST goes to `/`; S3 answers only GET/HEAD here.)
        if request.method == "POST", request.rawPath.hasPrefix("/20") { return nil }
        if isFunctionUrlRequest(request) { return nil }
        if let s3, S3Addressing.isS3(request) {
            // A function's code (`Code.Location`) is read whole from the code store: not on the loop.
            if CodeURLSigner.digest(inPath: request.rawPath) != nil { return nil }
            // An object read is two lookups (the bucket from memory, one SQLite row) and an open: cheaper on the loop
            // than a hop to the S3 threads and back. A small PUT is prepared here and committed by the store's
            // committer, which answers it (loop → committer → loop). Listings and other writes take the S3 threads.
            if s3.isQuickRead(request) { return storage(request) }
            return s3.isQuickWrite(request) ? storage(request, mayDefer: true) : nil
        }
        let params = Self.queryParameters(request)
        if let params {
            guard let action = params["Action"], Self.isReadOnlyAction(action), params["DryRun"] == nil else { return nil }
        } else if request.method != "GET" {
            return nil
        }
        let a: Admitted
        switch admit(request, params: params) {
        case .failure(let early): return early.response
        case .success(let admitted): a = admitted
        }
        do {
            switch a.proto {
            case .ec2, .iam, .sts, .rds, .elasticache: return try dispatchQuery(a)
            case .lambda: return try regions.services(a.context.region).lambda.handleImmediately(request, context: a.context)
            case .logs, .ssm, .s3, .backend, .cloudformation: return nil
            }
        } catch {
            return renderThrown(error, a)
        }
    }

    /// A synchronous Invoke (and a function URL's request) waits on its execution environment, whose I/O runs on the same event loops (its only
    /// blocking work is the occasional last-invocation write); everything else (SQLite writes, the network fabric's
    /// commands) stays off the loops.
    public func runsOnEventLoop(_ request: WireRequest) -> Bool {
        // Cheap test first: only Lambda's POSTs can be an Invoke.
        (request.method == "POST" && request.rawPath.hasPrefix("/20") && LambdaService.waitsOnEventLoop(request))
            || isFunctionUrlRequest(request)
    }

    /// Each protocol refuses an oversized body in its own envelope: Lambda's and CloudWatch Logs' JSON
    /// `RequestEntityTooLargeException`, the Query protocols' XML `RequestEntityTooLarge` (code unconfirmed). The
    /// protocol comes from the signature's scope, else from the path, as for any other early answer.
    public func payloadTooLarge(_ request: WireRequest, limit: Int) -> WireResponse {
        let service = try? SigV4Authorization.parse(request).get().service
        let proto = Self.guessProtocol(request, service: service)
        let json = proto == .lambda || proto == .logs || proto == .ssm
        if proto == .s3 {
            // S3's uploads stream; what reaches this limit is a configuration or multipart document.
            return render(AWSError(code: "MaxMessageLengthExceeded", message: "Your request was too big.", httpStatus: 400),
                          proto, newRequestID())
        }
        return render(AWSError(code: json ? "RequestEntityTooLargeException" : "RequestEntityTooLarge",
                               message: "Request must be smaller than \(limit) bytes for the operation", httpStatus: 413),
                      proto, newRequestID())
    }

    static func isReadOnlyAction(_ action: String) -> Bool {
        action.hasPrefix("Describe") || action.hasPrefix("Get") || action.hasPrefix("List")
    }
}
