import AWSWire
import Foundation

extension APIRouter {
    /// A request whose head the router would refuse whatever its body says (no signature or an unreadable one;
    /// under `--enforce-iam` also a wrong scope, an unknown key or a stale time) may send only a small body; a larger
    /// one is refused at once with the answer the router gives that head. The protocol is
    /// told from the head alone (scope, path, `X-Amz-Target`, query `Version`): a Query request that names its
    /// version only in the body is answered as EC2, the default. The internal endpoints take no large body: the
    /// internet-hosts one admits the signed root, the others (health, code links) nothing past the small limit;
    /// without `--enforce-iam` they answer anyone, as before.
    public func bodyAllowance(_ head: WireRequest) -> BodyAllowance {
        let now = Date()
        // A function URL is public HTTP: its own 6 MB limit applies once the function is found.
        if isFunctionUrlRequest(head) { return .serverLimit }
        if head.rawPath.hasPrefix("/_lambda-vpc/"), head.edge == nil {
            guard config.enforceIAM else { return .serverLimit }
            guard let internet, internet.handles(head) else {
                return .untrusted(refusal: payloadTooLarge(head, limit: HeadAdmission.untrustedBodyBytes))
            }
            let root = config.rootAccessKeyId
            let verdict = HeadAdmission.verdict(head, enforceIAM: true, scope: nil, region: config.region,
                                                isKnownKey: { $0 == root }, now: now)
            guard case .untrusted = verdict else { return .serverLimit }
            return .untrusted(refusal: refuseUnlessRoot(head) ?? InternetHostsAPI.json(403, ["message": "not admitted"]))
        }
        let service = try? SigV4Authorization.parse(head).get().service
        let proto = Self.guessProtocol(head, service: service, params: QueryParameters(request: head))
        let authorizer = self.authorizer, config = self.config
        let verdict = HeadAdmission.verdict(head, enforceIAM: config.enforceIAM, scope: proto, region: config.region, isKnownKey: {
            authorizer.principal(accessKeyId: $0, rootAccessKeyId: config.rootAccessKeyId) != nil
        }, now: now)
        switch verdict {
        case .trusted: return .serverLimit
        case .untrusted(let why): return .untrusted(refusal: render(AuthErrors.error(for: why, protocol: proto), proto, newRequestID()))
        }
    }
}
