/// Why a well-formed SigV4 signature was refused, with the data AWS puts in its message.
public enum SigV4VerificationFailure: Error, Sendable, Equatable {
    /// Header form without `X-Amz-Date` or `Date`; carries the `Authorization` header as sent.
    case missingDate(authorizationHeader: String)
    /// Presigned form without `X-Amz-Date`.
    case missingPresignedDate
    /// The request time is not ISO 8601 basic format (or, for `Date`, not an HTTP date).
    case malformedDate(String)
    /// `host` is not in the signed headers.
    case hostNotSigned
    /// The credential scope's date is not the date of the request time.
    case scopeDateMismatch(scopeDate: String, requestDate: String, timestamp: String)
    /// The request time is more than the allowed skew before now (`earliest` = now − skew).
    case signatureExpired(timestamp: String, earliest: String, now: String, skewMinutes: Int64)
    /// The request time is more than the allowed skew after now (`latest` = now + skew).
    case signatureNotYetCurrent(timestamp: String, latest: String, now: String, skewMinutes: Int64)
    /// A presigned request used after `X-Amz-Date` + `X-Amz-Expires`.
    case presignedExpired(expiredAt: String, now: String)
    /// `X-Amz-Expires` is not a number of seconds from 0 to 604800 (one week).
    case invalidExpires(String)
    /// `x-amz-content-sha256` is a hash that is not the body's.
    case payloadHashMismatch(claimed: String, computed: String)
    /// The signature differs from the one computed with the secret key; carries what the server computed.
    case signatureMismatch(canonicalRequest: String, stringToSign: String)

    /// Failures AWS reports as an incomplete signature (`IncompleteSignature` /
    /// `IncompleteSignatureException`) rather than as a wrong one (`SignatureDoesNotMatch` /
    /// `InvalidSignatureException`).
    public var isIncompleteSignature: Bool {
        switch self {
        case .missingDate, .missingPresignedDate, .malformedDate, .invalidExpires: return true
        case .hostNotSigned, .scopeDateMismatch, .signatureExpired, .signatureNotYetCurrent, .presignedExpired,
             .payloadHashMismatch, .signatureMismatch: return false
        }
    }

    /// True for the clock-related failures (EC2 answers these with `RequestExpired`).
    public var isTimeFailure: Bool {
        switch self {
        case .signatureExpired, .signatureNotYetCurrent, .presignedExpired: return true
        default: return false
        }
    }

    /// The message AWS's query and JSON services give (IAM, STS, Lambda).
    public var message: String {
        switch self {
        case .missingDate(let header):
            return "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=\(header)"
        case .missingPresignedDate:
            return "AWS query-string parameters must include 'X-Amz-Date'. Re-examine the query-string parameters."
        case .malformedDate(let text):
            return "Date must be in ISO-8601 'basic format'. Got '\(text)'. See http://en.wikipedia.org/wiki/ISO_8601"
        case .hostNotSigned:
            return "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
        case .scopeDateMismatch(let scopeDate, let requestDate, let timestamp):
            return "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
                + "'\(scopeDate)' != '\(requestDate)', from '\(timestamp)'."
        case .signatureExpired(let timestamp, let earliest, let now, let minutes):
            return "Signature expired: \(timestamp) is now earlier than \(earliest) (\(now) - \(minutes) min.)"
        case .signatureNotYetCurrent(let timestamp, let latest, let now, let minutes):
            return "Signature not yet current: \(timestamp) is still later than \(latest) (\(now) + \(minutes) min.)"
        case .presignedExpired:
            return "Request has expired"
        case .invalidExpires(let text):
            guard let seconds = Int64(text) else { return "X-Amz-Expires should be a number" }
            return seconds < 0 ? "X-Amz-Expires must be non-negative"
                : "X-Amz-Expires must be less than a week (in seconds) that is 604800"
        case .payloadHashMismatch:
            return "The provided 'x-amz-content-sha256' header does not match what was computed."
        case .signatureMismatch(let canonicalRequest, let stringToSign):
            return Self.mismatchSummary + "\n\nThe Canonical String for this request should have been\n'\(canonicalRequest)'\n\n"
                + "The String-to-Sign should have been\n'\(stringToSign)'\n"
        }
    }

    /// The first sentence of the mismatch message, which is all some services (and logs) show.
    public static let mismatchSummary = "The request signature we calculated does not match the signature you provided. "
        + "Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
}
