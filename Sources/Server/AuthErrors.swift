import AWSWire

/// The errors each protocol gives for a request whose signature is missing or unreadable.
enum AuthErrors {
    /// The refusal for each reason a signature does not admit its request, the same whether it is found at the
    /// head (before the body is read) or with the whole request.
    static func error(for distrust: HeadAdmission.Distrust, protocol proto: APIRouter.WireProtocol) -> AWSError {
        switch distrust {
        case .signature(let f): return error(for: f, protocol: proto)
        case .wrongScope(let message): return wrongScope(message, protocol: proto)
        case .unknownAccessKey: return unknownAccessKey(protocol: proto)
        case .verification(let f): return verificationFailure(f, protocol: proto)
        case .expiredToken: return expiredToken(protocol: proto)
        }
    }

    /// A request signed with temporary credentials that have expired (kept a day after expiry; then the key is unknown).
    static func expiredToken(protocol proto: APIRouter.WireProtocol) -> AWSError {
        switch proto.authStyle {
        case .lambda, .logs, .ssm:
            return AWSError(code: "ExpiredTokenException", message: "The security token included in the request is expired",
                            httpStatus: 403, lambdaType: nil)
        case .ec2:
            return AWSError(code: "RequestExpired", message: "Request has expired.", httpStatus: 400)
        case .iam, .sts, .backend, .cloudformation, .rds, .elasticache:
            return AWSError(code: "ExpiredToken", message: "The security token included in the request is expired", httpStatus: 403)
        case .s3:
            return AWSError(code: "ExpiredToken", message: "The provided token has expired.", httpStatus: 400)
        }
    }

    static func error(for failure: SigV4Authorization.ParseFailure, protocol given: APIRouter.WireProtocol) -> AWSError {
        let proto = given.authStyle
        switch (failure, proto) {
        case (.missing, .s3):
            // S3 takes an unsigned request as anonymous; without a policy admitting anonymous callers it is denied.
            return AWSError(code: "AccessDenied", message: "Access Denied", httpStatus: 403)
        case (.malformed(let why), .s3):
            return AWSError(code: "AuthorizationHeaderMalformed", message: why, httpStatus: 400)
        case (.missing, .lambda), (.missing, .logs), (.missing, .ssm):
            return AWSError(code: "MissingAuthenticationTokenException", message: "Missing Authentication Token",
                            httpStatus: 403, lambdaType: nil)
        case (.missing, .ec2):
            return AWSError(code: "MissingAuthenticationToken",
                            message: "The request must contain either a valid (registered) AWS access key ID or X.509 certificate.",
                            httpStatus: 401)
        case (.missing, _):
            return AWSError(code: "MissingAuthenticationToken", message: "Request is missing Authentication Token", httpStatus: 403)
        case (.malformed(let why), .lambda), (.malformed(let why), .logs), (.malformed(let why), .ssm):
            return AWSError(code: "IncompleteSignatureException", message: why, httpStatus: 403, lambdaType: nil)
        case (.malformed(let why), _):
            return AWSError(code: "IncompleteSignature", message: why, httpStatus: proto == .ec2 ? 401 : 403)
        }
    }

    /// A well-formed signature whose access key id is not known (or not Active) under IAM enforcement.
    static func unknownAccessKey(protocol proto: APIRouter.WireProtocol) -> AWSError {
        switch proto.authStyle {
        case .s3:
            return AWSError(code: "InvalidAccessKeyId", message: "The AWS Access Key Id you provided does not exist in our records.",
                            httpStatus: 403)
        case .lambda, .logs, .ssm:
            return AWSError(code: "UnrecognizedClientException", message: "The security token included in the request is invalid.",
                            httpStatus: 403, lambdaType: nil)
        case .ec2:
            return AWSError(code: "AuthFailure", message: "AWS was not able to validate the provided access credentials", httpStatus: 401)
        case .iam, .sts, .backend, .cloudformation, .rds, .elasticache:
            return AWSError(code: "InvalidClientTokenId", message: "The security token included in the request is invalid.", httpStatus: 403)
        }
    }

    /// A signature scoped to another service or region: each protocol's code for a signature that does not match.
    static func wrongScope(_ message: String, protocol proto: APIRouter.WireProtocol) -> AWSError {
        switch proto.authStyle {
        case .s3: return AWSError(code: "AuthorizationHeaderMalformed", message: message, httpStatus: 400)
        case .lambda, .logs, .ssm: return AWSError(code: "InvalidSignatureException", message: message, httpStatus: 403, lambdaType: nil)
        case .ec2: return AWSError(code: "AuthFailure", message: message, httpStatus: 401)
        case .iam, .sts, .backend, .cloudformation, .rds, .elasticache: return AWSError(code: "SignatureDoesNotMatch", message: message, httpStatus: 403)
        }
    }

    /// A signature that does not verify under IAM enforcement, in each protocol's own terms.
    static func verificationFailure(_ f: SigV4VerificationFailure, protocol proto: APIRouter.WireProtocol) -> AWSError {
        switch proto.authStyle {
        case .s3:
            if f.isTimeFailure { return AWSError(code: "AccessDenied", message: f.message, httpStatus: 403) }
            if f.isIncompleteSignature { return AWSError(code: "AuthorizationQueryParametersError", message: f.message, httpStatus: 400) }
            return AWSError(code: "SignatureDoesNotMatch",
                            message: "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
                            httpStatus: 403)
        case .lambda, .logs, .ssm:
            return AWSError(code: f.isIncompleteSignature ? "IncompleteSignatureException" : "InvalidSignatureException",
                            message: f.message, httpStatus: 403, lambdaType: nil)
        case .ec2:
            if f.isTimeFailure { return AWSError(code: "RequestExpired", message: "Request has expired.", httpStatus: 400) }
            if f.isIncompleteSignature { return AWSError(code: "IncompleteSignature", message: f.message, httpStatus: 400) }
            return AWSError(code: "AuthFailure", message: "AWS was not able to validate the provided access credentials", httpStatus: 401)
        case .iam, .sts, .backend, .cloudformation, .rds, .elasticache:
            return AWSError(code: f.isIncompleteSignature ? "IncompleteSignature" : "SignatureDoesNotMatch",
                            message: f.message, httpStatus: f.isIncompleteSignature ? 400 : 403)
        }
    }
}
