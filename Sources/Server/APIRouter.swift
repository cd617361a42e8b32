import AWSWire
import ControlPlane
import Foundation
import IAMPolicy
import Logging
import NIOPosix
import Sandbox
import ServiceBackends

/// Routes one request: internal `/_lambda-vpc/` paths, then SigV4 → identity → service by the credential
/// scope (with path/`Version` as fallback for telling the error format) → operation.
public final class APIRouter: HTTPResponder {
    let config: ServerConfig
    /// EC2, Lambda, CloudWatch Logs and SSM, per region: a request is answered by the region it is signed for.
    let regions: Regions
    let sts: STSService
    let iam: IAMService
    let authorizer: Authorizer
    /// S3 (nil: S3 requests are answered as the other services' unknown paths).
    let s3: S3Service?
    /// Threads S3 operations run on: they block on fsync and file I/O, and many in flight let the kernel sync them
    /// together, which the concurrency pool's one thread per core would not.
    let s3Threads: NIOThreadPool?
    let started: Date
    let isolationAvailable: Bool
    /// The health endpoint's `sandbox` object, rendered once: how environments are isolated and memory enforced.
    let sandboxStatusJSON: String
    let logger: Logger
    /// The simulated internet's hosts (`lambda-vpc internet run`).
    let internet: InternetHostsAPI?
    /// Where the services this server does not implement are forwarded.
    let backend: ServiceBackend?

    init(config: ServerConfig, regions: Regions, sts: STSService, iam: IAMService, authorizer: Authorizer,
         internet: InternetHostsAPI? = nil, backend: ServiceBackend? = nil, isolationAvailable: Bool,
         sandboxStatus: [String: String] = [:], logger: Logger, s3: S3Service? = nil, s3Threads: NIOThreadPool? = nil) {
        self.backend = backend
        self.s3 = s3
        self.s3Threads = s3Threads
        let status = (try? JSONSerialization.data(withJSONObject: sandboxStatus, options: [.sortedKeys])) ?? Data("{}".utf8)
        self.sandboxStatusJSON = String(decoding: status, as: UTF8.self)
        self.internet = internet
        self.config = config
        self.regions = regions
        self.sts = sts
        self.iam = iam
        self.authorizer = authorizer
        self.started = Date()
        self.isolationAvailable = isolationAvailable
        self.logger = logger
    }

    /// The wire protocol a request speaks, which decides how its errors look.
    enum WireProtocol: Equatable {
        case ec2, iam, sts, lambda, logs, ssm, s3, cloudformation
        /// RDS and ElastiCache: Query protocols answered per region.
        case rds, elasticache
        /// A service forwarded to the backend, by its signing name.
        case backend(String)
        /// Served per region (IAM and STS are global; S3's bucket names are global but each bucket has a region).
        var isRegional: Bool {
            switch self {
            case .ec2, .lambda, .logs, .ssm, .s3, .backend, .cloudformation, .rds, .elasticache: true
            case .iam, .sts: false
            }
        }
    }

    /// A request past authentication: its protocol, its context and, for Query protocols, its parameters.
    struct Admitted {
        var proto: WireProtocol
        var context: RequestContext
        var params: QueryParameters?
    }

