import AWSWire
import Testing

/// The scope's service, read from the header's bytes before the full parse.
struct SigV4ScopeTests {
    @Test func readsTheServiceOfTheCredentialScope() {
        let header = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261202/us-east-1/dynamodb/aws4_request, "
            + "SignedHeaders=host;x-amz-date, Signature=abc"
        #expect(SigV4Scope.service(ofHeader: header) == "dynamodb")
        #expect(SigV4Scope.service(ofHeader: header.replacingOccurrences(of: "dynamodb", with: "s3")) == "s3")
    }

    @Test func noScopeNoService() {
        #expect(SigV4Scope.service(ofHeader: "Bearer token") == nil)
        #expect(SigV4Scope.service(ofHeader: "AWS AKID:signature") == nil)
        #expect(SigV4Scope.service(ofHeader: "/aws4_request") == nil)
        #expect(SigV4Scope.service(ofHeader: "") == nil)
    }
}
