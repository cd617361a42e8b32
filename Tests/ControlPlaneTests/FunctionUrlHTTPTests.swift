import AWSWire
import CloudModel
import Foundation
import Testing
@testable import ControlPlane

/// A function URL request as the payload 2.0 event, the function's result as HTTP, and the URL's CORS headers.
struct FunctionUrlHTTPTests {
    let target = FunctionUrlHTTP.Target(urlId: String(repeating: "a", count: 32), rawPath: "/p%20q",
                                        domainName: "x.lambda-url.us-east-1.on.aws")

    func event(_ r: WireRequest) throws -> [String: Any] {
        let bytes = FunctionUrlHTTP.event(r, target, requestId: "rid", accountId: "123456789012", caller: nil,
                                          now: Date(timeIntervalSince1970: 1_700_000_000.5))
        return try #require(JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    @Test func repeatedHeadersAndQueryItemsAreJoinedAndCookiesTravelApart() throws {
        let r = WireRequest(method: "GET", rawPath: "/p%20q", rawQuery: "a=1&a=2",
                            headers: [("X-A", "1"), ("x-a", "2"), ("Cookie", "k=v; k2=v2")])
        let e = try event(r)
        #expect(e["headers"] as? [String: String] == ["x-a": "1,2"])
        #expect(e["cookies"] as? [String] == ["k=v", "k2=v2"])
        #expect(e["queryStringParameters"] as? [String: String] == ["a": "1,2"])
        let rc = try #require(e["requestContext"] as? [String: Any])
        #expect(rc["time"] as? String == "14/Nov/2023:22:13:20 +0000")
        #expect(rc["timeEpoch"] as? Int == 1_700_000_000_500)
        #expect((rc["http"] as? [String: String])?["path"] == "/p q")
        #expect(rc["accountId"] as? String == "anonymous")
    }

    @Test func textBodiesStayTextOthersAreBase64() throws {
        let json = try event(WireRequest(method: "POST", rawPath: "/", headers: [("Content-Type", "application/json")],
                                         body: Array("{\"a\":1}".utf8)))
        #expect(json["body"] as? String == "{\"a\":1}" && json["isBase64Encoded"] as? Bool == false)
        let bin = try event(WireRequest(method: "POST", rawPath: "/", headers: [("Content-Type", "image/png")], body: [0, 255]))
        #expect(bin["body"] as? String == "AP8=" && bin["isBase64Encoded"] as? Bool == true)
        // Bytes that are not UTF-8 are base64 whatever the content type says.
        let bad = try event(WireRequest(method: "POST", rawPath: "/", headers: [("Content-Type", "text/plain")], body: [0xFF]))
        #expect(bad["isBase64Encoded"] as? Bool == true)
    }

    @Test func resultsMapToResponses() throws {
        let described = try #require(FunctionUrlHTTP.response(Array(#"{"statusCode":404,"headers":{"x":1},"cookies":["c=1"],"body":"no"}"#.utf8)))
        #expect(described.status == 404 && described.body == Array("no".utf8))
        #expect(described.headers.contains { $0 == ("x", "1") } && described.headers.contains { $0 == ("Set-Cookie", "c=1") })
        #expect(described.headers.contains { $0 == ("Content-Type", "application/json") })
        let binary = try #require(FunctionUrlHTTP.response(Array(#"{"statusCode":200,"body":"AP8=","isBase64Encoded":true}"#.utf8)))
        #expect(binary.body == [0, 255])
        let plain = try #require(FunctionUrlHTTP.response(Array(#"{"a":[1,2]}"#.utf8)))
        #expect(plain.status == 200 && plain.body == Array(#"{"a":[1,2]}"#.utf8))
        let string = try #require(FunctionUrlHTTP.response(Array(#""hi""#.utf8)))
        #expect(string.status == 200 && string.body == Array(#""hi""#.utf8))
        #expect(FunctionUrlHTTP.response(Array("not json".utf8)) == nil)
        #expect(FunctionUrlHTTP.response(Array(#"{"statusCode":99}"#.utf8)) == nil)
    }

    @Test func corsReplacesTheFunctionsHeadersForAllowedOriginsOnly() {
        let cors = LambdaUrlCors(allowCredentials: true, allowOrigins: ["*"], exposeHeaders: ["x-e"])
        var r = WireResponse(status: 200, headers: [("access-control-allow-origin", "https://f.example")])
        FunctionUrlHTTP.applyCors(cors, origin: "https://o.example", to: &r)
        // With credentials a wildcard answers the caller's origin, never `*`.
        #expect(r.headers.filter { $0.0.lowercased() == "access-control-allow-origin" }.map(\.1) == ["https://o.example"])
        #expect(r.headers.contains { $0 == ("Access-Control-Expose-Headers", "x-e") })
        let strict = LambdaUrlCors(allowMethods: ["GET"], allowOrigins: ["https://a.example"], maxAge: 10)
        let refused = FunctionUrlHTTP.preflight(strict, origin: "https://b.example", requestId: "r")
        #expect(!refused.headers.contains { $0.0 == "Access-Control-Allow-Origin" })
        let allowed = FunctionUrlHTTP.preflight(strict, origin: "https://a.example", requestId: "r")
        #expect(allowed.headers.contains { $0 == ("Access-Control-Allow-Methods", "GET") })
        #expect(allowed.headers.contains { $0 == ("Access-Control-Max-Age", "10") })
    }
}
