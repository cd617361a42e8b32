@testable import AWSWire
import Testing

/// Requests signed by botocore 1.43 (`botocore.auth.SigV4Auth` / `SigV4QueryAuth` with the clock fixed at
/// 2024-01-01T00:00:00Z), headers as botocore sent them, verified here as the server will.
@Suite struct SigV4BotocoreVectorTests {
    static let secret = "lambda/vpc+SecretKeyForTests0123456789"
    static let tempSecret = "temporary/Secret+Key0987654321abcdefghij"
    static let token = "FwoGZXIvYXdzEJr//////////wEaDExampleSessionToken+/="
    static let now = at("20240101T000000Z")

    @Test func ec2PostFormBody() {
        let r = WireRequest(method: "POST", rawPath: "/", headers: [
            (name: "Host", value: "127.0.0.1:4599"),
            (name: "Content-Type", value: "application/x-www-form-urlencoded; charset=utf-8"),
            (name: "User-Agent", value: "aws-cli/2 botocore"),
            (name: "X-Amz-Date", value: "20240101T000000Z"),
            (name: "Authorization", value: "AWS4-HMAC-SHA256 Credential=AKIDLAMBDAVPCTEST/20240101/us-east-1/ec2/aws4_request, "
                + "SignedHeaders=content-type;host;x-amz-date, Signature=038ae851111d5a4d52ebf6d1a8888ebf499180ff4e6788777c70fa92f9d47314"),
            (name: "Content-Length", value: "110"),
        ], body: Array("Action=DescribeVpcs&Version=2016-11-15&VpcId.1=vpc-0a1b2c3d&Filter.1.Name=tag%3AName&Filter.1.Value.1=my%20vpc".utf8))
        #expect(verifySigned(r, secret: Self.secret, now: Self.now).succeeded)
        #expect(verifySigned(r, secret: Self.tempSecret, now: Self.now).failure.map(isMismatch) == true)
    }

    @Test func lambdaGetWithEncodedArnPathAndSessionToken() {
        let r = WireRequest(method: "GET",
                            rawPath: "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Amy-fn/configuration",
                            rawQuery: "Qualifier=%24LATEST", headers: [
            (name: "Host", value: "localhost:4599"),
            (name: "User-Agent", value: "Boto3"),
            (name: "X-Amz-Date", value: "20240101T000000Z"),
            (name: "X-Amz-Security-Token", value: Self.token),
            (name: "Authorization", value: "AWS4-HMAC-SHA256 Credential=ASIALAMBDAVPCTEMP/20240101/eu-west-1/lambda/aws4_request, "
                + "SignedHeaders=host;x-amz-date;x-amz-security-token, "
                + "Signature=c912b296c332498b4b5a3801e3ec50eab75c4a6bb03f445e71ad91b10fc90f21"),
        ])
        let auth = try? SigV4Authorization.parse(r).get()
        #expect(auth?.securityToken == Self.token)
        #expect(auth?.region == "eu-west-1")
        #expect(verifySigned(r, secret: Self.tempSecret, now: Self.now).succeeded)
        // The path is signed in its doubly-encoded form: decoding it first would break the signature.
        var decodedPath = r
        decodedPath.rawPath = "/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:my-fn/configuration"
        #expect(verifySigned(decodedPath, secret: Self.tempSecret, now: Self.now).failure.map(isMismatch) == true)
    }

