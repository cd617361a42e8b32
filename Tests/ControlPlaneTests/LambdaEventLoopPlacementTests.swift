import AWSWire
@testable import ControlPlane
import Testing

/// Where Lambda requests run: only the operations the table marks wait on the event loop, and the router's cheap
/// pre-check (the path ends with `/invocations`) admits every one of them.
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
}
