import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// One execution environment: a runtime process, its own Runtime API listener and its network, driven by
/// `EnvironmentState`. All mutable state is confined to `loop` (the listener's connections run there too), so the
/// Runtime API handler, timers and process events need no locks.
final class ExecutionEnvironment: RuntimeAPIEndpoint, @unchecked Sendable {
    let id: String
    let spec: FunctionSpec
    let loop: any EventLoop
    let logStream: String
    private let logStore: FunctionLogStore
    private let network: any EnvironmentNetwork
    private let logger: Logger

    // Confined to `loop`.
    private var state = EnvironmentState()
    private var launched: LaunchedEnvironment?
    private var process: RuntimeProcess?
    private var memory: ResourceCgroup?
    private var listener: (any Channel)?
    private var parkedNext: ((RuntimeReply) -> Void)?
    private var current: PendingInvocation?
    private let startedAt = DispatchTime.now().uptimeNanoseconds
    private var initDurationMs: Double?
    private var initReported = false
    private var initTimedOut = false
    private var initTimer: Scheduled<Void>?
    private var exitStatus: ProcessExit?
    private var postedBody: [UInt8] = []
    private var initErrorBody: [UInt8]?
    private var cleanedUp = false
    private let terminated: EventLoopPromise<Void>

    private struct PendingInvocation {
        var input: InvocationInput
        var invokedArn: String
        var continuation: CheckedContinuation<(InvocationOutput, reusable: Bool)?, Never>
        var deliveredAt: UInt64?
        var timer: Scheduled<Void>?
        var preStartOutput: [UInt8] = []
    }

    init(id: String, spec: FunctionSpec, logStream: String, loop: any EventLoop, logStore: FunctionLogStore,
         network: any EnvironmentNetwork, logger: Logger) {
        self.id = id
        self.spec = spec
        self.loop = loop
        self.logStore = logStore
        self.network = network
        self.logger = logger
        self.logStream = logStream
        self.terminated = loop.makePromise()
    }

    /// AWS's stream name for a new environment: `YYYY/MM/DD/[VERSION]<32 hex>`.
    static func newLogStreamName(version: String, now: Date = Date()) -> String {
        "\(LogTimestamp.day(now))/[\(version)]\(RandomHex.make(32))"
    }

    /// Completes when the process is reaped and the environment's resources are released.
    var terminatedFuture: EventLoopFuture<Void> { terminated.futureResult }

    /// Wires a launched process in: Runtime API listener on `loop`, process watcher, init deadline.
    /// `joinedCgroup`: the process joined `resources` itself before it ran (sandboxed); otherwise it is moved in now.
    func attach(_ launched: LaunchedEnvironment, initTimeoutSeconds: Double, resources memory: ResourceCgroup?,
                joinedCgroup: Bool) async throws {
        let channel: any Channel
        do {
            channel = try await bootstrapListener(launched)
        } catch {
            // No Runtime API, no environment: undo the launch.
            _ = kill(-launched.pid, SIGKILL)
            _ = kill(launched.pid, SIGKILL)
            var status: Int32 = 0
            _ = waitpid(launched.pid, &status, 0)
            close(launched.outputFd)
            memory?.remove()
            network.destroy(launched.network)
            terminated.succeed(())
            throw error
        }
        if !joinedCgroup { memory?.add(pid: launched.pid) }
        let loop = self.loop
        let process = RuntimeProcess(pid: launched.pid, outputFd: launched.outputFd) { [self] exit in
            loop.execute { self.processExited(exit) }
        }
        try await loop.submit { [self] in
            self.launched = launched
            self.listener = channel
            self.process = process
            self.memory = memory
            self.initTimer = loop.scheduleTask(in: .nanoseconds(Int64(initTimeoutSeconds * 1e9))) { [self] in
                if case .initializing = state.phase { initTimedOut = true; apply(state.transition(.timedOut), reply: nil) }
            }
            if state.isShutDown { cleanUpIfExited() }
        }.get()
    }

