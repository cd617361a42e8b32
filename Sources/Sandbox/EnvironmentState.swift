/// The lifecycle of one execution environment (Init → Invoke* → Shutdown) as a pure state machine:
/// `EnvironmentState.transition` is the only place phases change; `ExecutionEnvironment` carries out the actions.
struct EnvironmentState: Sendable, Equatable {
    enum Phase: Sendable, Equatable {
        /// Process started; the runtime has not asked for work yet. `pending`: the invocation waiting for it.
        case initializing(pending: String?)
        /// Warm and free. `polling`: the runtime's `invocation/next` is parked, waiting for an event.
        case idle(polling: Bool)
        /// An invocation is assigned; the runtime has not polled for it yet.
        case awaitingPoll(String)
        /// The runtime has the event; waiting for its response or error.
        case invoking(String)
        /// Terminal: the process is gone or being killed; the environment is discarded.
        case shutDown
    }

    enum Event: Sendable, Equatable {
        case assign(requestId: String)
        case nextPolled
        case response(requestId: String)
        case responseTooLarge(requestId: String)
        case error(requestId: String)
        case initError
        case processExited
        case timedOut
        case shutdown
    }

    /// How an invocation ended, from the environment's point of view.
    enum Outcome: Sendable, Equatable {
        case response
        case functionError
        case initError
        case responseTooLarge
        case exited
        case timedOut
        case shutdown
    }

    enum Action: Sendable, Equatable {
        /// Answer the parked (or current) `invocation/next` with this invocation's event.
        case deliver(requestId: String)
        /// Keep the runtime's `invocation/next` open until work arrives.
        case park
        /// Answer the runtime's request with 202 `{"status":"OK"}`.
        case accept
        /// Answer the runtime's request with a Runtime API error.
        case reject(RuntimeAPIRejection)
        /// The runtime finished initialising (first `invocation/next`).
        case initCompleted
        case complete(requestId: String, Outcome)
        /// Kill the process and release the environment's resources.
        case terminate
    }

    private(set) var phase: Phase = .initializing(pending: nil)
    /// The last invocation answered: a second answer for it is a wrong transition (403), not an unknown id (400).
    private(set) var lastAnswered: String?

    var isShutDown: Bool { phase == .shutDown }
    /// Free for a new invocation.
    var isIdle: Bool { if case .idle = phase { return true } else { return false } }

    var currentRequest: String? {
        switch phase {
        case .initializing(let id): return id
        case .awaitingPoll(let id), .invoking(let id): return id
        case .idle, .shutDown: return nil
        }
    }

    mutating func transition(_ event: Event) -> [Action] {
        switch (phase, event) {
        // Work arriving.
        case (.initializing(pending: .none), .assign(let id)):
            phase = .initializing(pending: id); return []
        case (.idle(true), .assign(let id)):
            phase = .invoking(id); return [.deliver(requestId: id)]
        case (.idle(false), .assign(let id)):
            phase = .awaitingPoll(id); return []
        case (_, .assign(let id)):
            // The pool only assigns to idle environments; refusing keeps the invariant of one invocation at a time.
            return [.complete(requestId: id, .shutdown)]

        // The runtime polling.
        case (.initializing(let pending), .nextPolled):
            if let id = pending { phase = .invoking(id); return [.initCompleted, .deliver(requestId: id)] }
            phase = .idle(polling: true); return [.initCompleted, .park]
        case (.idle(false), .nextPolled):
            phase = .idle(polling: true); return [.park]
        case (.awaitingPoll(let id), .nextPolled):
            phase = .invoking(id); return [.deliver(requestId: id)]
        case (.idle(true), .nextPolled), (.invoking, .nextPolled):
            return [.reject(.invalidTransition(from: stateName, to: "InvocationNext"))]

        // The runtime answering.
        case (.invoking(let current), .response(let id)):
            guard current == id else { return [rejectAnswer(for: id)] }
            phase = .idle(polling: false); lastAnswered = id; return [.accept, .complete(requestId: id, .response)]
        case (.invoking(let current), .error(let id)):
            guard current == id else { return [rejectAnswer(for: id)] }
            phase = .idle(polling: false); lastAnswered = id; return [.accept, .complete(requestId: id, .functionError)]
        case (.invoking(let current), .responseTooLarge(let id)):
            guard current == id else { return [rejectAnswer(for: id)] }
            phase = .idle(polling: false); lastAnswered = id
            return [.reject(.payloadTooLarge), .complete(requestId: id, .responseTooLarge)]
        case (.shutDown, .response), (.shutDown, .error), (.shutDown, .responseTooLarge), (.shutDown, .initError):
            return [.reject(.invalidTransition(from: stateName, to: "InvocationResponse"))]
        case (_, .response(let id)), (_, .error(let id)), (_, .responseTooLarge(let id)):
            // Not the current invocation: a repeat (403) or an id the runtime never got (400).
            return [rejectAnswer(for: id)]

        case (.initializing(let pending), .initError):
            phase = .shutDown
            return [.accept] + (pending.map { [.complete(requestId: $0, .initError)] } ?? []) + [.terminate]
        case (_, .initError):
            return [.reject(.invalidTransition(from: stateName, to: "InitError"))]

        // The end.
        case (.shutDown, _):
            return []
        case (_, .processExited):
            return end(with: .exited)
        case (_, .timedOut):
            return end(with: .timedOut)
        case (_, .shutdown):
            return end(with: .shutdown)
        }
    }

    /// An answer for an invocation that is not the current one: a repeat is a wrong transition, anything else a wrong id.
    private func rejectAnswer(for id: String) -> Action {
        id == currentRequest || id == lastAnswered
            ? .reject(.invalidTransition(from: stateName, to: "InvocationResponse")) : .reject(.invalidRequestID)
    }

    private mutating func end(with outcome: Outcome) -> [Action] {
        let id = currentRequest
        phase = .shutDown
        return (id.map { [.complete(requestId: $0, outcome)] } ?? []) + [.terminate]
    }

    /// The state names the Runtime API uses in InvalidStateTransition messages.
    private var stateName: String {
        switch phase {
        case .initializing: return "Initializing"
        case .idle(true): return "InvocationNext"
        case .idle(false): return "RuntimeResponseSentState"
        case .awaitingPoll: return "RuntimeResponseSentState"
        case .invoking: return "InvocationNext"
        case .shutDown: return "Shutdown"
        }
    }
}

/// Runtime API error answers (status + `{"errorMessage","errorType"}`), as AWS's Runtime API gives them.
enum RuntimeAPIRejection: Sendable, Equatable {
    case invalidRequestID
    case invalidTransition(from: String, to: String)
    case payloadTooLarge
    case notFound

    var status: Int {
        switch self {
        case .invalidRequestID: return 400
        case .invalidTransition: return 403
        case .payloadTooLarge: return 413
        case .notFound: return 404
        }
    }

    var body: String {
        switch self {
        case .invalidRequestID:
            return SandboxMessages.json(["errorType": "InvalidRequestID", "errorMessage": "Invalid request ID"])
        case .invalidTransition(let from, let to):
            return SandboxMessages.json([
                "errorType": "InvalidStateTransition",
                "errorMessage": "State transition from \(from) to \(to) failed for runtime. Error: State transition is not allowed"])
        case .payloadTooLarge:
            return SandboxMessages.json(["errorType": "RequestEntityTooLarge",
                                         "errorMessage": "Exceeded maximum allowed payload size (6291556 bytes)."])
        case .notFound:
            return SandboxMessages.json(["errorType": "InvalidURL", "errorMessage": "Invalid URL"])
        }
    }
}
