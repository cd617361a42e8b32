import Crypto
import Foundation

/// S3's legacy presigned URL (`?AWSAccessKeyId=…&Expires=…&Signature=…`, signature version 2), which boto3 and the AWS
/// CLI still produce by default for `generate_presigned_url`/`aws s3 presign` against a custom endpoint.
public struct SigV2Presigned: Sendable, Equatable {
    public var accessKeyID: String
    public var expires: Int64
    public var signature: String

    /// The query's parameters, nil when the request is not in this form.
    public static func parse(_ r: WireRequest) -> SigV2Presigned? {
        guard r.rawQuery.contains("AWSAccessKeyId=") else { return nil }
        var key: String?, expires: Int64?, sig: String?
        for (k, v) in r.queryItems {
            switch k {
            case "AWSAccessKeyId": key = v
            case "Expires": expires = Int64(v)
            case "Signature": sig = v
            default: break
            }
        }
        guard let key, let expires, let sig else { return nil }
        return SigV2Presigned(accessKeyID: key, expires: expires, signature: sig)
    }

    /// The subresources signature version 2 signs, in its canonical resource.
    static let signedSubresources: Set<String> = [
        "acl", "delete", "lifecycle", "location", "logging", "notification", "partNumber", "policy", "requestPayment",
        "tagging", "torrent", "uploadId", "uploads", "versionId", "versioning", "versions", "website", "cors", "restore",
        "response-cache-control", "response-content-disposition", "response-content-encoding", "response-content-language",
        "response-content-type", "response-expires",
    ]

    /// True when the signature is HMAC-SHA1 of the request's string to sign under `secretAccessKey`. `rawPath` must
    /// be the path-style path (`/bucket/key`, as sent when path-style).
    public func verifies(_ r: WireRequest, secretAccessKey: String) -> Bool {
        var amz: [(String, String)] = []
        for (name, value) in r.headers where name.hasPrefix("x-amz-") { amz.append((name, value.trimmingCharacters(in: .whitespaces))) }
        amz.sort { $0.0 < $1.0 }
        var sub: [(String, String)] = []
        for (k, v) in r.queryItems where Self.signedSubresources.contains(k) { sub.append((k, v)) }
        sub.sort { $0.0 < $1.0 }
        var resource = r.rawPath
        if !sub.isEmpty { resource += "?" + sub.map { $0.1.isEmpty ? $0.0 : "\($0.0)=\($0.1)" }.joined(separator: "&") }
        let text = [r.method, r.header("content-md5") ?? "", r.header("content-type") ?? "", String(expires)].joined(separator: "\n")
            + "\n" + amz.map { "\($0.0):\($0.1)\n" }.joined() + resource
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Array(text.utf8), using: SymmetricKey(data: Array(secretAccessKey.utf8)))
        let expected = Data(mac).base64EncodedString()
        return SigV4Crypto.constantTimeEqual(expected, signature)
    }
}
