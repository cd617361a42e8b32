import AWSWire
import Testing
@testable import Server

/// Which requests are a function URL's: the Host forms and the path form, nothing else.
struct FunctionUrlTargetTests {
    let id = "abcdefghijklmnopqrstuvwxyz012345"

    @Test func hostAndPathForms() {
        let onAWS = WireRequest(method: "GET", rawPath: "/x/y", headers: [("Host", "\(id).lambda-url.us-east-1.on.aws")])
        #expect(APIRouter.functionUrlTarget(onAWS)
            == FunctionUrlTarget(id: id, rawPath: "/x/y", domain: "\(id).lambda-url.us-east-1.on.aws", region: "us-east-1"))
        let local = WireRequest(method: "GET", rawPath: "", headers: [("Host", "\(id).lambda-url.eu-west-1.localhost:4599")])
        #expect(APIRouter.functionUrlTarget(local)
            == FunctionUrlTarget(id: id, rawPath: "/", domain: "\(id).lambda-url.eu-west-1.localhost", region: "eu-west-1"))
        let path = WireRequest(method: "POST", rawPath: "/_lambda-vpc/url/\(id)/a/b")
        #expect(APIRouter.functionUrlTarget(path)
            == FunctionUrlTarget(id: id, rawPath: "/a/b", domain: "", region: nil))
        let root = WireRequest(method: "GET", rawPath: "/_lambda-vpc/url/\(id)")
        #expect(APIRouter.functionUrlTarget(root)?.rawPath == "/")
    }

    @Test func otherRequestsAreNot() {
        for r in [WireRequest(method: "GET", rawPath: "/2015-03-31/functions", headers: [("Host", "127.0.0.1:4599")]),
                  WireRequest(method: "GET", rawPath: "/", headers: [("Host", "short.lambda-url.us-east-1.on.aws")]),
                  WireRequest(method: "GET", rawPath: "/", headers: [("Host", "\(id).lambda-url.us-east-1.example.com")]),
                  WireRequest(method: "GET", rawPath: "/_lambda-vpc/url/"),
                  WireRequest(method: "GET", rawPath: "/_lambda-vpc/health")] {
            #expect(APIRouter.functionUrlTarget(r) == nil, "\(r.rawPath)")
        }
    }
}
