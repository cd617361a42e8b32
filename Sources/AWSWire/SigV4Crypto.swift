import Crypto
import Foundation

/// The cryptographic steps of SigV4: string to sign, signing key derivation and the signature itself.
public enum SigV4Crypto {
    public static let algorithm = "AWS4-HMAC-SHA256"
    /// The payload hash a client uses when it chooses not to sign the body.
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"
    /// SHA-256 of the empty string, the payload hash of every bodiless request.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// `yyyyMMdd/region/service/aws4_request`.
    public static func credentialScope(dateStamp: String, region: String, service: String) -> String {
        dateStamp + "/" + region + "/" + service + "/aws4_request"
    }

    /// The algorithm, the request time, the scope and the hex SHA-256 of the canonical request, one per line.
    public static func stringToSign(canonicalRequest: String, timestamp: String, scope: String) -> String {
        algorithm + "\n" + timestamp + "\n" + scope + "\n" + hexSHA256(Array(canonicalRequest.utf8))
    }

    /// The HMAC chain kDate → kRegion → kService → kSigning, starting from `"AWS4" + secret`.
    public static func signingKey(secretAccessKey: String, dateStamp: String, region: String, service: String) -> SymmetricKey {
        var key = SymmetricKey(data: Array(("AWS4" + secretAccessKey).utf8))
        for part in [dateStamp, region, service, "aws4_request"] {
            key = SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        return key
    }

    /// Lower-case hex HMAC-SHA256 of the string to sign.
    public static func signature(stringToSign: String, signingKey: SymmetricKey) -> String {
        hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: signingKey))
    }

    /// Lower-case hex SHA-256.
    public static func hexSHA256(_ bytes: [UInt8]) -> String { hex(SHA256.hash(data: bytes)) }

    static let lowerHexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    static func hex<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for b in bytes {
            out.append(lowerHexDigits[Int(b >> 4)])
            out.append(lowerHexDigits[Int(b & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The string to sign's bytes, appended to `out`: what `stringToSign` returns, with the credential scope
    /// written from its parts.
    static func appendStringToSign(canonicalRequest: borrowing ByteWriter, timestamp: String, dateStamp: String, region: String,
                                   service: String, to out: inout ByteWriter) {
        let newline = UInt8(ascii: "\n"), slash = UInt8(ascii: "/")
        out.append(algorithm)
        out.append(newline)
        out.append(timestamp)
        out.append(newline)
        out.append(dateStamp)
        out.append(slash)
        out.append(region)
        out.append(slash)
        out.append(service)
        out.append("/aws4_request\n")
        var hasher = SHA256()
        canonicalRequest.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        hasher.finalize().withUnsafeBytes { digest in
            out.reserve(digest.count * 2)
            for b in digest {
                out.put(hexDigit(b >> 4))
                out.put(hexDigit(b & 0xF))
            }
        }
    }

    /// The lower-case hex digit of a nibble, without a branch on its value (the MAC's digits are secret until compared).
    @inline(__always) static func hexDigit(_ nibble: UInt8) -> UInt8 {
        UInt8(ascii: "0") &+ nibble &+ ((9 &- nibble) >> 7) &* 39
    }

    /// True when `signature` is the lower-case hex of `mac`, compared in time independent of where they differ.
    static func isHex(of mac: UnsafeRawBufferPointer, _ signature: String) -> Bool {
        var given = signature
        return given.withUTF8 { g in
            guard g.count == mac.count * 2 else { return false }
            var diff: UInt8 = 0
            for i in 0..<mac.count {
                let b = mac[i]
                diff |= g[2 * i] ^ hexDigit(b >> 4)
                diff |= g[2 * i + 1] ^ hexDigit(b & 0xF)
            }
            return diff == 0
        }
    }

    /// Compares two signatures in time independent of where they differ, so timing reveals nothing.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<x.count { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}