    /// Reads the signature and resolves the caller (verifying the signature under `--enforce-iam`);
    /// an early answer (an auth error) comes back as `.failure`.
    /// `parsed`: the request's signature fields when the caller has read them already.
    func admit(_ request: WireRequest, params: QueryParameters?,
               parsed: Result<SigV4Authorization, SigV4Authorization.ParseFailure>? = nil) -> Result<Admitted, EarlyAnswer> {
        let requestID = newRequestID()
        // The service comes from the signature's scope; requests without one are answered in the format
        // their path or Version suggests.
        let auth = parsed ?? SigV4Authorization.parse(request)
        let service: String?
        switch auth {
        case .success(let a): service = a.service
        case .failure: service = nil
        }
        let proto = Self.guessProtocol(request, service: service, params: params)
        let principal: Principal
        var verified: Caller?
        let now = Date()
        var region = config.region
        switch auth {
        case .success(let a):
            if proto.isRegional {
                // The signature's scope picks the region, as each regional endpoint of AWS is its own region.
                guard Regions.isServed(a.region, home: config.region) else {
                    return .failure(EarlyAnswer(render(AuthErrors.error(for: .wrongScope(Self.unknownRegion(a.region)), protocol: proto),
                                                       proto, requestID)))
                }
                region = a.region
            }
            if config.enforceIAM {
                if let wrong = Self.scopeProblem(a, proto, region: config.region) {
                    return .failure(EarlyAnswer(render(AuthErrors.error(for: .wrongScope(wrong), protocol: proto), proto, requestID)))
                }
                guard let caller = authorizer.caller(accessKeyId: a.accessKeyID, rootAccessKeyId: config.rootAccessKeyId,
                                                     rootSecret: config.rootSecretAccessKey) else {
                    return .failure(EarlyAnswer(render(AuthErrors.error(for: .unknownAccessKey, protocol: proto), proto, requestID)))
                }
                if let problem = Self.sessionProblem(caller, a, now: now) {
                    return .failure(EarlyAnswer(render(AuthErrors.error(for: problem, protocol: proto), proto, requestID)))
                }
                if case .failure(let f) = SigV4Verifier.verify(request, authorization: a, secretAccessKey: caller.secretAccessKey,
                                                               now: now, slot: caller.signingKeys) {
                    return .failure(EarlyAnswer(render(AuthErrors.error(for: .verification(f), protocol: proto), proto, requestID)))
                }
                principal = caller.principal
                verified = caller
            } else if let session = authorizer.sessionCaller(accessKeyId: a.accessKeyID) {
                // Temporary credentials this server issued are their session's principal in every mode; nothing is
                // denied by default, but the token must be theirs and unexpired.
                if let problem = Self.sessionProblem(session, a, now: now) {
                    return .failure(EarlyAnswer(render(AuthErrors.error(for: problem, protocol: proto), proto, requestID)))
                }
                principal = session.principal
            } else {
                principal = .root(accountId: config.accountId, accessKeyId: a.accessKeyID)
            }
        case .failure(let f):
            return .failure(EarlyAnswer(render(AuthErrors.error(for: .signature(f), protocol: proto), proto, requestID)))
        }
        var ctx = RequestContext(requestID: requestID, accountId: config.accountId, region: region,
                                 principal: principal, sourceIP: request.sourceIP,
                                 authorization: config.enforceIAM ? authorization(proto, caller: verified, now: now) : nil)
        if let edge = request.edge {
            let states = regions.stores.all.map { $0.store.snapshot() }
            EdgeOrigin.fill(&ctx, arrival: edge, states: states)
            // Through a VPC endpoint its policy decides too, whether or not IAM is enforced.
            if let vpce = ctx.sourceVpce, let endpoint = states.lazy.compactMap({ $0.vpcEndpoints[vpce] }).first {
                let policy = try? authorizer.identity.cache.compiled(endpoint.policyDocument, kind: .resource, id: vpce)
                ctx.authorization = authorization(proto, caller: verified, now: now, endpointPolicy: policy)
            }
        }
        return .success(Admitted(proto: proto, context: ctx, params: params))
    }

    /// Temporary credentials work only with their own session token (header or presigned query), until they expire.
    static func sessionProblem(_ caller: Caller, _ a: SigV4Authorization, now: Date) -> HeadAdmission.Distrust? {
        guard let token = caller.sessionToken else { return nil }
        guard a.securityToken == token else { return .unknownAccessKey }
        if let expiration = caller.expiration, now >= expiration { return .expiredToken }
        return nil
    }

