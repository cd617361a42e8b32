@testable import AWSWire
import Testing

/// Cases of the AWS SigV4 test suite (secret `wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY`, 20150830T123600Z,
/// us-east-1, service `service`), with AWS's published signatures.
@Suite struct SigV4SuiteVectorTests {
    static let emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    @Test func getVanillaCanonicalRequestStringToSignAndSignature() {
        let c = SuiteFixture.compute(SuiteFixture.request())
        #expect(c.canonicalRequest == """
            GET
            /

            host:example.amazonaws.com
            x-amz-date:20150830T123600Z

            host;x-amz-date
            \(Self.emptyHash)
            """)
        #expect(c.stringToSign == """
            AWS4-HMAC-SHA256
            20150830T123600Z
            20150830/us-east-1/service/aws4_request
            bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63
            """)
        #expect(c.signature == "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
    }

    @Test func getVanillaQueryOrderKeyCaseSortsParameters() {
        let c = SuiteFixture.compute(SuiteFixture.request(query: "Param2=value2&Param1=value1"))
        #expect(c.canonicalRequest.split(separator: "\n", omittingEmptySubsequences: false)[2] == "Param1=value1&Param2=value2")
        #expect(c.stringToSign.hasSuffix("\n816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0"))
        #expect(c.signature == "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500")
    }

    @Test func getHeaderValueTrimCollapsesSpaces() {
        let c = SuiteFixture.compute(SuiteFixture.request(headers: [("My-Header1", " value1"), ("My-Header2", "\"a   b   c\"")]))
        #expect(c.canonicalRequest == """
            GET
            /

            host:example.amazonaws.com
            my-header1:value1
            my-header2:"a b c"
            x-amz-date:20150830T123600Z

            host;my-header1;my-header2;x-amz-date
            \(Self.emptyHash)
            """)
        #expect(c.signature == "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736")
    }

    @Test func postXWwwFormUrlencodedHashesTheBody() {
        let c = SuiteFixture.compute(SuiteFixture.request("POST", headers: [("Content-Type", "application/x-www-form-urlencoded")],
                                                          body: "Param1=value1"))
        #expect(c.canonicalRequest.hasSuffix("\ncontent-type;host;x-amz-date\n9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e"))
        #expect(c.signature == "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a")
    }

    @Test(arguments: [
        SuiteCase("post-vanilla", "POST", "/", "", [], "", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
        SuiteCase("post-vanilla-query", "POST", "/", "Param1=value1", [], "", "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"),
        SuiteCase("get-unreserved", "GET", "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", "", [], "",
         "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"),
        SuiteCase("get-utf8", "GET", "/ሴ", "", [], "", "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"),
        SuiteCase("get-vanilla-query-unreserved", "GET", "/",
         "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
         [], "", "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"),
        SuiteCase("get-vanilla-utf8-query", "GET", "/", "ሴ=bar", [], "", "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"),
        SuiteCase("get-header-key-duplicate", "GET", "/", "", [("My-Header1", "value2"), ("My-Header1", "value2"), ("My-Header1", "value1")], "",
         "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"),
        SuiteCase("get-header-value-order", "GET", "/", "",
         [("My-Header1", "value4"), ("My-Header1", "value1"), ("My-Header1", "value3"), ("My-Header1", "value2")], "",
         "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01"),
        SuiteCase("post-header-key-sort", "POST", "/", "", [("My-Header1", "value1")], "",
         "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c"),
        SuiteCase("post-header-value-case", "POST", "/", "", [("My-Header1", "VALUE1")], "",
         "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d"),
        SuiteCase("post-x-www-form-urlencoded-parameters", "POST", "/", "",
         [("Content-Type", "application/x-www-form-urlencoded; charset=utf8")], "Param1=value1",
         "1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe"),
        SuiteCase("post-sts-header-before", "POST", "/", "", [("X-Amz-Security-Token", Self.suiteToken)], "",
         "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"),
        // normalize-path: dot segments and repeated slashes are removed for every service but S3.
        SuiteCase("get-relative", "GET", "/example/..", "", [], "", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        SuiteCase("get-relative-relative", "GET", "/example1/example2/../..", "", [], "",
         "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        SuiteCase("get-slash", "GET", "//", "", [], "", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        SuiteCase("get-slash-dot-slash", "GET", "/./", "", [], "", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        // A reserved character sent raw is encoded: `$` is signed as `%24`.
        SuiteCase("get-special-character", "GET", "/example/$delete", "", [], "",
         "a853c9b21b528b19643d00910d35b83a10c366a10833ceefb45edd6c80e40f27"),
    ])
    func publishedSignature(_ c: SuiteCase) {
        let r = SuiteFixture.request(c.method, path: c.path, query: c.query, headers: c.headers, body: c.body)
        #expect(SuiteFixture.compute(r).signature == c.signature)
        let verified = verifySigned(SuiteFixture.authorized(r, signature: c.signature), secret: SuiteFixture.secret, now: SuiteFixture.time)
        #expect(verified.succeeded, "\(String(describing: verified.failure))")
    }

    @Test(arguments: [
        ("/./example", "/example"),
        ("//example//", "/example/"),
        ("/example space/", "/example%20space/"),
        ("", "/"),
        ("/a/b/../c/./d", "/a/c/d"),
        ("/../..", "/"),
        ("/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Af/invocations",
         "/2015-03-31/functions/arn%253Aaws%253Alambda%253Aus-east-1%253A123456789012%253Afunction%253Af/invocations"),
    ])
    func canonicalURI(_ raw: String, _ expected: String) {
        #expect(SigV4Canonical.uri(rawPath: raw) == expected)
    }

    /// The IAM user guide's worked example: ListUsers signed with the suite's key.
    @Test func iamListUsersExample() {
        let r = WireRequest(method: "GET", rawPath: "/", rawQuery: "Action=ListUsers&Version=2010-05-08", headers: [
            (name: "Content-Type", value: "application/x-www-form-urlencoded; charset=utf-8"),
            (name: "Host", value: "iam.amazonaws.com"),
            (name: "X-Amz-Date", value: "20150830T123600Z"),
        ])
        let signer = SigV4Signer(accessKeyID: "AKIDEXAMPLE", secretAccessKey: SuiteFixture.secret, region: "us-east-1", service: "iam")
        let c = signer.compute(r, signedHeaders: ["content-type", "host", "x-amz-date"],
                               timestamp: SigV4Timestamp(iso8601Basic: "20150830T123600Z")!,
                               payloadHash: SigV4Crypto.emptyPayloadHash, presigned: false)
        #expect(c.canonicalRequest == """
            GET
            /
            Action=ListUsers&Version=2010-05-08
            content-type:application/x-www-form-urlencoded; charset=utf-8
            host:iam.amazonaws.com
            x-amz-date:20150830T123600Z

            content-type;host;x-amz-date
            \(Self.emptyHash)
            """)
        #expect(SigV4Crypto.hexSHA256(Array(c.canonicalRequest.utf8)) == "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59")
        #expect(c.stringToSign == """
            AWS4-HMAC-SHA256
            20150830T123600Z
            20150830/us-east-1/iam/aws4_request
            f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59
            """)
        let key = SigV4Crypto.signingKey(secretAccessKey: SuiteFixture.secret, dateStamp: "20150830", region: "us-east-1", service: "iam")
        #expect(SigV4Crypto.hex(key.withUnsafeBytes { Array($0) }) == "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9")
        #expect(c.signature == "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7")

        // The same request signed by the signer's header form gives the same Authorization.
        let signed = signer.sign(r, at: at("20150830T123600Z"))
        #expect(signed.header("authorization") == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
            + "SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7")
    }

    /// One published case: the request's parts beyond Host and X-Amz-Date, and AWS's signature.
    struct SuiteCase: Sendable, CustomTestStringConvertible {
        var name, method, path, query: String
        var headers: [(String, String)]
        var body, signature: String
        init(_ name: String, _ method: String, _ path: String, _ query: String, _ headers: [(String, String)],
             _ body: String, _ signature: String) {
            self.name = name; self.method = method; self.path = path; self.query = query
            self.headers = headers; self.body = body; self.signature = signature
        }
        var testDescription: String { name }
    }

    static let suiteToken = "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwth"
        + "Ax7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d"
        + "+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA=="
}
