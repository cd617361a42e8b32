import Testing
@testable import Sandbox

struct EnvironmentStateTests {
    @Test func coldStartDeliversThePendingInvocationOnFirstPoll() {
        var s = EnvironmentState()
        #expect(s.transition(.assign(requestId: "a")) == [])
        #expect(s.transition(.nextPolled) == [.initCompleted, .deliver(requestId: "a")])
        #expect(s.transition(.response(requestId: "a")) == [.accept, .complete(requestId: "a", .response)])
        #expect(s.isIdle)
    }

    @Test func warmInvocationGoesToTheParkedPoll() {
        var s = EnvironmentState()
        #expect(s.transition(.nextPolled) == [.initCompleted, .park])
        #expect(s.transition(.assign(requestId: "b")) == [.deliver(requestId: "b")])
        #expect(s.transition(.error(requestId: "b")) == [.accept, .complete(requestId: "b", .functionError)])
        // Work assigned before the runtime polls again waits for the poll.
        #expect(s.transition(.assign(requestId: "c")) == [])
        #expect(s.transition(.nextPolled) == [.deliver(requestId: "c")])
    }

    @Test func wrongIdsAndRepeatedAnswersAreRejected() {
        var s = EnvironmentState()
        _ = s.transition(.nextPolled)
        _ = s.transition(.assign(requestId: "a"))
        #expect(s.transition(.response(requestId: "zzz")) == [.reject(.invalidRequestID)])
        _ = s.transition(.response(requestId: "a"))
        #expect(s.transition(.response(requestId: "a"))
                == [.reject(.invalidTransition(from: "RuntimeResponseSentState", to: "InvocationResponse"))])
        #expect(s.transition(.initError) == [.reject(.invalidTransition(from: "RuntimeResponseSentState", to: "InitError"))])
    }

    @Test func exitTimeoutAndShutdownEndTheEnvironment() {
        var running = EnvironmentState()
        _ = running.transition(.nextPolled)
        _ = running.transition(.assign(requestId: "a"))
        #expect(running.transition(.timedOut) == [.complete(requestId: "a", .timedOut), .terminate])
        #expect(running.isShutDown)
        #expect(running.transition(.processExited) == [])

        var starting = EnvironmentState()
        _ = starting.transition(.assign(requestId: "b"))
        #expect(starting.transition(.processExited) == [.complete(requestId: "b", .exited), .terminate])

        var failing = EnvironmentState()
        _ = failing.transition(.assign(requestId: "c"))
        #expect(failing.transition(.initError) == [.accept, .complete(requestId: "c", .initError), .terminate])

        var idle = EnvironmentState()
        _ = idle.transition(.nextPolled)
        #expect(idle.transition(.shutdown) == [.terminate])
        #expect(idle.transition(.assign(requestId: "d")) == [.complete(requestId: "d", .shutdown)])
    }

    @Test func runtimeRequestsAreRoutedByPath() {
        #expect(RuntimeRequest(method: .GET, uri: "/2018-06-01/runtime/invocation/next") == .next)
        #expect(RuntimeRequest(method: .POST, uri: "/2018-06-01/runtime/invocation/abc/response") == .response(requestId: "abc"))
        #expect(RuntimeRequest(method: .POST, uri: "/2018-06-01/runtime/invocation/abc/error") == .error(requestId: "abc"))
        #expect(RuntimeRequest(method: .POST, uri: "/2018-06-01/runtime/init/error") == .initError)
        #expect(RuntimeRequest(method: .GET, uri: "/2018-06-01/runtime/invocation/abc/response") == .unknown)
        #expect(RuntimeRequest(method: .GET, uri: "/") == .unknown)
    }
}
