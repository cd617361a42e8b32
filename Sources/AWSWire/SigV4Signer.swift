import Foundation

/// Signs requests the way the AWS SDKs do, in the header or the presigned-query form;
/// used by tests and by the project's own tools.
public struct SigV4Signer: Sendable {
    public var accessKeyID: String
    public var secretAccessKey: String
    public var sessionToken: String?
    public var region: String
    public var service: String

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil, region: String, service: String) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.region = region
        self.service = service
    }

    /// Headers the SDKs leave unsigned: hop-by-hop ones and those that proxies add or rewrite.
    public static let unsignedHeaders: Set<String> = [
        "authorization", "connection", "expect", "keep-alive", "proxy-authenticate", "proxy-authorization",
        "te", "trailer", "transfer-encoding", "upgrade", "user-agent", "x-amzn-trace-id",
    ]

    /// The intermediate results of one signature, to compare with published vectors.
    public struct Computation: Sendable, Equatable {
        public var canonicalRequest: String
        public var stringToSign: String
        public var signature: String
    }

    /// Header form: sets `X-Amz-Date` (and `X-Amz-Security-Token` with a session token), signs every header
    /// present except `unsignedHeaders`, and sets `Authorization`. The request must already carry `Host`.
    public func sign(_ request: WireRequest, at date: Date) -> WireRequest {
        let timestamp = SigV4Timestamp(date)
        var r = request
        r.headers.removeAll { $0.name == "authorization" || $0.name == "x-amz-date" }
        r.headers.append((name: "x-amz-date", value: timestamp.iso8601Basic))
        if let sessionToken {
            r.headers.removeAll { $0.name == "x-amz-security-token" }
            r.headers.append((name: "x-amz-security-token", value: sessionToken))
        }
        let signed = Self.headersToSign(r)
        let payloadHash = r.header("x-amz-content-sha256") ?? SigV4Crypto.hexSHA256(r.body)
        let c = compute(r, signedHeaders: signed, timestamp: timestamp, payloadHash: payloadHash, presigned: false)
        let scope = SigV4Crypto.credentialScope(dateStamp: timestamp.dateStamp, region: region, service: service)
        r.headers.append((name: "authorization",
                          value: "\(SigV4Crypto.algorithm) Credential=\(accessKeyID)/\(scope), "
                              + "SignedHeaders=\(SigV4Canonical.signedHeaderList(signed)), Signature=\(c.signature)"))
        return r
    }

    /// Query form: appends `X-Amz-Algorithm`, `-Credential`, `-Date`, `-Expires`, `-SignedHeaders` (and
    /// `-Security-Token`), then `X-Amz-Signature`. The payload hash is the body's SHA-256, as botocore signs
    /// presigned URLs for services other than S3; `unsignedPayload` uses `UNSIGNED-PAYLOAD` as S3 does.
    public func presign(_ request: WireRequest, at date: Date, expires: Int = 3600, unsignedPayload: Bool = false) -> WireRequest {
        let timestamp = SigV4Timestamp(date)
        var r = request
        r.headers.removeAll { $0.name == "authorization" }
        let signed = Self.headersToSign(r)
        let scope = SigV4Crypto.credentialScope(dateStamp: timestamp.dateStamp, region: region, service: service)
        var params: [(String, String)] = [
            ("X-Amz-Algorithm", SigV4Crypto.algorithm),
            ("X-Amz-Credential", "\(accessKeyID)/\(scope)"),
            ("X-Amz-Date", timestamp.iso8601Basic),
            ("X-Amz-Expires", String(expires)),
            ("X-Amz-SignedHeaders", SigV4Canonical.signedHeaderList(signed)),
        ]
        if let sessionToken { params.append(("X-Amz-Security-Token", sessionToken)) }
        r.rawQuery = Self.appending(params, to: r.rawQuery)
        let payloadHash = r.header("x-amz-content-sha256")
            ?? (unsignedPayload ? SigV4Crypto.unsignedPayload : SigV4Crypto.hexSHA256(r.body))
        let c = compute(r, signedHeaders: signed, timestamp: timestamp, payloadHash: payloadHash, presigned: true)
        r.rawQuery = Self.appending([(SigV4Canonical.signatureParameter, c.signature)], to: r.rawQuery)
        return r
    }

    /// Canonical request, string to sign and signature of `request` as it stands.
    public func compute(_ request: WireRequest, signedHeaders: [String], timestamp: SigV4Timestamp,
                        payloadHash: String, presigned: Bool) -> Computation {
        let canonical = SigV4Canonical.request(request, signedHeaders: signedHeaders, payloadHash: payloadHash, presigned: presigned)
        let dateStamp = timestamp.dateStamp
        let scope = SigV4Crypto.credentialScope(dateStamp: dateStamp, region: region, service: service)
        let toSign = SigV4Crypto.stringToSign(canonicalRequest: canonical, timestamp: timestamp.iso8601Basic, scope: scope)
        let key = SigV4Crypto.signingKey(secretAccessKey: secretAccessKey, dateStamp: dateStamp, region: region, service: service)
        return Computation(canonicalRequest: canonical, stringToSign: toSign,
                           signature: SigV4Crypto.signature(stringToSign: toSign, signingKey: key))
    }

    /// The distinct lower-case names of the request's signable headers, sorted.
    static func headersToSign(_ r: WireRequest) -> [String] {
        Set(r.headers.map { $0.name.lowercased() }).subtracting(unsignedHeaders).sorted()
    }

    static func appending(_ params: [(String, String)], to rawQuery: String) -> String {
        var q = rawQuery
        for (k, v) in params {
            if !q.isEmpty { q += "&" }
            q += FormDecoding.encode(k) + "=" + FormDecoding.encode(v)
        }
        return q
    }
}
