import Foundation

/// Checks a request's SigV4 signature (header or presigned form) with the secret key of its access key,
/// in the order AWS does: request time present and readable, `host` signed, scope date, clock, signature.
public enum SigV4Verifier {
    /// AWS accepts a request time up to 15 minutes away from its own clock, either way.
    public static let defaultAllowedSkewSeconds: Int64 = 900
    /// The longest `X-Amz-Expires` AWS accepts: one week.
    public static let maximumPresignedExpirySeconds: Int64 = 604_800

    /// Succeeds when `authorization` (as parsed from `request`) is a valid signature made with `secretAccessKey`
    /// at a time close enough to `now`.
    /// `slot` (the caller's own) saves hashing the secret into the shared signing-key cache.
    public static func verify(_ request: WireRequest, authorization: SigV4Authorization, secretAccessKey: String,
                              now: Date, allowedSkewSeconds: Int64 = defaultAllowedSkewSeconds, slot: SigningKeySlot? = nil)
        -> Result<Void, SigV4VerificationFailure> {
        let iso: String
        switch headCheck(request, authorization: authorization, now: now, allowedSkewSeconds: allowedSkewSeconds) {
        case .success(let text): iso = text
        case .failure(let f): return .failure(f)
        }
        let payloadHashes: [String]
        switch candidatePayloadHashes(request, presigned: authorization.presigned, service: authorization.service) {
        case .success(let hashes): payloadHashes = hashes
        case .failure(let f): return .failure(f)
        }

        let mac = slot?.mac(secretAccessKey: secretAccessKey, dateStamp: authorization.scopeDate, region: authorization.region,
                            service: authorization.service)
            ?? SigningKeyCache.shared.mac(secretAccessKey: secretAccessKey, dateStamp: authorization.scopeDate,
                                          region: authorization.region, service: authorization.service)
        return signatureCheck(request, authorization: authorization, mac: mac, timestamp: iso, payloadHashes: payloadHashes)
    }

    /// The checks that need only the request's head (request time present and readable, `host` signed, scope date,
    /// clock), so a server can refuse a request before reading its body; nil when they pass. The payload hash and the
    /// signature itself still need the body.
    public static func verifyHead(_ request: WireRequest, authorization: SigV4Authorization, now: Date,
                                  allowedSkewSeconds: Int64 = defaultAllowedSkewSeconds) -> SigV4VerificationFailure? {
        if case .failure(let f) = headCheck(request, authorization: authorization, now: now, allowedSkewSeconds: allowedSkewSeconds) {
            return f
        }
        return nil
    }

    /// The head's checks in AWS's order; the request time as ISO 8601 basic text when they pass.
    static func headCheck(_ request: WireRequest, authorization: SigV4Authorization, now: Date, allowedSkewSeconds: Int64)
        -> Result<String, SigV4VerificationFailure> {
        let query = authorization.presigned ? request.queryItems : []
        let timestamp: SigV4Timestamp
        let iso: String
        switch requestTime(request, authorization: authorization, query: query) {
        case .success(let t):
            timestamp = t.time
            // A text read as ISO 8601 basic is exactly what formatting its time gives (every field is range-checked).
            iso = t.iso8601Text ?? t.time.iso8601Basic
        case .failure(let f): return .failure(f)
        }
        guard authorization.signedHeaders.contains(where: { $0 == "host" || ASCIICase.equalIgnoringCase($0, "host") }) else {
            return .failure(.hostNotSigned)
        }
        guard Self.isDatePrefix(authorization.scopeDate, of: iso) else {
            return .failure(.scopeDateMismatch(scopeDate: authorization.scopeDate, requestDate: timestamp.dateStamp, timestamp: iso))
        }
        if let f = clockFailure(timestamp, authorization: authorization, query: query,
                                now: SigV4Timestamp(now), skew: allowedSkewSeconds) {
            return .failure(f)
        }
        return .success(iso)
    }

    /// Computes the signature for each reading of the request the client may have signed and compares. The canonical
    /// request and the string to sign are built as bytes in two reused buffers; text is only made for a mismatch.
    static func signatureCheck(_ request: WireRequest, authorization: SigV4Authorization, mac: SigV4SigningMAC,
                               timestamp: String, payloadHashes: [String]) -> Result<Void, SigV4VerificationFailure> {
        // A raw `+` in the query is a space to form encoders and a plus to others; the second reading is only
        // tried when the first fails, so the common request costs one computation.
        let hasPlus = request.rawQuery.utf8.contains(UInt8(ascii: "+"))
        var canonical = ByteWriter(capacity: 256 + 3 * (request.rawPath.utf8.count + request.rawQuery.utf8.count))
        var toSign = ByteWriter(capacity: 192)
        var firstAttempt: (canonical: String, toSign: String)?
        for reading in 0..<(hasPlus ? 2 : 1) {
            let plusIsSpace = hasPlus && reading == 0
            for hash in payloadHashes {
                canonical.removeAll()
                SigV4Canonical.appendRequest(method: request.method, rawPath: request.rawPath, rawQuery: request.rawQuery,
                                             headers: request.headers, signedHeaders: authorization.signedHeaders,
                                             payloadHash: hash, presigned: authorization.presigned, plusIsSpace: plusIsSpace,
                                             to: &canonical)
                toSign.removeAll()
                SigV4Crypto.appendStringToSign(canonicalRequest: canonical, timestamp: timestamp, dateStamp: authorization.scopeDate,
                                               region: authorization.region, service: authorization.service, to: &toSign)
                if mac.authenticate(toSign, { SigV4Crypto.isHex(of: $0, authorization.signature) }) { return .success(()) }
                if firstAttempt == nil { firstAttempt = (canonical.text, toSign.text) }
            }
        }
        return .failure(.signatureMismatch(canonicalRequest: firstAttempt?.canonical ?? "", stringToSign: firstAttempt?.toSign ?? ""))
    }