    /// A verified signature must be scoped to the service that answers the request and, for the regional services,
    /// to a region this server serves (any of AWS's, or its own `--region`), as AWS refuses a signature made for
    /// another endpoint (message per AWS).
    static func scopeProblem(_ a: SigV4Authorization, _ proto: WireProtocol, region home: String) -> String? {
        let service: String
        switch proto {
        case .ec2: service = "ec2"
        case .iam: service = "iam"
        case .sts: service = "sts"
        case .lambda: service = "lambda"
        case .logs: service = "logs"
        case .ssm: service = "ssm"
        case .cloudformation: service = "cloudformation"
        case .rds: service = "rds"
        case .elasticache: service = "elasticache"
        case .backend(let name): service = name
        case .s3: service = "s3"
        }
        if a.service != service { return "Credential should be scoped to correct service: '\(service)'. " }
        if proto.isRegional && !Regions.isServed(a.region, home: home) { return unknownRegion(a.region) }
        return nil
    }

    static func unknownRegion(_ region: String) -> String { "Credential should be scoped to a valid region, not '\(region)'. " }

    /// Under `--enforce-iam` the internal endpoints that change the kernel answer only the account root, signed with
    /// its key (`lambda-vpc internet run` signs with `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`); nil admits.
    func refuseUnlessRoot(_ request: WireRequest) -> WireResponse? {
        guard config.enforceIAM else { return nil }
        let refusal: String
        switch SigV4Authorization.parse(request) {
        case .failure: refusal = "this endpoint needs a request signed with the account root's access key"
        case .success(let a):
            guard a.accessKeyID == config.rootAccessKeyId else {
                refusal = "only the account root may use this endpoint; \(a.accessKeyID) is not the root's access key"
                break
            }
            switch SigV4Verifier.verify(request, authorization: a, secretAccessKey: config.rootSecretAccessKey, now: Date()) {
            case .success: return nil
            case .failure(let f): refusal = f.message
            }
        }
        return InternetHostsAPI.json(403, ["message": refusal])
    }

    /// Parameters of a Query-protocol request (nil for Lambda's REST paths).
    static func queryParameters(_ request: WireRequest) -> QueryParameters? {
        if isForwarded(request) { return nil }
        let bodyIsJSON = [.lambda, .logs, .ssm].contains(guessProtocol(request, service: nil))
        return bodyIsJSON ? nil : QueryParameters(request: request)
    }

    public func respond(to request: WireRequest) async -> WireResponse {
        if let t = Self.functionUrlTarget(request) { return await functionUrl(request, t) }
        if s3 != nil, S3Addressing.isS3(request) { return await storageOnThreads(request) }
        // The internal endpoints belong to the host endpoint: "public AWS" has none, so at the edge such a path is
        // just another (unsigned) AWS request.
        if request.rawPath.hasPrefix("/_lambda-vpc/"), request.edge == nil {
            if let internet, internet.handles(request) {
                if let refusal = refuseUnlessRoot(request) { return refusal }
                return await internet.respond(to: request)
            }
            return internalRoute(request)
        }
        let a: Admitted
        switch admit(request, params: Self.queryParameters(request)) {
        case .failure(let early): return early.response
        case .success(let admitted): a = admitted
        }
        return await answering(a) {
            switch a.proto {
            case .ec2, .iam, .sts, .rds, .elasticache: return try dispatchQuery(a)
            case .cloudformation: return try await cloudFormation(a)
            case .lambda: return try await regions.services(a.context.region).lambda.handle(request, context: a.context)
            case .logs: return try cloudWatchLogs(request, context: a.context)
            case .ssm: return try parameterStore(request, context: a.context)
            case .backend(let name): return try await forwardToBackend(request, service: name, context: a.context)
            case .s3: return storage(request)
            }
        }
    }

    /// Runs an operation and renders what it throws in the protocol's envelope.
    func answering(_ a: Admitted, _ body: () async throws -> WireResponse) async -> WireResponse {
        do { return try await body() } catch { return renderThrown(error, a) }
    }

