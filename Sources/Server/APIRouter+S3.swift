import AWSWire
import ControlPlane
import Foundation

extension APIRouter {
    /// An S3 request (recognised by `S3Addressing.isS3`): admitted as any other (SigV4, identity), then answered by
    /// `S3Service`, which authorizes each operation itself. A HEAD's errors carry no body, as S3 sends them.
    func storage(_ request: WireRequest) -> WireResponse {
        guard let s3 else { return Self.notFound }
        var response: WireResponse
        switch admit(request, params: nil) {
        case .failure(let early): response = early.response
        case .success(let a):
            let region = (try? SigV4Authorization.parse(request).get().region) ?? config.region
            response = s3.handle(request, context: a.context, signedRegion: region)
        }
        if request.method == "HEAD" && response.file == nil && !response.body.isEmpty { response.body = [] }
        return response
    }

    /// S3 uploads stream to a file. A head the router would refuse anyway (unsigned, or under `--enforce-iam` a wrong
    /// scope, unknown key or stale time) gets none: the ordinary path refuses it without reading its body. Under
    /// `--enforce-iam` a `STREAMING-AWS4-HMAC-SHA256-PAYLOAD` body's chunk signatures are checked as they arrive.
    public func bodySink(_ head: WireRequest) -> RequestBodySink? {
        guard let s3, S3Addressing.isS3(head), case .success(let a) = SigV4Authorization.parse(head) else { return nil }
        var chain: ChunkSignatureChain?
        if config.enforceIAM {
            let authorizer = self.authorizer, config = self.config
            let verdict = HeadAdmission.verdict(head, enforceIAM: true, scope: .s3, region: config.region, isKnownKey: {
                authorizer.principal(accessKeyId: $0, rootAccessKeyId: config.rootAccessKeyId) != nil
            }, now: Date())
            guard verdict == .trusted else { return nil }
            if let caller = authorizer.caller(accessKeyId: a.accessKeyID, rootAccessKeyId: config.rootAccessKeyId,
                                              rootSecret: config.rootSecretAccessKey),
               let timestamp = head.header("x-amz-date") {
                chain = ChunkSignatureChain(secretAccessKey: caller.secretAccessKey, authorization: a, timestamp: timestamp)
            }
        }
        return s3.bodySink(head, chain: chain)
    }
}