    /// `X-Amz-Date` (query for presigned, header otherwise), else the `Date` header; with the text when it was
    /// ISO 8601 basic.
    static func requestTime(_ request: WireRequest, authorization: SigV4Authorization, query: [(String, String)])
        -> Result<(time: SigV4Timestamp, iso8601Text: String?), SigV4VerificationFailure> {
        if authorization.presigned {
            guard let text = query.first(where: { $0.0 == "X-Amz-Date" })?.1 else { return .failure(.missingPresignedDate) }
            return SigV4Timestamp(iso8601Basic: text).map { .success(($0, text)) } ?? .failure(.malformedDate(text))
        }
        if let text = request.header("x-amz-date") {
            return SigV4Timestamp(iso8601Basic: text).map { .success(($0, text)) } ?? .failure(.malformedDate(text))
        }
        if let text = request.header("date") {
            if let t = SigV4Timestamp(httpDate: text) { return .success((t, nil)) }
            return SigV4Timestamp(iso8601Basic: text).map { .success(($0, text)) } ?? .failure(.malformedDate(text))
        }
        return .failure(.missingDate(authorizationHeader: request.header("authorization") ?? ""))
    }

    /// The header form must be within the skew of now; the presigned form from its date (less the skew,
    /// for a client clock running ahead) until its expiry.
    static func clockFailure(_ t: SigV4Timestamp, authorization: SigV4Authorization, query: [(String, String)],
                             now: SigV4Timestamp, skew: Int64) -> SigV4VerificationFailure? {
        let minutes = skew / 60
        let latest = now.adding(seconds: skew)
        if t > latest {
            return .signatureNotYetCurrent(timestamp: t.iso8601Basic, latest: latest.iso8601Basic, now: now.iso8601Basic,
                                           skewMinutes: minutes)
        }
        if authorization.presigned {
            var expires = skew
            if let text = query.first(where: { $0.0 == "X-Amz-Expires" })?.1 {
                guard let seconds = Int64(text), seconds >= 0, seconds <= maximumPresignedExpirySeconds else {
                    return .invalidExpires(text)
                }
                expires = seconds
            }
            let expiry = t.adding(seconds: expires)
            return now > expiry ? .presignedExpired(expiredAt: expiry.iso8601Basic, now: now.iso8601Basic) : nil
        }
        let earliest = now.adding(seconds: -skew)
        if t < earliest {
            return .signatureExpired(timestamp: t.iso8601Basic, earliest: earliest.iso8601Basic, now: now.iso8601Basic,
                                     skewMinutes: minutes)
        }
        return nil
    }

    /// The payload hashes the client may have signed. A stated `x-amz-content-sha256` that is a hash must be the
    /// body's. Only S3 honours a stated `UNSIGNED-PAYLOAD` (and, for presigned URLs, signs with it): every other
    /// service hashes the body itself, so a signature made over `UNSIGNED-PAYLOAD` does not match there, and a
    /// captured signature cannot carry another body.
    static func candidatePayloadHashes(_ request: WireRequest, presigned: Bool, service: String)
        -> Result<[String], SigV4VerificationFailure> {
        // A streamed body was hashed on its way to the file (when its head stated a hash).
        let bodyHash = request.streamed.map { $0.sha256Hex ?? "" }
            ?? (request.body.isEmpty ? SigV4Crypto.emptyPayloadHash : SigV4Crypto.hexSHA256(request.body))
        let honoursUnsigned = service == "s3"
        if let stated = request.header("x-amz-content-sha256") {
            if isHexHash(stated) {
                if stated.lowercased() != bodyHash { return .failure(.payloadHashMismatch(claimed: stated, computed: bodyHash)) }
                return .success([stated])
            }
            if honoursUnsigned { return .success([stated]) }
        }
        if presigned && honoursUnsigned { return .success([bodyHash, SigV4Crypto.unsignedPayload]) }
        // Every bodiless request (GETs) shares one array.
        return .success(request.body.isEmpty ? emptyBodyHashes : [bodyHash])
    }

    /// True when `date` is the first eight bytes of `timestamp` (compared on the strings' own bytes).
    static func isDatePrefix(_ date: String, of timestamp: String) -> Bool {
        var d = date, t = timestamp
        return d.withUTF8 { db in t.withUTF8 { tb in db.count == 8 && tb.count >= 8 && db.elementsEqual(tb.prefix(8)) } }
    }

    private static let emptyBodyHashes = [SigV4Crypto.emptyPayloadHash]

    static func isHexHash(_ s: String) -> Bool {
        s.utf8.count == 64 && s.utf8.allSatisfy { FormDecoding.hexValue($0) != nil }
    }
}