    private func bootstrapListener(_ launched: LaunchedEnvironment) async throws -> any Channel {
        try await ServerBootstrap(group: loop)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(RuntimeAPIHandler(endpoint: self))
                }
            }
            .withBoundSocket(launched.listenFd).get()
    }

    /// Runs one invocation; `reusable` says whether the environment is still warm and free afterwards.
    /// nil when `warm` and the environment died while idle (the caller uses another one).
    func invoke(_ input: InvocationInput, invokedArn: String, warm: Bool) async -> (InvocationOutput, reusable: Bool)? {
        await withCheckedContinuation { (continuation: CheckedContinuation<(InvocationOutput, reusable: Bool)?, Never>) in
            let start: @Sendable () -> Void = { [self] in
                if warm && state.isShutDown { continuation.resume(returning: nil); return }
                current = PendingInvocation(input: input, invokedArn: invokedArn, continuation: continuation)
                apply(state.transition(.assign(requestId: input.requestId)), reply: nil)
            }
            // Already on the environment's loop (the pool prefers such an environment): no queueing.
            if loop.inEventLoop { start() } else { loop.execute(start) }
        }
    }

    /// Stops the environment (idle reaping, invalidation, pool shutdown).
    func shutdown() {
        loop.execute { [self] in apply(state.transition(.shutdown), reply: nil) }
    }

    // MARK: Runtime API

    func handle(_ request: RuntimeRequest, headers: HTTPHeaders, body: [UInt8], bodyTooLarge: Bool,
                reply: @escaping (RuntimeReply) -> Void) {
        let event: EnvironmentState.Event
        switch request {
        case .next: event = .nextPolled
        case .response(let id): event = bodyTooLarge ? .responseTooLarge(requestId: id) : .response(requestId: id)
        case .error(let id): event = .error(requestId: id)
        case .initError: event = .initError
        case .unknown: reply(.rejection(.notFound)); return
        }
        if case .initError = request { initErrorBody = body } else { postedBody = body }
        apply(state.transition(event), reply: reply)
    }

    // MARK: Actions

    private func apply(_ actions: [EnvironmentState.Action], reply: ((RuntimeReply) -> Void)?) {
        for action in actions {
            switch action {
            case .deliver:
                let target = parkedNext ?? reply
                parkedNext = nil
                deliver(to: target)
            case .park:
                parkedNext = reply
            case .accept:
                reply?(.accepted)
            case .reject(let rejection):
                reply?(.rejection(rejection))
            case .initCompleted:
                initDurationMs = Self.ms(since: startedAt)
                initTimer?.cancel()
            case .complete(_, let outcome):
                finish(outcome)
            case .terminate:
                terminate()
            }
        }
    }

    private func deliver(to reply: ((RuntimeReply) -> Void)?) {
        guard var invocation = current, let reply else { return }
        invocation.preStartOutput = process?.drainOutput() ?? []
        invocation.deliveredAt = DispatchTime.now().uptimeNanoseconds
        let timeout = Int64(spec.timeoutSeconds) * 1_000_000_000
        invocation.timer = loop.scheduleTask(in: .nanoseconds(timeout)) { [self] in
            apply(state.transition(.timedOut), reply: nil)
        }
        current = invocation
        let deadline = Int64(Date().timeIntervalSince1970 * 1000) + Int64(spec.timeoutSeconds) * 1000
        var headers: [(String, String)] = [
            ("Content-Type", "application/json"),
            ("Lambda-Runtime-Aws-Request-Id", invocation.input.requestId),
            ("Lambda-Runtime-Deadline-Ms", String(deadline)),
            ("Lambda-Runtime-Invoked-Function-Arn", invocation.invokedArn),
            ("Lambda-Runtime-Trace-Id", invocation.input.traceId),
        ]
        if let context = invocation.input.clientContext {
            // The Invoke API takes it base64-encoded; runtimes receive the JSON itself.
            let decoded = Data(base64Encoded: context).map { String(decoding: $0, as: UTF8.self) } ?? context
            headers.append(("Lambda-Runtime-Client-Context", decoded))
        }
        if let identity = invocation.input.cognitoIdentity { headers.append(("Lambda-Runtime-Cognito-Identity", identity)) }
        reply(RuntimeReply(status: 200, headers: headers, body: invocation.input.payload))
    }

    private func finish(_ outcome: EnvironmentState.Outcome) {
        guard let invocation = current else { return }
        current = nil
        invocation.timer?.cancel()
        let now = Date()
        let requestId = invocation.input.requestId
        let durationMs = invocation.deliveredAt.map { Self.ms(since: $0) } ?? 0
        let output = process?.drainOutput() ?? []

        var errorType: String?
        let payload: [UInt8]
        switch outcome {
        case .response:
            payload = postedBody
        case .functionError:
            payload = postedBody
        case .initError:
            payload = initErrorBody ?? Array(SandboxMessages.initUnknownPayload(requestId: requestId, detail: "Runtime failed to start").utf8)
            errorType = Self.errorType(in: payload) ?? "Runtime.Unknown"
        case .responseTooLarge:
            payload = Array(SandboxMessages.responseTooLargePayload().utf8)
            errorType = "Function.ResponseSizeTooLarge"
        case .exited, .shutdown:
            guard outcome == .exited || exitStatus != nil else {
                payload = Array(SandboxMessages.initUnknownPayload(requestId: requestId, detail: "The execution environment was shut down").utf8)
                errorType = "Runtime.Unknown"
                break
            }
            let exit = exitStatus.map(SandboxMessages.exitDescription) ?? "signal: killed"
            let type = memory?.outOfMemoryKilled() == true ? "Runtime.OutOfMemory" : "Runtime.ExitError"
            payload = Array(SandboxMessages.exitErrorPayload(requestId: requestId, exit: exit, errorType: type).utf8)
            errorType = type
        case .timedOut where initTimedOut:
            payload = Array(SandboxMessages.initUnknownPayload(requestId: requestId, detail: "Runtime init timed out").utf8)
            errorType = "Runtime.Unknown"
        case .timedOut:
            payload = Array(SandboxMessages.timeoutPayload(requestId: requestId, seconds: spec.timeoutSeconds).utf8)
        }
        postedBody = []

        let coldInit = initReported ? nil : initDurationMs
        initReported = true
        let memoryUsed = memory?.peakMB() ?? process?.peakMemoryMB() ?? 1
        let billed = max(1, Int(durationMs.rounded(.up)))
        var report = "REPORT RequestId: \(requestId)\tDuration: \(Self.twoDecimals(durationMs)) ms\t"
            + "Billed Duration: \(billed) ms\tMemory Size: \(spec.memorySizeMB) MB\tMax Memory Used: \(memoryUsed) MB\t"
        if let coldInit { report += "Init Duration: \(Self.twoDecimals(coldInit)) ms\t" }
        if outcome == .timedOut && !initTimedOut { report += "Status: timeout" } else if let errorType {
            report += "Status: error\tError Type: \(errorType)"
        }
        var lines = Self.lines(invocation.preStartOutput)
        if spec.logFormat == "JSON" {
            let timedOut = outcome == .timedOut && !initTimedOut
            let platform = PlatformLogLines(
                requestId: requestId, version: spec.version, time: now, durationMs: durationMs, billedMs: billed,
                memorySizeMB: spec.memorySizeMB, maxMemoryUsedMB: memoryUsed, initDurationMs: coldInit,
                status: timedOut ? "timeout" : (errorType != nil ? "error" : nil), errorType: errorType)
            // Platform events are INFO: a SystemLogLevel of WARN leaves them out.
            let shown = spec.systemLogLevel != "WARN"
            if shown { lines.append(platform.start) }
            lines += Self.lines(output)
            if shown { lines.append(platform.runtimeDone); lines.append(platform.report) }
        } else {
            lines.append("START RequestId: \(requestId) Version: \(spec.version)")
            lines += Self.lines(output)
            lines.append("END RequestId: \(requestId)")
            lines.append(report)
            if outcome == .timedOut && !initTimedOut {
                lines.append(SandboxMessages.timeoutLogLine(requestId: requestId, seconds: spec.timeoutSeconds, at: now))
            }
        }
        let stamp = Int64(now.timeIntervalSince1970 * 1000)
        logStore.append(group: spec.logGroupName, stream: logStream,
                        events: lines.map { LogEvent(timestamp: stamp, message: $0) })

        var tail: String?
        if invocation.input.wantLogTail {
            let text = Array((lines.joined(separator: "\n") + "\n").utf8)
            tail = String(decoding: text.suffix(4096), as: UTF8.self)
        }
        let result = InvocationOutput(
            payload: payload, functionError: outcome == .response ? nil : "Unhandled", logTail: tail,
            executedVersion: spec.version, durationMs: durationMs, billedDurationMs: billed,
            initDurationMs: coldInit, maxMemoryUsedMB: memoryUsed)
        invocation.continuation.resume(returning: (result, reusable: state.isIdle))
    }

    private func terminate() {
        initTimer?.cancel()
        parkedNext = nil
        listener?.close(promise: nil)
        listener = nil
        process?.kill()
        cleanUpIfExited()
    }

    private func processExited(_ exit: ProcessExit) {
        exitStatus = exit
        apply(state.transition(.processExited), reply: nil)
        cleanUpIfExited()
    }

    /// Releases the namespace, cgroup and pipe once the process is gone (or was never attached).
    private func cleanUpIfExited() {
        guard state.isShutDown, !cleanedUp, exitStatus != nil || process == nil else { return }
        guard let launched else { return }
        cleanedUp = true
        listener?.close(promise: nil)
        listener = nil
        process?.closeOutput()
        // Off the loop, which HTTP connections may share: removing a cgroup retries while it drains, and a network's
        // teardown may run commands; `EnvironmentNetwork` also promises its calls a dedicated thread.
        let (memory, network, handle, terminated) = (self.memory, self.network, launched.network, self.terminated)
        let thread = Thread {
            memory?.remove()
            network.destroy(handle)
            terminated.succeed(())
        }
        thread.name = "lv-env-cleanup"
        thread.stackSize = 256 << 10
        thread.start()
    }

    // MARK: helpers

    private static func ms(since start: UInt64) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000_000
    }

    /// `%.2f` without Foundation's formatter (two of these per invocation showed up in the profile).
    static func twoDecimals(_ value: Double) -> String {
        guard value.isFinite, value >= 0, value < 1e15 else { return String(format: "%.2f", value) }
        let hundredths = UInt64((value * 100).rounded())
        let cents = hundredths % 100
        return "\(hundredths / 100)." + (cents < 10 ? "0\(cents)" : "\(cents)")
    }

    /// One log event per line; awslambdaric joins multi-line messages with \r, which CloudWatch shows as line breaks.
    static func lines(_ bytes: [UInt8]) -> [String] {
        guard !bytes.isEmpty else { return [] }
        var out: [String] = []
        var start = 0
        for i in bytes.indices where bytes[i] == UInt8(ascii: "\n") {
            out.append(line(bytes[start..<i]))
            start = i + 1
        }
        if start < bytes.count { out.append(line(bytes[start...])) }
        return out
    }

    private static func line(_ slice: ArraySlice<UInt8>) -> String {
        guard slice.contains(UInt8(ascii: "\r")) else { return String(decoding: slice, as: UTF8.self) }
        return String(decoding: slice.map { $0 == UInt8(ascii: "\r") ? UInt8(ascii: "\n") : $0 }, as: UTF8.self)
    }

    private static func errorType(in body: [UInt8]) -> String? {
        (try? JSONSerialization.jsonObject(with: Data(body))) .flatMap { ($0 as? [String: Any])?["errorType"] as? String }
    }
}