    @Test func lambdaPostJSONWithUTF8BodyAndExtraSignedHeader() {
        let r = WireRequest(method: "POST", rawPath: "/2015-03-31/functions/my-fn/invocations", headers: [
            (name: "Host", value: "localhost:4599"),
            (name: "Content-Type", value: "application/json"),
            (name: "X-Amz-Invocation-Type", value: "RequestResponse"),
            (name: "X-Amz-Date", value: "20240101T000000Z"),
            (name: "Authorization", value: "AWS4-HMAC-SHA256 Credential=AKIDLAMBDAVPCTEST/20240101/us-east-1/lambda/aws4_request, "
                + "SignedHeaders=content-type;host;x-amz-date;x-amz-invocation-type, "
                + "Signature=6782e72466cebdc27852c8ea900b1d5335e78e47dc491a467e33b09c4d7769c5"),
            (name: "Content-Length", value: "37"),
        ], body: Array(#"{"greeting": "héllo wörld", "n": 1}"#.utf8))
        #expect(verifySigned(r, secret: Self.secret, now: Self.now).succeeded)
        var otherType = r
        otherType.headers = r.headers.map { $0.name == "x-amz-invocation-type" ? (name: $0.name, value: "Event") : $0 }
        #expect(verifySigned(otherType, secret: Self.secret, now: Self.now).failure.map(isMismatch) == true)
    }

    /// botocore signs with `Date` (written by `email.utils.formatdate`, zone `-0000`) when the request has one.
    @Test func iamSignedWithDateHeader() {
        let r = WireRequest(method: "POST", rawPath: "/", headers: [
            (name: "Host", value: "127.0.0.1:4599"),
            (name: "Content-Type", value: "application/x-www-form-urlencoded; charset=utf-8"),
            (name: "Date", value: "Mon, 01 Jan 2024 00:00:00 -0000"),
            (name: "Authorization", value: "AWS4-HMAC-SHA256 Credential=AKIDLAMBDAVPCTEST/20240101/us-east-1/iam/aws4_request, "
                + "SignedHeaders=content-type;date;host, Signature=2f70c13222a1d2b46ef8aea58e414ca0c18124ad542f4ee7527496a014f19ca8"),
            (name: "Content-Length", value: "35"),
        ], body: Array("Action=ListUsers&Version=2010-05-08".utf8))
        #expect(verifySigned(r, secret: Self.secret, now: Self.now).succeeded)
        #expect(verifySigned(r, secret: Self.secret, now: at("20240101T001501Z")).failure == .signatureExpired(
            timestamp: "20240101T000000Z", earliest: "20240101T000001Z", now: "20240101T001501Z", skewMinutes: 15))
    }

    @Test func stsPresignedGetCallerIdentity() {
        let query = "Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256"
            + "&X-Amz-Credential=ASIALAMBDAVPCTEMP%2F20240101%2Fus-east-1%2Fsts%2Faws4_request&X-Amz-Date=20240101T000000Z"
            + "&X-Amz-Expires=900&X-Amz-SignedHeaders=host"
            + "&X-Amz-Security-Token=FwoGZXIvYXdzEJr%2F%2F%2F%2F%2F%2F%2F%2F%2F%2FwEaDExampleSessionToken%2B%2F%3D"
            + "&X-Amz-Signature=3c6cbcb51259cf87317b82c2dc725080d6587c24525d987c3cd7ebaeaafc775d"
        let r = WireRequest(method: "GET", rawPath: "/", rawQuery: query, headers: [(name: "Host", value: "127.0.0.1:4599")])
        let auth = try? SigV4Authorization.parse(r).get()
        #expect(auth?.presigned == true)
        #expect(auth?.securityToken == Self.token)
        #expect(verifySigned(r, secret: Self.tempSecret, now: Self.now).succeeded)
        #expect(verifySigned(r, secret: Self.tempSecret, now: at("20240101T001500Z")).succeeded)
        #expect(verifySigned(r, secret: Self.tempSecret, now: at("20240101T001501Z")).failure
                == .presignedExpired(expiredAt: "20240101T001500Z", now: "20240101T001501Z"))
    }

    /// `AWSRequest(params=...)` sends a space as `+` but signs it as `%20`.
    @Test func ec2GetWithPlusForSpaceAndSpecialCharacters() {
        let r = WireRequest(method: "GET", rawPath: "/",
                            rawQuery: "Action=DescribeSubnets&Version=2016-11-15&Filter.1.Name=tag%3AName&Filter.1.Value.1=a+b%2Bc%2Fd%2A%C3%A9~",
                            headers: [
            (name: "Host", value: "127.0.0.1:4599"),
            (name: "X-Amz-Date", value: "20240101T000000Z"),
            (name: "Authorization", value: "AWS4-HMAC-SHA256 Credential=AKIDLAMBDAVPCTEST/20240101/us-east-1/ec2/aws4_request, "
                + "SignedHeaders=host;x-amz-date, Signature=abc820892e54fbedc28828023a0fb93bbfb603442d209564096e08c610733756"),
        ])
        #expect(verifySigned(r, secret: Self.secret, now: Self.now).succeeded)
        #expect(QueryParameters(request: r).filters().first?.values == ["a b+c/d*é~"])
    }

    func isMismatch(_ f: SigV4VerificationFailure) -> Bool {
        if case .signatureMismatch = f { return true }
        return false
    }
}
