@testable import AWSWire
import Foundation
import Testing

/// Round trips through the signer and verifier, and each way a signature is refused with AWS's message.
@Suite struct SigV4VerifierTests {
    static let secret = "s3cr3t/Key+ForRoundTrips0000000000000000"
    static let signer = SigV4Signer(accessKeyID: "AKIAROUNDTRIP", secretAccessKey: secret, region: "us-east-1", service: "ec2")
    static let signedAt = at("20240101T000000Z")

    static func ec2Request(body: String = "Action=DescribeVpcs&Version=2016-11-15&VpcId.1=vpc-1") -> WireRequest {
        WireRequest(method: "POST", rawPath: "/", headers: [
            (name: "Host", value: "127.0.0.1:4599"),
            (name: "Content-Type", value: "application/x-www-form-urlencoded; charset=utf-8"),
            (name: "User-Agent", value: "aws-cli/2.15"),
        ], body: Array(body.utf8))
    }

    static func signed(_ r: WireRequest = ec2Request()) -> WireRequest { signer.sign(r, at: signedAt) }

    static func verify(_ r: WireRequest, now: Date = signedAt, secret: String = secret) -> SigV4VerificationFailure? {
        verifySigned(r, secret: secret, now: now).failure
    }

    static func isMismatch(_ f: SigV4VerificationFailure?) -> Bool {
        if case .signatureMismatch = f { return true }
        return false
    }

