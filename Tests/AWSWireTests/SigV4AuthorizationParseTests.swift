@testable import AWSWire
import Testing

@Suite struct SigV4AuthorizationParseTests {
    static func header(_ value: String) -> WireRequest {
        WireRequest(method: "POST", rawPath: "/", headers: [(name: "Authorization", value: value)])
    }

    @Test func readsTheHeaderForm() throws {
        let a = try SigV4Authorization.parse(Self.header(
            "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-west-2/lambda/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc")).get()
        #expect(a == SigV4Authorization(accessKeyID: "AKID", scopeDate: "20240101", region: "us-west-2", service: "lambda",
                                        signedHeaders: ["host", "x-amz-date"], signature: "abc", presigned: false))
    }

    @Test func acceptsCommasWithoutSpaces() throws {
        let a = try SigV4Authorization.parse(Self.header(
            "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/iam/aws4_request,SignedHeaders=host,Signature=f00")).get()
        #expect(a.service == "iam")
        #expect(a.signature == "f00")
    }

    @Test func missingParameterNamesItAndEchoesTheHeader() {
        let value = "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/iam/aws4_request, SignedHeaders=host"
        #expect(SigV4Authorization.parse(Self.header(value)).failureValue
                == .malformed("Authorization header requires 'Signature' parameter. Authorization=\(value)"))
    }

    @Test func badCredentialScope() {
        let r = Self.header("AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/aws4_request, SignedHeaders=host, Signature=x")
        #expect(SigV4Authorization.parse(r).failureValue
                == .malformed("Credential should be scoped to a valid region and service: 'AKID/20240101/us-east-1/aws4_request'."))
    }

    @Test func otherAlgorithmsAreRefused() {
        #expect(SigV4Authorization.parse(Self.header("AWS AKID:signature")).failureValue
                == .malformed("Authorization header requires 'AWS4-HMAC-SHA256' as the algorithm"))
    }

    @Test func nothingIsMissing() {
        #expect(SigV4Authorization.parse(WireRequest(method: "GET", rawPath: "/", rawQuery: "Action=DescribeVpcs")).failureValue == .missing)
        #expect(SigV4Authorization.parse(WireRequest(method: "GET", rawPath: "/")).failureValue == .missing)
    }

    @Test func readsThePresignedForm() throws {
        let r = WireRequest(method: "GET", rawPath: "/", rawQuery: "Action=GetCallerIdentity&X-Amz-Algorithm=AWS4-HMAC-SHA256"
            + "&X-Amz-Credential=AKID%2F20240101%2Fus-east-1%2Fsts%2Faws4_request&X-Amz-Date=20240101T000000Z"
            + "&X-Amz-SignedHeaders=host&X-Amz-Security-Token=tok%2B%2F&X-Amz-Signature=beef")
        let a = try SigV4Authorization.parse(r).get()
        #expect(a == SigV4Authorization(accessKeyID: "AKID", scopeDate: "20240101", region: "us-east-1", service: "sts",
                                        signedHeaders: ["host"], signature: "beef", presigned: true, securityToken: "tok+/"))
    }

    @Test func presignedWithoutSignatureIsMalformed() {
        let r = WireRequest(method: "GET", rawPath: "/", rawQuery: "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=a")
        #expect(SigV4Authorization.parse(r).failureValue
                == .malformed("Presigned URL is missing X-Amz-Credential, X-Amz-SignedHeaders or X-Amz-Signature"))
    }
}

extension Result {
    var failureValue: Failure? {
        if case .failure(let f) = self { return f }
        return nil
    }
}
