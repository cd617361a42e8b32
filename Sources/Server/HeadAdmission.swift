import AWSWire
import Foundation

/// Whether a request's head earns the reading of a large body, decided before any body byte arrives: a caller the
/// router will refuse whatever the body says must not make the server buffer one. The checks are the router's own
/// under `--enforce-iam`, in its order, less those that need the body (payload hash, signature).
enum HeadAdmission {
    /// Why a head is not trusted with a large body; each is what the router refuses the whole request for.
    enum Distrust: Equatable, Sendable {
        /// No signature, or one that cannot be read.
        case signature(SigV4Authorization.ParseFailure)
        /// Scoped to another service or region (the router's message).
        case wrongScope(String)
        /// An access key id the server does not know (or not the one the endpoint admits).
        case unknownAccessKey
        /// The request time, its presence, `host` being signed or the scope date.
        case verification(SigV4VerificationFailure)
        /// Temporary credentials past their expiration.
        case expiredToken
    }

    enum Verdict: Equatable, Sendable {
        case trusted
        case untrusted(Distrust)
    }

    /// The most body an untrusted head may send: more than any Query or JSON operation's parameters need, far less
    /// than a deployment package.
    static let untrustedBodyBytes = 64 * 1024

    /// `scope`: the protocol that answers, whose service and region the signature must name (nil: not checked, as
    /// for the internal endpoints). `isKnownKey`: whether an access key id resolves to a caller. Without IAM
    /// enforcement the router still refuses a missing or unreadable signature, but trusts every readable one.
    static func verdict(_ head: WireRequest, enforceIAM: Bool, scope: APIRouter.WireProtocol?, region: String,
                        isKnownKey: (String) -> Bool, now: Date) -> Verdict {
        let a: SigV4Authorization
        switch SigV4Authorization.parse(head) {
        case .failure(let f): return .untrusted(.signature(f))
        case .success(let parsed): a = parsed
        }
        guard enforceIAM else { return .trusted }
        if let scope, let wrong = APIRouter.scopeProblem(a, scope, region: region) { return .untrusted(.wrongScope(wrong)) }
        guard isKnownKey(a.accessKeyID) else { return .untrusted(.unknownAccessKey) }
        if let f = SigV4Verifier.verifyHead(head, authorization: a, now: now) { return .untrusted(.verification(f)) }
        return .trusted
    }
}