    func renderThrown(_ error: any Error, _ a: Admitted) -> WireResponse {
        if let e = error as? AWSError { return render(e, a.proto, a.context.requestID) }
        logger.error("internal error: \(error)")
        return render(AWSError(code: "InternalError", message: "We encountered an internal error. Please try again.",
                               httpStatus: 500, lambdaType: "Service", senderFault: false), a.proto, a.context.requestID)
    }

    /// EC2, IAM and STS: one `Action` each, answered with XML.
    func dispatchQuery(_ a: Admitted) throws -> WireResponse {
        let p = a.params ?? QueryParameters([:])
        guard let action = p["Action"], !action.isEmpty else { throw QueryErrors.missingAction() }
        let xml: String
        switch a.proto {
        case .ec2: xml = try regions.services(a.context.region).ec2.handle(action: action, params: p, context: a.context)
        case .sts: xml = try sts.handle(action: action, params: p, context: a.context)
        case .iam: xml = try iam.handle(action: action, params: p, context: a.context)
        case .rds: xml = try regions.services(a.context.region).rds.handle(action: action, params: p, context: a.context)
        case .elasticache: xml = try regions.services(a.context.region).elastiCache.handle(action: action, params: p, context: a.context)
        case .lambda, .logs, .ssm, .s3, .backend, .cloudformation: throw QueryErrors.invalidAction(action)
        }
        return .xml(200, xml, requestID: a.context.requestID)
    }

    /// Each service denies in its own format.
    func authorization(_ proto: WireProtocol, caller: Caller?, now: Date, endpointPolicy: CompiledPolicy? = nil) -> RequestAuthorization {
        let denial: @Sendable (Principal, String, String, Bool) -> AWSError
        switch proto {
        case .ec2: denial = { Authorizer.ec2Denied($0, action: $1, resource: $2, explicit: $3) }
        case .lambda, .logs: denial = { Authorizer.lambdaDenied($0, action: $1, resource: $2, explicit: $3) }
        case .ssm: denial = { SSMService.accessDenied($0, action: $1, resource: $2, explicit: $3) }
        case .s3: denial = { S3Service.accessDenied($0, action: $1, resource: $2, explicit: $3) }
        case .iam, .sts, .cloudformation: denial = { Authorizer.iamDenied($0, action: $1, resource: $2, explicit: $3) }
        case .rds, .elasticache:
            denial = { AWSError(code: "AccessDenied", message: Authorizer.denialText($0, action: $1, resource: $2, explicit: $3), httpStatus: 403) }
        case .backend(let name): denial = Self.backendDenial(name)
        }
        return RequestAuthorization(authorizer: authorizer, now: now, caller: caller, enforcesIdentity: config.enforceIAM,
                                    endpointPolicy: endpointPolicy, denial: denial)
    }

    func render(_ e: AWSError, _ proto: WireProtocol, _ requestID: String) -> WireResponse {
        switch proto {
        case .ec2: return ErrorEnvelope.ec2(e, requestID: requestID)
        case .iam: return ErrorEnvelope.query(e, xmlns: "https://iam.amazonaws.com/doc/2010-05-08/", requestID: requestID)
        case .sts: return ErrorEnvelope.query(e, xmlns: STSService.xmlns, requestID: requestID)
        case .cloudformation: return ErrorEnvelope.query(e, xmlns: CloudFormationService.xmlns, requestID: requestID)
        case .rds: return ErrorEnvelope.query(e, xmlns: RDSService.xmlns, requestID: requestID)
        case .elasticache: return ErrorEnvelope.query(e, xmlns: ElastiCacheService.xmlns, requestID: requestID)
        case .lambda: return ErrorEnvelope.restJSON(e, requestID: requestID)
        case .logs, .ssm: return ErrorEnvelope.awsJSON(e, requestID: requestID)
        case .backend(let name): return Self.renderBackendError(e, service: name, requestID: requestID)
        case .s3: return s3?.renderEarly(e, requestID: requestID, head: false) ?? ErrorEnvelope.s3(e, requestID: requestID, hostId: "")
        }
    }

