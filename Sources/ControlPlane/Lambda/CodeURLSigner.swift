import AWSWire
import Crypto
import Foundation

/// GetFunction's `Code.Location` and GetLayerVersion's `Content.Location`: an S3 presigned URL, as AWS hands out —
/// SigV4 in the query, valid for 10 minutes, for a key in Lambda's own bucket (`awslambda-REGION-tasks`,
/// `awslambda-REGION-layers`, `snapshots/ACCOUNT/NAME-…`), path-style on the server's endpoint. It is signed with an
/// access key that exists only in this process (links die with the server, and nothing else about the code store is
/// reachable without one); S3 answers it (`APIRouter.storage`) after checking the signature and the expiry.
public struct CodeURLSigner: Sendable {
    /// How long a link stays valid (AWS: 10 minutes).
    public static let lifetimeSeconds = 600

    /// Whose code a link holds, which names Lambda's bucket.
    public enum Kind: String, Sendable {
        case function = "tasks"
        case layer = "layers"
    }

    /// The access key id in the links' credential (AWS's links carry a temporary `ASIA…` key of Lambda's).
    public let accessKeyId: String
    private let secretAccessKey: String

    public init(accessKeyId: String? = nil, secretAccessKey: String? = nil) {
        let random = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        self.accessKeyId = accessKeyId ?? "ASIA" + String(random.prefix(16).map { alphabet[Int($0) % alphabet.count] })
        self.secretAccessKey = secretAccessKey ?? random.suffix(16).map { String(format: "%02x", $0) }.joined()
    }

    /// The link to `sha256Hex`'s zip on `host`, valid from `now` for `lifetimeSeconds`.
    public func url(host: String, region: String, accountId: String, kind: Kind, name: String, sha256Hex: String,
                    now: Date) -> String {
        let path = "/awslambda-\(region)-\(kind.rawValue)/snapshots/\(accountId)/\(name)-\(sha256Hex)"
        let timestamp = Self.basicISO8601(now)
        let dateStamp = String(timestamp.prefix(8))
        let scope = SigV4Crypto.credentialScope(dateStamp: dateStamp, region: region, service: "s3")
        let query = "X-Amz-Algorithm=\(SigV4Crypto.algorithm)"
            + "&X-Amz-Credential=\(accessKeyId)%2F\(scope.replacingOccurrences(of: "/", with: "%2F"))"
            + "&X-Amz-Date=\(timestamp)&X-Amz-Expires=\(Self.lifetimeSeconds)&X-Amz-SignedHeaders=host"
        let canonical = SigV4Canonical.request(method: "GET", rawPath: path, rawQuery: query, headers: [(name: "host", value: host)],
                                               signedHeaders: ["host"], payloadHash: SigV4Crypto.unsignedPayload, presigned: true)
        let key = SigV4Crypto.signingKey(secretAccessKey: secretAccessKey, dateStamp: dateStamp, region: region, service: "s3")
        let signature = SigV4Crypto.signature(stringToSign: SigV4Crypto.stringToSign(canonicalRequest: canonical, timestamp: timestamp,
                                                                                     scope: scope), signingKey: key)
        return "http://\(host)\(path)?\(query)&X-Amz-Signature=\(signature)"
    }

    /// The code digest a link's path names; nil for any other path (the request is then S3's as usual).
    public static func digest(inPath rawPath: String) -> String? {
        // Asked of every S3 request: the common one leaves at this prefix test, before any splitting.
        guard rawPath.hasPrefix("/awslambda-") else { return nil }
        let parts = rawPath.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0].isEmpty, parts[1].hasPrefix("awslambda-"),
              parts[1].hasSuffix("-tasks") || parts[1].hasSuffix("-layers"), parts[2] == "snapshots" else {
            return nil
        }
        let last = parts[4]
        let sha = last.suffix(64)
        guard last.count > 65, last.dropLast(64).hasSuffix("-"),
              sha.allSatisfy({ ("0"..."9").contains($0) || ("a"..."f").contains($0) }) else {
            return nil
        }
        return String(sha)
    }

    /// Why a request for a link is refused, as S3 refuses a presigned URL (nil: admitted).
    public func refusal(_ request: WireRequest, now: Date) -> AWSError? {
        guard case .success(let auth) = SigV4Authorization.parse(request), auth.presigned else {
            return S3Errors.make("AccessDenied", "Access Denied", 403)
        }
        guard auth.accessKeyID == accessKeyId else {
            return S3Errors.make("InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.", 403)
        }
        switch SigV4Verifier.verify(request, authorization: auth, secretAccessKey: secretAccessKey, now: now) {
        case .success:
            return nil
        case .failure(.presignedExpired(let expiredAt, let serverTime)):
            var e = S3Errors.make("AccessDenied", "Request has expired", 403)
            e.extraFields = ["Expires": expiredAt, "ServerTime": serverTime]
            return e
        case .failure:
            return S3Errors.make("SignatureDoesNotMatch",
                                 "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
                                 403)
        }
    }

    /// `yyyyMMddTHHmmssZ` in UTC.
    static func basicISO8601(_ date: Date) -> String {
        let secs = Int64(date.timeIntervalSince1970.rounded(.down))
        let days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400
        let rem = Int(secs - days * 86400)
        let (y, m, d) = CivilTime.date(fromDays: days)
        func p2(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(y)\(p2(m))\(p2(d))T\(p2(rem / 3600))\(p2(rem / 60 % 60))\(p2(rem % 60))Z"
    }
}
