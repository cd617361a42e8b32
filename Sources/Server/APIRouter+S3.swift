import AWSWire
import ControlPlane
import Foundation

extension APIRouter {
    /// An S3 request (recognised by `S3Addressing.isS3`): admitted as any other (SigV4, identity), then answered by
    /// `S3Service`, which authorizes each operation itself. A HEAD's errors carry no body, as S3 sends them.
    /// `mayDefer`: the caller is an event loop, to which a small PUT answers once committed (`DeferredResponse`).
    func storage(_ request: WireRequest, mayDefer: Bool = false) -> WireResponse {
        guard let s3 else { return Self.notFound }
        if request.method == "GET" || request.method == "HEAD", CodeURLSigner.digest(inPath: request.rawPath) != nil,
           // The code store and the links' key are shared by every region's service.
           let download = (try? regions.services(config.region))?.lambda.codeDownload(request) {
            var response: WireResponse
            switch download {
            case .success(let zip): response = WireResponse(status: 200, headers: [("Content-Type", "application/zip")], body: zip)
            case .failure(let e): response = s3.renderEarly(e, requestID: newRequestID(), head: request.method == "HEAD")
            }
            if request.method == "HEAD" {
                response.declaredLength = Int64(response.body.count)
                response.body = []
            }
            return response
        }
        var response: WireResponse
        let parsed = SigV4Authorization.parse(request)
        if request.header("authorization") == nil, let v2 = SigV2Presigned.parse(request) {
            response = presignedV2(request, v2, s3)
        } else if case .failure(.missing) = parsed {
            // Unsigned: an anonymous caller, whom only a bucket policy open to everyone admits.
            let ctx = RequestContext(requestID: newRequestID(), accountId: config.accountId, region: config.region,
                                     principal: Principal(arn: S3Service.anonymousArn, userId: "anonymous", accountId: "",
                                                          accessKeyId: ""),
                                     sourceIP: request.sourceIP)
            response = s3.handle(request, context: ctx, signedRegion: config.region, mayDefer: mayDefer)
        } else {
            switch admit(request, params: nil, parsed: parsed) {
        case .failure(let early): response = early.response
        case .success(let a):
            let auth = try? parsed.get()
            if !config.enforceIAM, let auth, auth.presigned,
               case .presignedExpired(let at, _)? = SigV4Verifier.verifyHead(request, authorization: auth, now: Date()) {
                // A presigned URL's expiry holds even where signatures are not verified: it is what `--expires-in` promises.
                response = s3.renderEarly(AWSError(code: "AccessDenied", message: "Request has expired", httpStatus: 403,
                                                   extraFields: ["Expires": at]), requestID: a.context.requestID, head: false)
                break
            }
            response = s3.handle(request, context: a.context, signedRegion: auth?.region ?? config.region, mayDefer: mayDefer)
            }
        }
        if request.method == "HEAD" && response.file == nil && !response.body.isEmpty { response.body = [] }
        return response
    }

    /// `storage` on the S3 threads (inline when there are none, as in unit tests).
    func storageOnThreads(_ request: WireRequest) async -> WireResponse {
        guard let s3Threads else { return storage(request) }
        return (try? await s3Threads.runIfActive { self.storage(request) }) ?? storage(request)
    }

    /// A signature version 2 presigned URL: refused once past `Expires`; under `--enforce-iam` the key must be known
    /// and the HMAC-SHA1 signature must verify, as S3 checks it.
    func presignedV2(_ request: WireRequest, _ v2: SigV2Presigned, _ s3: S3Service) -> WireResponse {
        let requestID = newRequestID()
        let now = Date()
        if Int64(now.timeIntervalSince1970) > v2.expires {
            return s3.renderEarly(AWSError(code: "AccessDenied", message: "Request has expired", httpStatus: 403,
                                           extraFields: ["Expires": String(v2.expires)]), requestID: requestID, head: false)
        }
        var principal = Principal.root(accountId: config.accountId, accessKeyId: v2.accessKeyID)
        var caller: Caller?
        if config.enforceIAM {
            guard let c = authorizer.caller(accessKeyId: v2.accessKeyID, rootAccessKeyId: config.rootAccessKeyId,
                                            rootSecret: config.rootSecretAccessKey) else {
                return s3.renderEarly(AuthErrors.unknownAccessKey(protocol: .s3), requestID: requestID, head: false)
            }
            guard v2.verifies(request, secretAccessKey: c.secretAccessKey) else {
                return s3.renderEarly(AuthErrors.verificationFailure(.signatureMismatch(canonicalRequest: "", stringToSign: ""), protocol: .s3),
                                      requestID: requestID, head: false)
            }
            principal = c.principal
            caller = c
        }
        let ctx = RequestContext(requestID: requestID, accountId: config.accountId, region: config.region, principal: principal,
                                 sourceIP: request.sourceIP,
                                 authorization: config.enforceIAM ? authorization(.s3, caller: caller, now: now) : nil)
        return s3.handle(request, context: ctx, signedRegion: config.region)
    }

    /// S3 uploads stream to a file. A head the router would refuse anyway (unsigned, or under `--enforce-iam` a wrong
    /// scope, unknown key or stale time) gets none: the ordinary path refuses it without reading its body. Under
    /// `--enforce-iam` a `STREAMING-AWS4-HMAC-SHA256-PAYLOAD` body's chunk signatures are checked as they arrive.
    public func bodySink(_ head: WireRequest) -> RequestBodySink? {
        guard let s3, S3Addressing.isS3(head) else { return nil }
        if !config.enforceIAM {
            // Nothing is verified before the body: a signed request (its signature read with the whole request) or a
            // version 2 presigned PUT (judged then too: expiry) streams; an unsigned one is read whole as any other.
            let signed = head.header("authorization") != nil || head.rawQuery.contains("X-Amz-Credential=")
            return signed || SigV2Presigned.parse(head) != nil ? s3.bodySink(head, chain: nil) : nil
        }
        guard case .success(let a) = SigV4Authorization.parse(head) else { return nil }
        let authorizer = self.authorizer, config = self.config
        let verdict = HeadAdmission.verdict(head, enforceIAM: true, scope: .s3, region: config.region, isKnownKey: {
            authorizer.principal(accessKeyId: $0, rootAccessKeyId: config.rootAccessKeyId) != nil
        }, now: Date())
        guard verdict == .trusted else { return nil }
        var chain: ChunkSignatureChain?
        if let caller = authorizer.caller(accessKeyId: a.accessKeyID, rootAccessKeyId: config.rootAccessKeyId,
                                          rootSecret: config.rootSecretAccessKey),
           let timestamp = head.header("x-amz-date") {
            chain = ChunkSignatureChain(secretAccessKey: caller.secretAccessKey, authorization: a, timestamp: timestamp)
        }
        return s3.bodySink(head, chain: chain)
    }
}
