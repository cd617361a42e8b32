import AWSWire
import Foundation
import Testing
@testable import Server

/// Which request heads earn a large body under `--enforce-iam`, and why the others do not.
@Suite struct HeadAdmissionTests {
    static let now = Date(timeIntervalSince1970: 1_717_200_000)  // 2024-06-01T00:00:00Z
    static let known: Set<String> = ["AKIAKNOWN"]

    static func head(_ path: String = "/2015-03-31/functions", headers: [(String, String)] = []) -> WireRequest {
        WireRequest(method: "POST", rawPath: path,
                    headers: [(name: "host", value: "127.0.0.1:4599"), (name: "content-length", value: "62914560")]
                        + headers.map { (name: $0.0, value: $0.1) })
    }

    static func signed(_ r: WireRequest = head(), key: String = "AKIAKNOWN", service: String = "lambda",
                       region: String = "us-east-1", at: Date = now) -> WireRequest {
        SigV4Signer(accessKeyID: key, secretAccessKey: "secret", region: region, service: service).sign(r, at: at)
    }

    static func verdict(_ r: WireRequest, enforce: Bool = true, scope: APIRouter.WireProtocol? = .lambda) -> HeadAdmission.Verdict {
        HeadAdmission.verdict(r, enforceIAM: enforce, scope: scope, region: "us-east-1", isKnownKey: { known.contains($0) }, now: now)
    }

    @Test func aSignedHeadOfAKnownKeyIsTrustedWhateverItsBody() {
        // The signature covers a body the head does not carry: only the head's own checks apply.
        #expect(Self.verdict(Self.signed()) == .trusted)
    }

    @Test func anUnsignedHeadIsNotTrusted() {
        #expect(Self.verdict(Self.head()) == .untrusted(.signature(.missing)))
    }

    @Test func anUnreadableAuthorizationHeaderIsNotTrusted() {
        guard case .untrusted(.signature(.malformed)) = Self.verdict(Self.head(headers: [("authorization", "Bearer abc")])) else {
            Issue.record("a bearer token passed as SigV4"); return
        }
    }

    @Test func anUnknownAccessKeyIsNotTrusted() {
        #expect(Self.verdict(Self.signed(key: "AKIASTRANGER")) == .untrusted(.unknownAccessKey))
    }

    @Test func aSignatureForAnotherServiceOrAnUnknownRegionIsNotTrusted() {
        guard case .untrusted(.wrongScope(let why)) = Self.verdict(Self.signed(service: "s3")) else {
            Issue.record("s3 scope admitted for lambda"); return
        }
        #expect(why.contains("'lambda'"))
        // Every AWS region is served; a region that does not exist is not.
        #expect(Self.verdict(Self.signed(region: "eu-west-1")) == .trusted)
        guard case .untrusted(.wrongScope(let region)) = Self.verdict(Self.signed(region: "xx-nowhere-1")) else {
            Issue.record("an unknown region admitted"); return
        }
        #expect(region.contains("xx-nowhere-1"))
        // The internal endpoints check no scope.
        #expect(Self.verdict(Self.signed(service: "lambda-vpc"), scope: nil) == .trusted)
    }

    @Test func aStaleRequestTimeIsNotTrusted() {
        let old = Self.signed(at: Self.now.addingTimeInterval(-3600))
        guard case .untrusted(.verification(let f)) = Self.verdict(old) else { Issue.record("an hour-old signature admitted"); return }
        #expect(f.isTimeFailure)
    }

    @Test func aScopeDateThatIsNotTheRequestDateIsNotTrusted() {
        var r = Self.signed()
        // The day before, as a replayed credential scope would name it.
        r.headers = r.headers.map { $0.name == "authorization" ? ($0.name, $0.value.replacingOccurrences(of: "/20240601/", with: "/20240531/")) : $0 }
        guard case .untrusted(.verification(.scopeDateMismatch)) = Self.verdict(r) else { Issue.record("scope date not checked"); return }
    }

    @Test func withoutEnforcementOnlyAMissingOrUnreadableSignatureIsNotTrusted() {
        // The router refuses these in either mode; any readable signature passes without enforcement.
        #expect(Self.verdict(Self.head(), enforce: false) == .untrusted(.signature(.missing)))
        #expect(Self.verdict(Self.signed(key: "AKIASTRANGER"), enforce: false) == .trusted)
        #expect(Self.verdict(Self.signed(service: "s3", at: Self.now.addingTimeInterval(-3600)), enforce: false) == .trusted)
    }

    @Test func eachDistrustIsAnsweredWithTheRoutersAuthenticationError() {
        #expect(AuthErrors.error(for: .signature(.missing), protocol: .lambda).code == "MissingAuthenticationTokenException")
        #expect(AuthErrors.error(for: .signature(.missing), protocol: .ec2).code == "MissingAuthenticationToken")
        #expect(AuthErrors.error(for: .unknownAccessKey, protocol: .lambda).code == "UnrecognizedClientException")
        #expect(AuthErrors.error(for: .unknownAccessKey, protocol: .ec2).code == "AuthFailure")
        #expect(AuthErrors.error(for: .unknownAccessKey, protocol: .iam).code == "InvalidClientTokenId")
    }

    @Test func aParseErrorIsAnsweredWithABody() {
        let r = HTTPParseErrorResponder.response(.invalidHeaderToken, requestID: "rid-1")
        let text = String(decoding: r.body, as: UTF8.self)
        #expect(r.status == 400)
        #expect(text.contains("<Code>BadRequest</Code>") && text.contains("<RequestId>rid-1</RequestId>"))
        #expect(r.headers.contains { $0.0 == "x-amzn-RequestId" && $0.1 == "rid-1" })
    }
}
