import AWSWire
import ControlPlane
import Foundation
import ServiceBackends

/// Services forwarded to the backend: authenticated like any request, authorized here as `prefix:Operation` on the
/// resource the input names (the table in `BackendServiceTable`), then re-signed and sent on.
extension APIRouter.WireProtocol {
    /// Which native protocol's authentication errors a protocol shares: forwarded awsJson services answer as Lambda
    /// does, the other forwarded ones (and CloudFormation) as the Query services.
    var authStyle: APIRouter.WireProtocol {
        // CloudFormation, RDS and ElastiCache are Query services like IAM, and refuse credentials the same way.
        if self == .cloudformation || self == .rds || self == .elasticache { return .iam }
        guard case .backend(let name) = self else { return self }
        if case .awsJSON? = ServiceBackend.service(forScope: name)?.wire { return .lambda }
        return .iam
    }
}

extension APIRouter {
    /// True when the request's signature is scoped to a forwarded service (read before Query parameters are decoded).
    static func isForwarded(_ request: WireRequest) -> Bool {
        if let header = request.header("authorization") {
            guard let service = SigV4Scope.service(ofHeader: header) else { return false }
            return ServiceBackend.service(forScope: String(service)) != nil
        }
        guard request.rawQuery.contains("X-Amz-Credential") else { return false }
        return (try? SigV4Authorization.parse(request).get()).map { ServiceBackend.service(forScope: $0.service) != nil } ?? false
    }

    func forwardToBackend(_ request: WireRequest, service name: String, context ctx: RequestContext) async throws -> WireResponse {
        guard let service = ServiceBackend.service(forScope: name), let backend else {
            throw AWSError(code: "UnknownOperationException", message: "The service \(name) is not served here", httpStatus: 400)
        }
        if ctx.isAuthorizing {
            let input = BackendInput.read(request, wire: service.wire)
            try ctx.authorize(service.iamAction(input), service.resource(input, ctx.region, ctx.accountId))
        }
        do {
            var response = try await backend.forward(request, service: service, region: ctx.region)
            response.headers.append(("x-lambda-vpc-backend", name))
            return response
        } catch let e as BackendError {
            guard case .unavailable(let why) = e else { throw e }
            throw AWSError(code: "ServiceUnavailable", message: "The service backend is unavailable: \(why)", httpStatus: 503,
                           senderFault: false)
        } catch let e as URLError {
            throw AWSError(code: "ServiceUnavailable", message: "The service backend did not answer: \(e.localizedDescription)",
                           httpStatus: 503, senderFault: false)
        }
    }

    /// Each forwarded service refuses in its own words: awsJson's `AccessDeniedException`, Query's `AccessDenied` /
    /// SNS's `AuthorizationError`.
    static func backendDenial(_ name: String) -> @Sendable (Principal, String, String, Bool) -> AWSError {
        { principal, action, resource, explicit in
            let text = Authorizer.denialText(principal, action: action, resource: resource, explicit: explicit)
            switch ServiceBackend.service(forScope: name)?.wire {
            case .query?: return AWSError(code: name == "sns" ? "AuthorizationError" : "AccessDenied", message: text, httpStatus: 403)
            case .restXML?: return AWSError(code: "AccessDenied", message: text, httpStatus: 403)
            default: return AWSError(code: "AccessDeniedException", message: text, httpStatus: 400)
            }
        }
    }

    static func renderBackendError(_ e: AWSError, service name: String, requestID: String) -> WireResponse {
        switch ServiceBackend.service(forScope: name)?.wire {
        case .query?:
            return ErrorEnvelope.query(e, xmlns: "http://\(name).amazonaws.com/doc/", requestID: requestID)
        case .restXML?:
            return ErrorEnvelope.restXML(e, requestID: requestID)
        case .awsJSON(let version)?:
            return ErrorEnvelope.awsJSON(e, version: version, requestID: requestID)
        default:
            return ErrorEnvelope.restJSON(e, requestID: requestID)
        }
    }
}
