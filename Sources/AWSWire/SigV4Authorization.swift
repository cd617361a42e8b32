/// The parts of a SigV4 signature, from the `Authorization` header or a presigned URL's query.
public struct SigV4Authorization: Sendable, Equatable {
    public var accessKeyID: String
    /// The credential scope's date, `yyyyMMdd`.
    public var scopeDate: String
    public var region: String
    public var service: String
    public var signedHeaders: [String]
    public var signature: String
    /// True for the presigned-URL form (`X-Amz-Signature` in the query).
    public var presigned: Bool
    /// The session token of temporary credentials (`X-Amz-Security-Token` header, or query when presigned).
    public var securityToken: String?

    public init(accessKeyID: String, scopeDate: String, region: String, service: String,
                signedHeaders: [String], signature: String, presigned: Bool, securityToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.scopeDate = scopeDate
        self.region = region
        self.service = service
        self.signedHeaders = signedHeaders
        self.signature = signature
        self.presigned = presigned
        self.securityToken = securityToken
    }

    /// The failure modes of reading a signature, before any key is looked up.
    public enum ParseFailure: Error, Sendable, Equatable {
        /// No Authorization header and no presigned query.
        case missing
        /// Present but not readable as SigV4; the text says what was wrong.
        case malformed(String)
    }

    /// Reads the signature of a request without checking it.
    public static func parse(_ request: WireRequest) -> Result<SigV4Authorization, ParseFailure> {
        if let header = request.header("authorization") {
            return parseHeader(header).map { auth in
                var a = auth
                a.securityToken = request.header("x-amz-security-token")
                return a
            }
        }
        // A request without the parameters costs no decoding.
        guard request.rawQuery.contains("X-Amz-") else { return .failure(.missing) }
        let q = Dictionary(request.queryItems, uniquingKeysWith: { a, _ in a })
        if let alg = q["X-Amz-Algorithm"] {
            guard alg == "AWS4-HMAC-SHA256" else { return .failure(.malformed("Unsupported algorithm \(alg)")) }
            guard let cred = q["X-Amz-Credential"], let sig = q["X-Amz-Signature"], let sh = q["X-Amz-SignedHeaders"] else {
                return .failure(.malformed("Presigned URL is missing X-Amz-Credential, X-Amz-SignedHeaders or X-Amz-Signature"))
            }
            return credential(cred).map {
                SigV4Authorization(accessKeyID: $0.0, scopeDate: $0.1, region: $0.2, service: $0.3,
                                   signedHeaders: sh.split(separator: ";").map(String.init), signature: sig, presigned: true,
                                   securityToken: q["X-Amz-Security-Token"])
            }
        }
        return .failure(.missing)
    }

    static func parseHeader(_ header: String) -> Result<SigV4Authorization, ParseFailure> {
        let trimmed = header.drop { $0 == " " }
        guard trimmed.hasPrefix("AWS4-HMAC-SHA256") else {
            return .failure(.malformed("Authorization header requires 'AWS4-HMAC-SHA256' as the algorithm"))
        }
        let rest = trimmed.dropFirst("AWS4-HMAC-SHA256".count)
        var fields: [String: String] = [:]
        for part in rest.split(separator: ",") {
            let p = part.trimmingSpaces()
            guard let eq = p.firstIndex(of: "=") else { continue }
            fields[String(p[p.startIndex..<eq])] = String(p[p.index(after: eq)...])
        }
        guard let cred = fields["Credential"], let sh = fields["SignedHeaders"], let sig = fields["Signature"] else {
            var missing: [String] = []
            if fields["Credential"] == nil { missing.append("Credential") }
            if fields["SignedHeaders"] == nil { missing.append("SignedHeaders") }
            if fields["Signature"] == nil { missing.append("Signature") }
            return .failure(.malformed("Authorization header requires '\(missing[0])' parameter. Authorization=\(header)"))
        }
        return credential(cred).map {
            SigV4Authorization(accessKeyID: $0.0, scopeDate: $0.1, region: $0.2, service: $0.3,
                               signedHeaders: sh.split(separator: ";").map(String.init), signature: sig, presigned: false)
        }
    }

    /// `AKID/yyyyMMdd/region/service/aws4_request`.
    static func credential(_ s: String) -> Result<(String, String, String, String), ParseFailure> {
        let parts = s.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 5, parts[4] == "aws4_request", !parts[0].isEmpty, parts[1].count == 8,
              !parts[2].isEmpty, !parts[3].isEmpty else {
            return .failure(.malformed("Credential should be scoped to a valid region and service: '\(s)'."))
        }
        return .success((parts[0], parts[1], parts[2], parts[3]))
    }
}

extension Substring {
    func trimmingSpaces() -> Substring {
        var s = self
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return s
    }
}
