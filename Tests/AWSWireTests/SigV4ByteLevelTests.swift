@testable import AWSWire
import Testing

/// The byte-level readers and writers give exactly what the Character-based ones give.
@Suite struct SigV4ByteLevelTests {
    @Test(arguments: [
        "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-west-2/lambda/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc",
        "   AWS4-HMAC-SHA256 Credential=AKID/20240101/us-west-2/lambda/aws4_request,SignedHeaders=host,Signature=abc",
        "AWS4-HMAC-SHA256Credential=AKID/20240101/r/s/aws4_request, SignedHeaders=host, Signature=abc",
        "AWS4-HMAC-SHA256 Credential=A/20240101/r/s/aws4_request, Credential=B/20240102/r2/s2/aws4_request, SignedHeaders=host, Signature=1, Signature=2",
        "AWS4-HMAC-SHA256 ,, Credential=AKID/20240101/r/s/aws4_request , junk, SignedHeaders= ;host;;x-amz-date; , Signature=  ",
        "AWS4-HMAC-SHA256 credential=AKID/20240101/r/s/aws4_request, SignedHeaders=host, Signature=abc",
        "AWS4-HMAC-SHA256 Credential=AKID/20240101/r/s/aws4_request, Signature=abc",
        "AWS4-HMAC-SHA256 SignedHeaders=host",
        "AWS4-HMAC-SHA256",
        "AWS4-HMAC-SHA25",
        "aws4-hmac-sha256 Credential=AKID/20240101/r/s/aws4_request, SignedHeaders=host, Signature=abc",
        "AWS4-HMAC-SHA256 Credential=AKID/2024010/r/s/aws4_request, SignedHeaders=host, Signature=abc",
        "AWS4-HMAC-SHA256 Credential=AKID/20240101/r/s/aws4_request/x, SignedHeaders=host, Signature=abc",
        "AWS4-HMAC-SHA256 Credential=/20240101/r/s/aws4_request, SignedHeaders=host, Signature=abc",
        "AWS4-HMAC-SHA256 Credential=AKID/20240101//s/aws4_request, SignedHeaders=host, Signature=abc",
        "AWS4-HMAC-SHA256 Credential=AKID/20240101/r/s/aws4_requesT, SignedHeaders=host, Signature=abc",
        "AWS4-HMAC-SHA256 Credential=AKID/20240101/r/s/aws4_request, SignedHeaders=host, Signature=a=b=c",
        "AWS4-HMAC-SHA256 Credential=AKID/20240101/r/s/aws4_request, SignedHeaders=, Signature=",
        "",
        "   ",
    ])
    func headerReadingMatchesTheCharacterReading(_ header: String) {
        #expect(SigV4Authorization.parseHeader(header) == SigV4Authorization.parseUnicodeHeader(header))
    }

    @Test(arguments: [
        "", "/", "//", "///a", "/a", "a", "a/b", "/a/b/", "/a//b", "/.", "/..", "/./", "/../", "/a/..", "/a/../",
        "/a/./b/../c/", "/...", "/a/.../b", "/.a/b.", "/a/b/..", "/%2F/x", "/a%20b/c%3A", "/a+b/~c_d-e.f", "/a:b@c!d$e",
        "/2015-03-31/functions/bench-0", "/2015-03-31/functions/my.fn/invocations",
    ])
    func uriMatchesTheCharacterReading(_ path: String) {
        #expect(SigV4Canonical.uri(rawPath: path) == SigV4Canonical.unicodeURI(rawPath: path))
    }

    @Test func nonASCIIPathsKeepTheCharacterRules() {
        #expect(SigV4Canonical.uri(rawPath: "/é/./x") == "/%C3%A9/x")
        // A combining accent after `.` makes another character, so the segment is not a dot segment.
        #expect(SigV4Canonical.uri(rawPath: "/a/.\u{301}/x") == "/a/.%CC%81/x")
    }

    @Test func headersMatchCaseInsensitivelyAndCollapseBlanks() {
        let headers: [(name: String, value: String)] = [
            (name: "host", value: "example.com"), (name: "X-Amz-Meta", value: "  a \t  b  "), (name: "x-amz-meta", value: "c"),
            (name: "x-amz-date", value: "20150830T123600Z"),
        ]
        #expect(SigV4Canonical.headers(headers, signedHeaders: ["Host", "x-amz-meta", "X-AMZ-DATE", "absent"])
                == "host:example.com\nx-amz-meta:a b,c\nx-amz-date:20150830T123600Z\nabsent:\n")
        #expect(SigV4Canonical.signedHeaderList(["Host", "X-Amz-Date"]) == "host;x-amz-date")
    }

    @Test func timestampsFormatAsBefore() {
        for seconds: Int64 in [0, 1_440_938_160, 4_102_444_799, 253_402_300_799, -1] {
            let t = SigV4Timestamp(secondsSince1970: seconds)
            #expect(SigV4Timestamp(iso8601Basic: t.iso8601Basic) == t || seconds < 0)
        }
        #expect(SigV4Timestamp(secondsSince1970: 1_440_938_160).iso8601Basic == "20150830T123600Z")
        #expect(SigV4Timestamp(secondsSince1970: 1_440_938_160).dateStamp == "20150830")
        #expect(SigV4Timestamp(secondsSince1970: 0).iso8601Basic == "19700101T000000Z")
    }
}
