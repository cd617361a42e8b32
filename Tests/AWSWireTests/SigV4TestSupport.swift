@testable import AWSWire
import Foundation

/// Shared fixtures of the AWS Signature Version 4 test suite (docs.aws.amazon.com, "signature-v4-test-suite").
enum SuiteFixture {
    static let accessKey = "AKIDEXAMPLE"
    static let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    static let amzDate = "20150830T123600Z"
    static let host = "example.amazonaws.com"
    static let scope = "20150830/us-east-1/service/aws4_request"
    static var time: Date { SigV4Timestamp(iso8601Basic: amzDate)!.date }
    static let signer = SigV4Signer(accessKeyID: accessKey, secretAccessKey: secret, region: "us-east-1", service: "service")

    /// A suite request: the `Host` and `X-Amz-Date` headers every case carries, then the case's own.
    static func request(_ method: String = "GET", path: String = "/", query: String = "",
                        headers: [(String, String)] = [], body: String = "") -> WireRequest {
        WireRequest(method: method, rawPath: path, rawQuery: query,
                    headers: [(name: "Host", value: host), (name: "X-Amz-Date", value: amzDate)]
                        + headers.map { (name: $0.0, value: $0.1) },
                    body: Array(body.utf8))
    }

    /// Canonical request, string to sign and signature computed over every header of the request.
    static func compute(_ r: WireRequest) -> SigV4Signer.Computation {
        signer.compute(r, signedHeaders: SigV4Signer.headersToSign(r), timestamp: SigV4Timestamp(iso8601Basic: amzDate)!,
                       payloadHash: SigV4Crypto.hexSHA256(r.body), presigned: false)
    }

    /// The request with the `Authorization` header the suite expects, for running through the verifier.
    static func authorized(_ r: WireRequest, signature: String) -> WireRequest {
        var signed = r
        let names = SigV4Canonical.signedHeaderList(SigV4Signer.headersToSign(r))
        signed.headers.append((name: "authorization",
                               value: "AWS4-HMAC-SHA256 Credential=\(accessKey)/\(scope), SignedHeaders=\(names), Signature=\(signature)"))
        return signed
    }
}

/// Parses and verifies a request, failing loudly when it is not even parseable.
func verifySigned(_ r: WireRequest, secret: String, now: Date) -> Result<Void, SigV4VerificationFailure> {
    switch SigV4Authorization.parse(r) {
    case .success(let auth):
        return SigV4Verifier.verify(r, authorization: auth, secretAccessKey: secret, now: now)
    case .failure(let f):
        return .failure(.signatureMismatch(canonicalRequest: "unparseable: \(f)", stringToSign: ""))
    }
}

extension Result where Success == Void {
    var failure: Failure? {
        if case .failure(let f) = self { return f }
        return nil
    }
    var succeeded: Bool { failure == nil }
}

/// A fixed instant from ISO 8601 basic text, for readable tests.
func at(_ iso: String) -> Date { SigV4Timestamp(iso8601Basic: iso)!.date }
