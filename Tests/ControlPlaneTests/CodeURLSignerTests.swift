import AWSWire
import ControlPlane
import Foundation
import Testing

/// GetFunction's code links: S3 presigned URLs in Lambda's bucket, valid for ten minutes, for one digest, only as
/// signed by this server.
struct CodeURLSignerTests {
    let signer = CodeURLSigner(accessKeyId: "ASIALAMBDACODELINKS0", secretAccessKey: "s3cr3t")
    let sha = String(repeating: "ab", count: 32)
    let issued = Date(timeIntervalSince1970: 1_700_000_000)

    func request(_ url: String, host: String = "127.0.0.1:4599") -> WireRequest {
        let u = URLComponents(string: url)!
        return WireRequest(method: "GET", rawPath: u.percentEncodedPath, rawQuery: u.percentEncodedQuery ?? "",
                           headers: [("Host", host)], body: [])
    }

    @Test func aLinkIsAPresignedS3URLInLambdasBucket() {
        let url = signer.url(host: "127.0.0.1:4599", region: "eu-west-1", accountId: "123456789012", kind: .function,
                             name: "my-fn", sha256Hex: sha, now: issued)
        #expect(url.hasPrefix("http://127.0.0.1:4599/awslambda-eu-west-1-tasks/snapshots/123456789012/my-fn-\(sha)?"
                              + "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIALAMBDACODELINKS0%2F20231114%2Feu-west-1%2Fs3%2Faws4_request"
                              + "&X-Amz-Date=20231114T221320Z&X-Amz-Expires=600&X-Amz-SignedHeaders=host&X-Amz-Signature="))
        #expect(CodeURLSigner.digest(inPath: request(url).rawPath) == sha)
        let layer = signer.url(host: "h", region: "us-east-1", accountId: "1", kind: .layer, name: "deps", sha256Hex: sha, now: issued)
        #expect(layer.hasPrefix("http://h/awslambda-us-east-1-layers/snapshots/1/deps-\(sha)?"))
        #expect(S3Addressing.isS3(request(url)), "S3 serves it")
    }

    @Test func aLinkIsValidForTenMinutesOnly() {
        let url = signer.url(host: "127.0.0.1:4599", region: "us-east-1", accountId: "1", kind: .function, name: "f",
                             sha256Hex: sha, now: issued)
        #expect(signer.refusal(request(url), now: issued) == nil)
        #expect(signer.refusal(request(url), now: issued.addingTimeInterval(600)) == nil)
        let late = signer.refusal(request(url), now: issued.addingTimeInterval(601))
        #expect(late?.code == "AccessDenied" && late?.message == "Request has expired")
    }

    @Test func aLinkOpensOnlyAsSignedByThisServer() {
        let url = signer.url(host: "127.0.0.1:4599", region: "us-east-1", accountId: "1", kind: .function, name: "f",
                             sha256Hex: sha, now: issued)
        let other = String(repeating: "cd", count: 32)
        #expect(signer.refusal(request(url.replacingOccurrences(of: sha, with: other)), now: issued)?.code == "SignatureDoesNotMatch")
        #expect(signer.refusal(request(url.replacingOccurrences(of: "X-Amz-Expires=600", with: "X-Amz-Expires=6000")), now: issued)?.code
                == "SignatureDoesNotMatch")
        #expect(signer.refusal(request(url, host: "elsewhere:1"), now: issued)?.code == "SignatureDoesNotMatch")
        #expect(signer.refusal(request(String(url.prefix { $0 != "?" })), now: issued)?.code == "AccessDenied")
        #expect(CodeURLSigner().refusal(request(url), now: issued)?.code == "InvalidAccessKeyId", "another server's links")
    }

    @Test func onlyLambdasBucketPathsAreLinks() {
        #expect(CodeURLSigner.digest(inPath: "/awslambda-us-east-1-tasks/snapshots/1/f-\(sha)") == sha)
        #expect(CodeURLSigner.digest(inPath: "/awslambda-us-east-1-tasks/snapshots/1/\(sha)") == nil)
        #expect(CodeURLSigner.digest(inPath: "/my-bucket/snapshots/1/f-\(sha)") == nil)
        #expect(CodeURLSigner.digest(inPath: "/awslambda-us-east-1-tasks/other/1/f-\(sha)") == nil)
        #expect(CodeURLSigner.digest(inPath: "/awslambda-us-east-1-tasks/snapshots/1/f-\(sha.uppercased())") == nil)
    }
}
