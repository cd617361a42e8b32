import AWSWire
@testable import ControlPlane
import Testing

/// Where Lambda requests run: only the operations the table marks wait on the event loop, and the byte-level shape
/// check (`hasWaitingShape`) says yes exactly where the table's own routing would.
struct LambdaEventLoopPlacementTests {
    @Test func everyOperationThatWaitsPassesThePrecheck() {
        let waiting = LambdaOperations.table.filter(\.waitsOnEventLoop)
        #expect(waiting.map(\.name) == ["Invoke"])
        for op in waiting { #expect(op.path.last == .literal("invocations"), "\(op.name)") }
    }

    @Test func syncInvokeWaitsAsyncAndOthersDoNot() {
        let invoke = WireRequest(method: "POST", rawPath: "/2015-03-31/functions/f/invocations")
        #expect(LambdaService.waitsOnEventLoop(invoke))
        var event = invoke
        event.headers.append((name: "x-amz-invocation-type", value: "Event"))
        #expect(!LambdaService.waitsOnEventLoop(event))
        #expect(!LambdaService.waitsOnEventLoop(WireRequest(method: "POST", rawPath: "/2015-03-31/functions")))
        #expect(!LambdaService.waitsOnEventLoop(WireRequest(method: "GET", rawPath: "/2015-03-31/functions/f/invocations")))
    }

    /// Every row's path (labels filled in, with and without a trailing slash, percent-encoded labels, one segment
    /// more or fewer): the shape check agrees with `match` on whether the request waits.
    @Test func theShapeCheckAgreesWithTheTable() {
        var paths: [(String, String)] = []
        for op in LambdaOperations.table {
            let segs = op.path.map { seg -> String in
                if case .literal(let l) = seg { return l }
                return "arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Af"
            }
            let path = "/" + segs.joined(separator: "/")
            for m in ["GET", "POST", "PUT", "DELETE"] {
                paths += [(m, path), (m, path + "/"), (m, path + "/x"), (m, "/" + segs.dropLast().joined(separator: "/"))]
            }
        }
        paths += [("POST", "//2015-03-31//functions/f/invocations"), ("POST", "/2015-03-31/functions//invocations"),
                  ("POST", "/2015-03-31/functions/f/invocationsx"), ("POST", "/2015-03-31/function/f/invocations")]
        for (method, path) in paths {
            let byTable = LambdaOperations.match(method: method, rawPath: path)?.0.waitsOnEventLoop ?? false
            #expect(LambdaOperations.hasWaitingShape(method: method, rawPath: path) == byTable, "\(method) \(path)")
        }
    }
}
