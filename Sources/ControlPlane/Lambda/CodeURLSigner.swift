import Crypto
import Foundation

/// GetFunction's `Code.Location`: a download URL that carries its own expiry and an HMAC over the code digest and
/// that expiry, as AWS hands out a presigned S3 URL valid for 10 minutes. The key lives only in this process, so
/// links die with the server too; nothing else about the code store is reachable without one.
public struct CodeURLSigner: Sendable {
    /// How long a link stays valid (AWS: 10 minutes).
    public static let lifetimeSeconds = 600
    public static let pathPrefix = "/_lambda-vpc/code/"
    /// The HMAC key's bytes (SymmetricKey itself is not Sendable).
    private let key: [UInt8]

    public init(key: [UInt8] = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }) { self.key = key }

    /// The URL for `sha256Hex` on `host`, valid until `now` + lifetime.
    public func url(host: String, sha256Hex: String, now: Date) -> String {
        let expires = Int(now.timeIntervalSince1970) + Self.lifetimeSeconds
        return "http://\(host)\(Self.pathPrefix)\(sha256Hex).zip?Expires=\(expires)&Signature=\(signature(sha256Hex, expires))"
    }

    /// Why a download is refused (nil: admitted): AWS's S3 answers for a presigned URL.
    public func refusal(sha256Hex: String, query: [(String, String)], now: Date) -> String? {
        guard let expiresText = query.first(where: { $0.0 == "Expires" })?.1, let expires = Int(expiresText),
              let given = query.first(where: { $0.0 == "Signature" })?.1 else {
            return "Query-string authentication requires the Signature and Expires parameters"
        }
        guard constantTimeEqual(given, signature(sha256Hex, expires)) else {
            return "The request signature we calculated does not match the signature you provided."
        }
        return Int(now.timeIntervalSince1970) > expires ? "Request has expired" : nil
    }

    private func signature(_ sha: String, _ expires: Int) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array("\(sha)\n\(expires)".utf8), using: SymmetricKey(data: key))
        return mac.map { String(format: "%02x", $0) }.joined()
    }

    private func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