    static func guessProtocol(_ r: WireRequest, service: String?, params: QueryParameters? = nil) -> WireProtocol {
        switch service {
        case "ec2": return .ec2
        case "iam": return .iam
        case "sts": return .sts
        case "lambda": return .lambda
        case "logs": return .logs
        case "ssm": return .ssm
        case "cloudformation": return .cloudformation
        case "rds": return .rds
        case "elasticache": return .elasticache
        case "s3": return .s3
        case let name? where ServiceBackend.service(forScope: name) != nil: return .backend(name)
        default: break
        }
        if S3Addressing.isS3(r) { return .s3 }
        if r.rawPath != "/" && r.rawPath != "" { return .lambda }
        if let target = r.header("x-amz-target") {
            if target.hasPrefix(CloudWatchLogsAPI.targetPrefix) { return .logs }
            if target.hasPrefix(SSMService.targetPrefix) { return .ssm }
            if let forwarded = BackendServiceTable.service(forTarget: target) { return .backend(forwarded.signingName) }
        }
        switch params?["Version"] {
        case "2010-05-08": return .iam
        case "2011-06-15": return .sts
        case "2010-05-15": return .cloudformation
        case "2014-10-31": return .rds
        case "2015-02-02": return .elasticache
        default: return .ec2
        }
    }

    /// awsJson1_1: the operation is in `X-Amz-Target`, errors are `{"__type": ..., "message": ...}`. Each operation
    /// is authorized as `logs:<Operation>` on the log group (or stream) it reads, before it runs.
    func cloudWatchLogs(_ request: WireRequest, context ctx: RequestContext) throws -> WireResponse {
        let logs = try regions.services(ctx.region).logs
        let target = request.header("x-amz-target") ?? ""
        if ctx.isAuthorizing, let operation = CloudWatchLogsAPI.operation(target: target) {
            let input = CloudWatchLogsAPI.input(request.body) ?? [:]
            try ctx.authorize("logs:" + operation,
                              CloudWatchLogsAPI.resourceArn(operation, input, region: ctx.region, accountId: ctx.accountId))
        }
        let (status, body) = logs.handle(target: target, body: request.body)
        return WireResponse(status: status, headers: [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-RequestId", ctx.requestID)],
                            body: body)
    }

    /// SSM Parameter Store (awsJson1_1, `AmazonSSM.*`): the service authorizes each operation from its table.
    func parameterStore(_ request: WireRequest, context ctx: RequestContext) throws -> WireResponse {
        try regions.services(ctx.region).ssm.handle(target: request.header("x-amz-target") ?? "", body: request.body, context: ctx)
    }

    static let notFound = WireResponse(status: 404, headers: [("Content-Type", "application/json")],
                                       body: Array("{\"message\":\"Not found\"}".utf8))

    func internalRoute(_ r: WireRequest) -> WireResponse {
        switch (r.method, r.rawPath) {
        case ("GET", "/_lambda-vpc/health"):
            // Written by hand: this endpoint is the benchmarks' HTTP floor, so it must cost next to nothing.
            let uptime = (Date().timeIntervalSince(started) * 1000).rounded() / 1000
            let body = "{\"accountId\":\"\(config.accountId)\",\"networkIsolation\":\(isolationAvailable),"
                + "\"region\":\"\(config.region)\",\"sandbox\":\(sandboxStatusJSON),\"status\":\"ok\",\"uptimeSeconds\":\(uptime),"
                + "\"version\":\"\(LambdaVPCVersion.current)\"}"
            return WireResponse(status: 200, headers: [("Content-Type", "application/json")], body: Array(body.utf8))
        default:
            return Self.notFound
        }
    }
}

/// An answer given before any operation ran (an authentication error).
struct EarlyAnswer: Error {
    var response: WireResponse
    init(_ response: WireResponse) { self.response = response }
}

/// The version the health endpoint and `--version` report.
public enum LambdaVPCVersion {
    public static let current = "0.1.0"
}