    @Test func signedRequestVerifies() {
        let r = Self.signed()
        #expect(r.header("x-amz-date") == "20240101T000000Z")
        #expect(r.header("authorization")?.hasPrefix(
            "AWS4-HMAC-SHA256 Credential=AKIAROUNDTRIP/20240101/us-east-1/ec2/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=") == true)
        #expect(Self.verify(r) == nil)
    }

    @Test func sessionTokenIsSignedAndParsed() {
        var signer = Self.signer
        signer.sessionToken = "token/with+specials="
        let r = signer.sign(Self.ec2Request(), at: Self.signedAt)
        #expect(r.header("authorization")?.contains("SignedHeaders=content-type;host;x-amz-date;x-amz-security-token,") == true)
        #expect((try? SigV4Authorization.parse(r).get())?.securityToken == "token/with+specials=")
        #expect(Self.verify(r) == nil)
        var otherToken = r
        otherToken.headers = r.headers.map { $0.name == "x-amz-security-token" ? (name: $0.name, value: "other") : $0 }
        #expect(Self.isMismatch(Self.verify(otherToken)))
    }

    @Test func changedBodyFails() {
        var r = Self.signed()
        r.body = Array("Action=DescribeVpcs&Version=2016-11-15&VpcId.1=vpc-2".utf8)
        #expect(Self.isMismatch(Self.verify(r)))
    }

    @Test func changedSignedHeaderFails() {
        var r = Self.signed()
        r.headers = r.headers.map { $0.name == "content-type" ? (name: $0.name, value: "application/json") : $0 }
        #expect(Self.isMismatch(Self.verify(r)))
    }

    @Test func changedUnsignedHeaderStillVerifies() {
        var r = Self.signed()
        r.headers = r.headers.map { $0.name == "user-agent" ? (name: $0.name, value: "something-else") : $0 }
        r.headers.append((name: "x-forwarded-for", value: "10.0.0.1"))
        #expect(Self.verify(r) == nil)
    }

    @Test func addedQueryParameterFails() {
        var r = Self.signed()
        r.rawQuery = "DryRun=true"
        #expect(Self.isMismatch(Self.verify(r)))
    }

    @Test func changedMethodOrPathFails() {
        var put = Self.signed()
        put.method = "PUT"
        #expect(Self.isMismatch(Self.verify(put)))
        var path = Self.signed()
        path.rawPath = "/other"
        #expect(Self.isMismatch(Self.verify(path)))
    }

    @Test func wrongSecretFailsWithAWSMessage() {
        let failure = Self.verify(Self.signed(), secret: "not-the-secret")
        guard case .signatureMismatch(let canonical, let toSign) = failure else {
            Issue.record("expected a mismatch, got \(String(describing: failure))")
            return
        }
        #expect(canonical.hasPrefix("POST\n/\n\ncontent-type:application/x-www-form-urlencoded; charset=utf-8\nhost:127.0.0.1:4599\n"))
        #expect(toSign.hasPrefix("AWS4-HMAC-SHA256\n20240101T000000Z\n20240101/us-east-1/ec2/aws4_request\n"))
        #expect(failure?.message == """
            The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key \
            and signing method. Consult the service documentation for details.

            The Canonical String for this request should have been
            '\(canonical)'

            The String-to-Sign should have been
            '\(toSign)'

            """)
        #expect(failure?.isIncompleteSignature == false)
    }

    @Test func requestTimeFifteenMinutesOffIsAcceptedOneSecondMoreIsNot() {
        let r = Self.signed()
        #expect(Self.verify(r, now: at("20240101T001500Z")) == nil)
        #expect(Self.verify(r, now: at("20231231T234500Z")) == nil)
        #expect(Self.verify(r, now: at("20240101T001501Z")) == .signatureExpired(
            timestamp: "20240101T000000Z", earliest: "20240101T000001Z", now: "20240101T001501Z", skewMinutes: 15))
        #expect(Self.verify(r, now: at("20231231T234459Z")) == .signatureNotYetCurrent(
            timestamp: "20240101T000000Z", latest: "20231231T235959Z", now: "20231231T234459Z", skewMinutes: 15))
    }

    @Test func skewMessagesAreAWSs() {
        let r = Self.signed()
        #expect(Self.verify(r, now: at("20240101T003000Z"))?.message
                == "Signature expired: 20240101T000000Z is now earlier than 20240101T001500Z (20240101T003000Z - 15 min.)")
        #expect(Self.verify(r, now: at("20231231T233000Z"))?.message
                == "Signature not yet current: 20240101T000000Z is still later than 20231231T234500Z (20231231T233000Z + 15 min.)")
        #expect(Self.verify(r, now: at("20240101T003000Z"))?.isTimeFailure == true)
    }

    @Test func presignedRoundTripAndExpiry() {
        let r = Self.signer.presign(WireRequest(method: "GET", rawPath: "/", rawQuery: "Action=DescribeVpcs&Version=2016-11-15",
                                                headers: [(name: "Host", value: "127.0.0.1:4599")]),
                                    at: Self.signedAt, expires: 60)
        #expect(r.rawQuery.hasPrefix("Action=DescribeVpcs&Version=2016-11-15&X-Amz-Algorithm=AWS4-HMAC-SHA256"
            + "&X-Amz-Credential=AKIAROUNDTRIP%2F20240101%2Fus-east-1%2Fec2%2Faws4_request&X-Amz-Date=20240101T000000Z"
            + "&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature="))
        #expect(r.header("authorization") == nil)
        #expect(Self.verify(r) == nil)
        #expect(Self.verify(r, now: at("20240101T000100Z")) == nil)
        #expect(Self.verify(r, now: at("20240101T000101Z")) == .presignedExpired(expiredAt: "20240101T000100Z", now: "20240101T000101Z"))
        #expect(Self.verify(r, now: at("20240101T000101Z"))?.message == "Request has expired")
        #expect(Self.verify(r, now: at("20231231T234459Z"))?.isTimeFailure == true)

        var tampered = r
        tampered.rawQuery = r.rawQuery.replacingOccurrences(of: "DescribeVpcs", with: "DeleteVpc")
        #expect(Self.isMismatch(Self.verify(tampered)))
        var longer = r
        longer.rawQuery = r.rawQuery.replacingOccurrences(of: "X-Amz-Expires=60", with: "X-Amz-Expires=3600")
        #expect(Self.isMismatch(Self.verify(longer, now: at("20240101T000500Z"))))
    }

    @Test func presignedWithUnsignedPayloadIsAcceptedForS3Only() {
        let get = WireRequest(method: "GET", rawPath: "/bucket/key", headers: [(name: "Host", value: "h")])
        let s3 = SigV4Signer(accessKeyID: "AKIAROUNDTRIP", secretAccessKey: Self.secret, region: "us-east-1", service: "s3")
        let forS3 = s3.presign(get, at: Self.signedAt, unsignedPayload: true)
        #expect(Self.verify(forS3) == nil)
        let forEC2 = Self.signer.presign(WireRequest(method: "GET", rawPath: "/", rawQuery: "Action=DescribeVpcs",
                                                     headers: [(name: "Host", value: "h")]),
                                         at: Self.signedAt, unsignedPayload: true)
        #expect(Self.isMismatch(Self.verify(forEC2)))
    }

    @Test(arguments: [
        ("604801", "X-Amz-Expires must be less than a week (in seconds) that is 604800"),
        ("-1", "X-Amz-Expires must be non-negative"),
        ("soon", "X-Amz-Expires should be a number"),
    ])
    func invalidExpires(_ value: String, _ message: String) {
        let r = Self.signer.presign(WireRequest(method: "GET", rawPath: "/", headers: [(name: "Host", value: "h")]),
                                    at: Self.signedAt, expires: 60)
        var bad = r
        bad.rawQuery = r.rawQuery.replacingOccurrences(of: "X-Amz-Expires=60", with: "X-Amz-Expires=\(value)")
        let failure = Self.verify(bad)
        #expect(failure == .invalidExpires(value))
        #expect(failure?.message == message)
        #expect(failure?.isIncompleteSignature == true)
    }

    @Test func scopeDateMustBeTheRequestDate() {
        var r = Self.signed()
        r.headers = r.headers.map {
            $0.name == "authorization" ? (name: $0.name, value: $0.value.replacingOccurrences(of: "/20240101/", with: "/20231231/")) : $0
        }
        let failure = Self.verify(r)
        #expect(failure == .scopeDateMismatch(scopeDate: "20231231", requestDate: "20240101", timestamp: "20240101T000000Z"))
        #expect(failure?.message == "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
            + "'20231231' != '20240101', from '20240101T000000Z'.")
    }

    @Test func missingDateIsAnIncompleteSignature() {
        var r = Self.signed()
        r.headers.removeAll { $0.name == "x-amz-date" }
        let failure = Self.verify(r)
        let header = r.header("authorization")!
        #expect(failure == .missingDate(authorizationHeader: header))
        #expect(failure?.message == "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=\(header)")
        #expect(failure?.isIncompleteSignature == true)
    }

    @Test func presignedWithoutDateIsRefused() {
        let r = Self.signer.presign(WireRequest(method: "GET", rawPath: "/", headers: [(name: "Host", value: "h")]), at: Self.signedAt)
        var bad = r
        bad.rawQuery = r.rawQuery.replacingOccurrences(of: "X-Amz-Date=20240101T000000Z&", with: "")
        #expect(Self.verify(bad) == .missingPresignedDate)
    }

    @Test func malformedDate() {
        var r = Self.signed()
        r.headers = r.headers.map { $0.name == "x-amz-date" ? (name: $0.name, value: "2024-01-01T00:00:00Z") : $0 }
        let failure = Self.verify(r)
        #expect(failure == .malformedDate("2024-01-01T00:00:00Z"))
        #expect(failure?.message
                == "Date must be in ISO-8601 'basic format'. Got '2024-01-01T00:00:00Z'. See http://en.wikipedia.org/wiki/ISO_8601")
    }

    @Test func hostMustBeSigned() {
        let r = Self.signer.sign(WireRequest(method: "POST", rawPath: "/", headers: [(name: "Content-Type", value: "text/plain")]),
                                 at: Self.signedAt)
        let failure = Self.verify(r)
        #expect(failure == .hostNotSigned)
        #expect(failure?.message == "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
    }

    @Test func statedPayloadHashMustBeTheBodys() {
        var withHash = Self.ec2Request()
        withHash.headers.append((name: "x-amz-content-sha256", value: SigV4Crypto.hexSHA256(withHash.body)))
        let r = Self.signer.sign(withHash, at: Self.signedAt)
        #expect(Self.verify(r) == nil)
        var swapped = r
        swapped.body = Array("Action=DeleteVpc&VpcId=vpc-1".utf8)
        #expect(Self.verify(swapped) == .payloadHashMismatch(claimed: SigV4Crypto.hexSHA256(r.body),
                                                             computed: SigV4Crypto.hexSHA256(swapped.body)))
    }

    /// S3 honours a signed `UNSIGNED-PAYLOAD`; EC2 hashes the body itself, so the same signature does not match there
    /// and a captured DescribeVpcs signature cannot carry a CreateVpc body.
    @Test func unsignedPayloadHeaderIsHonouredByS3Only() {
        var unsigned = Self.ec2Request()
        unsigned.headers.append((name: "x-amz-content-sha256", value: "UNSIGNED-PAYLOAD"))
        let r = Self.signer.sign(unsigned, at: Self.signedAt)
        #expect(r.header("authorization")?.contains("x-amz-content-sha256") == true)
        #expect(Self.isMismatch(Self.verify(r)))
        var swapped = r
        swapped.body = Array("Action=CreateVpc&Version=2016-11-15&CidrBlock=10.9.0.0/16".utf8)
        #expect(Self.isMismatch(Self.verify(swapped)))

        let s3 = SigV4Signer(accessKeyID: "AKIAROUNDTRIP", secretAccessKey: Self.secret, region: "us-east-1", service: "s3")
        var put = WireRequest(method: "PUT", rawPath: "/bucket/key", headers: [(name: "Host", value: "h")], body: Array("data".utf8))
        put.headers.append((name: "x-amz-content-sha256", value: "UNSIGNED-PAYLOAD"))
        #expect(Self.verify(s3.sign(put, at: Self.signedAt)) == nil)
    }

    @Test func signingTwiceReplacesTheOldSignature() {
        let first = Self.signed()
        let again = Self.signer.sign(first, at: at("20240101T000500Z"))
        #expect(again.headers.filter { $0.name == "authorization" }.count == 1)
        #expect(again.headers.filter { $0.name == "x-amz-date" }.map(\.value) == ["20240101T000500Z"])
        #expect(Self.verify(again, now: at("20240101T000500Z")) == nil)
    }

    @Test func fractionalSecondsOfTheSigningTimeAreDropped() {
        let r = Self.signer.sign(Self.ec2Request(), at: Date(timeIntervalSince1970: Self.signedAt.timeIntervalSince1970 + 0.999))
        #expect(r.header("x-amz-date") == "20240101T000000Z")
        #expect(Self.verify(r) == nil)
    }

    /// A request dated only by an HTTP `Date` header signs the ISO 8601 form of that time.
    @Test func httpDateHeaderIsSignedInISOForm() {
        var r = Self.ec2Request()
        r.headers.append((name: "date", value: "Mon, 01 Jan 2024 00:00:00 GMT"))
        let signed = ["content-type", "date", "host"]
        let c = Self.signer.compute(r, signedHeaders: signed, timestamp: SigV4Timestamp(Self.signedAt),
                                    payloadHash: SigV4Crypto.hexSHA256(r.body), presigned: false)
        #expect(c.stringToSign.hasPrefix("AWS4-HMAC-SHA256\n20240101T000000Z\n20240101/us-east-1/ec2/aws4_request\n"))
        r.headers.append((name: "authorization", value: "AWS4-HMAC-SHA256 Credential=AKIAROUNDTRIP/20240101/us-east-1/ec2/aws4_request, "
            + "SignedHeaders=content-type;date;host, Signature=\(c.signature)"))
        #expect(Self.verify(r) == nil)
    }

    /// Header names are found whatever case the caller or the client wrote them in.
    @Test func headerLookupIgnoresCase() {
        let r = WireRequest(method: "GET", rawPath: "/", headers: [(name: "X-Amz-Date", value: "d"), (name: "Host", value: "h")])
        #expect(r.header("x-amz-date") == "d")
        #expect(r.header("X-AMZ-DATE") == "d")
        #expect(r.header("Host") == "h")
        #expect(r.header("x-amz-content-sha256") == nil)
    }

    /// A caller's signing-key slot never answers for another secret, day, region or service.
    @Test func signingKeySlotFollowsTheSecretAndScope() throws {
        let slot = SigningKeySlot()
        let r = Self.signed()
        let auth = try SigV4Authorization.parse(r).get()
        func check(_ secret: String, _ request: WireRequest = r, _ a: SigV4Authorization? = nil, now: Date = Self.signedAt) -> Bool {
            if case .success = SigV4Verifier.verify(request, authorization: a ?? auth, secretAccessKey: secret, now: now, slot: slot) {
                return true
            }
            return false
        }
        #expect(check(Self.secret))
        #expect(!check("another/secret0000000000000000000000000000"))
        #expect(check(Self.secret))
        let nextDay = Self.signer.sign(Self.ec2Request(), at: at("20240102T000000Z"))
        #expect(check(Self.secret, nextDay, try SigV4Authorization.parse(nextDay).get(), now: at("20240102T000000Z")))
        var west = Self.signer
        west.region = "us-west-2"
        let other = west.sign(Self.ec2Request(), at: Self.signedAt)
        #expect(check(Self.secret, other, try SigV4Authorization.parse(other).get()))
        #expect(check(Self.secret))
    }
}
