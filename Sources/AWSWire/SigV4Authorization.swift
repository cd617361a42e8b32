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

    /// Reads the header's three fields. An ASCII header (every real one) is read byte by byte; anything else by
    /// Characters, as Swift's String compares them.
    static func parseHeader(_ header: String) -> Result<SigV4Authorization, ParseFailure> {
        var text = header
        let parsed: Result<SigV4Authorization, ParseFailure>? = text.withUTF8 { b in
            guard let fields = HeaderFields(ascii: b) else { return nil }
            guard let cred = fields.credential, let sh = fields.signedHeaders, let sig = fields.signature else {
                return .failure(.malformed(fields.missingFieldMessage(header)))
            }
            guard let scope = HeaderFields.credentialParts(b, cred) else {
                return .failure(.malformed("Credential should be scoped to a valid region and service: '\(HeaderFields.text(b, cred))'."))
            }
            return .success(SigV4Authorization(
                accessKeyID: HeaderFields.text(b, scope.0), scopeDate: HeaderFields.text(b, scope.1),
                region: HeaderFields.text(b, scope.2), service: HeaderFields.text(b, scope.3),
                signedHeaders: HeaderFields.signedHeaderNames(b, sh), signature: HeaderFields.text(b, sig), presigned: false))
        }
        return parsed ?? parseUnicodeHeader(header)
    }

    static func parseUnicodeHeader(_ header: String) -> Result<SigV4Authorization, ParseFailure> {
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

/// The `Credential`, `SignedHeaders` and `Signature` fields of an ASCII `Authorization` header, found byte by byte
/// (as offsets into its UTF-8) with the rules of the Character-based reading: leading spaces skipped, the algorithm
/// name, then comma-separated `name=value` parts trimmed of spaces, the last of a repeated name winning, parts
/// without `=` ignored.
struct HeaderFields {
    var credential: Range<Int>?
    var signedHeaders: Range<Int>?
    var signature: Range<Int>?
    var algorithmMatched = false

    static let algorithm: StaticString = "AWS4-HMAC-SHA256"

    /// Nil when the header is not ASCII.
    init?(ascii b: UnsafeBufferPointer<UInt8>) {
        for byte in b where byte >= 0x80 { return nil }
        let space = UInt8(ascii: " "), comma = UInt8(ascii: ","), equals = UInt8(ascii: "=")
        var i = 0
        while i < b.count && b[i] == space { i += 1 }
        let name = UnsafeBufferPointer(start: Self.algorithm.utf8Start, count: Self.algorithm.utf8CodeUnitCount)
        guard b.count - i >= name.count, Self.equal(b, i..<(i + name.count), name) else { return }
        algorithmMatched = true
        i += name.count
        while i < b.count {
            var end = i
            while end < b.count && b[end] != comma { end += 1 }
            var lo = i, hi = end
            while lo < hi && b[lo] == space { lo += 1 }
            while lo < hi && b[hi - 1] == space { hi -= 1 }
            var eq = lo
            while eq < hi && b[eq] != equals { eq += 1 }
            if eq < hi {
                let value = (eq + 1)..<hi
                switch eq - lo {
                case 10 where Self.equal(b, lo..<eq, "Credential"): credential = value
                case 13 where Self.equal(b, lo..<eq, "SignedHeaders"): signedHeaders = value
                case 9 where Self.equal(b, lo..<eq, "Signature"): signature = value
                default: break
                }
            }
            i = end + 1
        }
    }

    func missingFieldMessage(_ header: String) -> String {
        guard algorithmMatched else { return "Authorization header requires 'AWS4-HMAC-SHA256' as the algorithm" }
        let missing = credential == nil ? "Credential" : (signedHeaders == nil ? "SignedHeaders" : "Signature")
        return "Authorization header requires '\(missing)' parameter. Authorization=\(header)"
    }

    /// `AKID/yyyyMMdd/region/service/aws4_request`: the first four parts, or nil when the scope is not valid.
    static func credentialParts(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> (Range<Int>, Range<Int>, Range<Int>, Range<Int>)? {
        var cuts: [Int] = []
        cuts.reserveCapacity(5)
        for k in r where b[k] == UInt8(ascii: "/") {
            cuts.append(k)
            if cuts.count > 4 { return nil }
        }
        guard cuts.count == 4 else { return nil }
        let parts = (r.lowerBound..<cuts[0], (cuts[0] + 1)..<cuts[1], (cuts[1] + 1)..<cuts[2], (cuts[2] + 1)..<cuts[3])
        guard equal(b, (cuts[3] + 1)..<r.upperBound, "aws4_request"), !parts.0.isEmpty, parts.1.count == 8,
              !parts.2.isEmpty, !parts.3.isEmpty else { return nil }
        return parts
    }

    /// `host;x-amz-date` split at `;`, empty names dropped.
    static func signedHeaderNames(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> [String] {
        var names: [String] = []
        var start = r.lowerBound
        for k in r.lowerBound...r.upperBound where k == r.upperBound || b[k] == UInt8(ascii: ";") {
            if k > start { names.append(text(b, start..<k)) }
            start = k + 1
        }
        return names
    }

    static func text(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: b[r]), as: UTF8.self)
    }

    static func equal(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>, _ literal: StaticString) -> Bool {
        equal(b, r, UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    static func equal(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>, _ other: UnsafeBufferPointer<UInt8>) -> Bool {
        guard r.count == other.count else { return false }
        for (k, byte) in zip(r, other) where b[k] != byte { return false }
        return true
    }
}
