import AWSWire
import ControlPlane
import Foundation
import Logging

/// Routes one request: internal `/_lambda-vpc/` paths, then SigV4 → identity → service by the credential
/// scope (with path/`Version` as fallback for telling the error format) → operation.
public final class APIRouter: HTTPResponder {
    let config: ServerConfig
    let ec2: EC2Service
    let sts: STSService
    let iam: IAMService
    let authorizer: Authorizer
    let lambda: LambdaService
    let started: Date
    let isolationAvailable: Bool
    let logger: Logger

    init(config: ServerConfig, ec2: EC2Service, sts: STSService, iam: IAMService, authorizer: Authorizer,
         lambda: LambdaService, isolationAvailable: Bool, logger: Logger) {
        self.config = config
        self.ec2 = ec2
        self.sts = sts
        self.iam = iam
        self.authorizer = authorizer
        self.lambda = lambda
        self.started = Date()
        self.isolationAvailable = isolationAvailable
        self.logger = logger
    }

    /// The wire protocol a request speaks, which decides how its errors look.
    enum WireProtocol { case ec2, iam, sts, lambda }

    public func respond(to request: WireRequest) async -> WireResponse {
        if request.rawPath.hasPrefix("/_lambda-vpc/") { return internalRoute(request) }
        let requestID = newRequestID()
        let params: QueryParameters? = Self.guessProtocol(request, service: nil) == .lambda ? nil : QueryParameters(request: request)
        // The service comes from the signature's scope; requests without one are answered in the format
        // their path or Version suggests.
        let auth = SigV4Authorization.parse(request)
        let service: String?
        switch auth {
        case .success(let a): service = a.service
        case .failure: service = nil
        }
        let proto = Self.guessProtocol(request, service: service, params: params)
        let principal: Principal
        switch auth {
        case .success(let a):
            if config.enforceIAM {
                guard let p = authorizer.principal(accessKeyId: a.accessKeyID, rootAccessKeyId: config.rootAccessKeyId) else {
                    return render(AuthErrors.unknownAccessKey(protocol: proto), proto, requestID)
                }
                let secret = authorizer.secret(accessKeyId: a.accessKeyID, rootAccessKeyId: config.rootAccessKeyId,
                                               rootSecret: config.rootSecretAccessKey) ?? ""
                if case .failure(let f) = SigV4Verifier.verify(request, authorization: a, secretAccessKey: secret, now: Date()) {
                    return render(AuthErrors.verificationFailure(f, protocol: proto), proto, requestID)
                }
                principal = p
            } else {
                principal = .root(accountId: config.accountId, accessKeyId: a.accessKeyID)
            }
        case .failure(let f):
            return render(AuthErrors.error(for: f, protocol: proto), proto, requestID)
        }
        let ctx = RequestContext(requestID: requestID, accountId: config.accountId, region: config.region,
                                 principal: principal, sourceIP: request.sourceIP,
                                 authorization: config.enforceIAM ? authorization(proto) : nil)
        do {
            switch proto {
            case .ec2, .iam, .sts:
                let p = params ?? QueryParameters(request: request)
                guard let action = p["Action"], !action.isEmpty else { throw QueryErrors.missingAction() }
                let xml: String
                switch proto {
                case .ec2: xml = try ec2.handle(action: action, params: p, context: ctx)
                case .sts: xml = try sts.handle(action: action, params: p, context: ctx)
                case .iam: xml = try iam.handle(action: action, params: p, context: ctx)
                default: throw QueryErrors.invalidAction(action)
                }
                return .xml(200, xml, requestID: requestID)
            case .lambda:
                return try await lambda.handle(request, context: ctx)
            }
        } catch let e as AWSError {
            return render(e, proto, requestID)
        } catch {
            logger.error("internal error: \(error)")
            return render(AWSError(code: "InternalError", message: "We encountered an internal error. Please try again.",
                                   httpStatus: 500, lambdaType: "Service", senderFault: false), proto, requestID)
        }
    }

    /// Each service denies in its own format.
    func authorization(_ proto: WireProtocol) -> RequestAuthorization {
        let denial: @Sendable (Principal, String, String, Bool) -> AWSError
        switch proto {
        case .ec2: denial = { Authorizer.ec2Denied($0, action: $1, resource: $2, explicit: $3) }
        case .lambda: denial = { Authorizer.lambdaDenied($0, action: $1, resource: $2, explicit: $3) }
        case .iam, .sts: denial = { Authorizer.iamDenied($0, action: $1, resource: $2, explicit: $3) }
        }
        return RequestAuthorization(authorizer: authorizer, now: Date(), denial: denial)
    }

    func render(_ e: AWSError, _ proto: WireProtocol, _ requestID: String) -> WireResponse {
        switch proto {
        case .ec2: return ErrorEnvelope.ec2(e, requestID: requestID)
        case .iam: return ErrorEnvelope.query(e, xmlns: "https://iam.amazonaws.com/doc/2010-05-08/", requestID: requestID)
        case .sts: return ErrorEnvelope.query(e, xmlns: STSService.xmlns, requestID: requestID)
        case .lambda: return ErrorEnvelope.restJSON(e, requestID: requestID)
        }
    }

    static func guessProtocol(_ r: WireRequest, service: String?, params: QueryParameters? = nil) -> WireProtocol {
        switch service {
        case "ec2": return .ec2
        case "iam": return .iam
        case "sts": return .sts
        case "lambda": return .lambda
        default: break
        }
        if r.rawPath != "/" && r.rawPath != "" { return .lambda }
        switch params?["Version"] {
        case "2010-05-08": return .iam
        case "2011-06-15": return .sts
        default: return .ec2
        }
    }

    func internalRoute(_ r: WireRequest) -> WireResponse {
        switch (r.method, r.rawPath) {
        case ("GET", "/_lambda-vpc/health"):
            let body: [String: Any] = [
                "status": "ok",
                "version": LambdaVPCVersion.current,
                "uptimeSeconds": (Date().timeIntervalSince(started) * 1000).rounded() / 1000,
                "networkIsolation": isolationAvailable,
                "accountId": config.accountId,
                "region": config.region,
            ]
            let data = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data()
            return WireResponse(status: 200, headers: [("Content-Type", "application/json")], body: Array(data))
        case ("GET", let path) where path.hasPrefix("/_lambda-vpc/code/") && path.hasSuffix(".zip")
            && lambda.codeZip(sha256Hex: String(path.dropFirst("/_lambda-vpc/code/".count).dropLast(4))) != nil:
            let zip = lambda.codeZip(sha256Hex: String(path.dropFirst("/_lambda-vpc/code/".count).dropLast(4))) ?? []
            return WireResponse(status: 200, headers: [("Content-Type", "application/zip")], body: zip)
        default:
            return WireResponse(status: 404, headers: [("Content-Type", "application/json")],
                                body: Array("{\"message\":\"Not found\"}".utf8))
        }
    }
}

/// The version the health endpoint and `--version` report.
public enum LambdaVPCVersion {
    public static let current = "0.1.0"
}
