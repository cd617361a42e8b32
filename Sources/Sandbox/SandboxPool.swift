import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// Runs invocations in execution environments: reuses warm ones, starts more for concurrent calls (within reserved and
/// account concurrency), reaps idle ones, discards broken ones. The control plane calls `invoke` through an adapter.
public final class SandboxPool: Sendable {
    public let config: SandboxConfig
    /// Every function's logs, by region; the CloudWatch Logs API reads them from here.
    public let logStores: RegionalLogStores
    /// The home region's logs.
    public var logs: FunctionLogStore { logStores.store(region: homeRegion) }
    let homeRegion: String
    /// True when each environment runs in its own network namespace.
    public var isolatesNetwork: Bool { network.isolates }
    /// True when each environment runs in the sandbox of `SandboxView` (own namespaces, unprivileged user).
    public let isolatesEnvironments: Bool
    /// How the sandbox and the memory limits stand, for the server's start and `/_lambda-vpc/health`.
    public var isolationStatus: [String: String] {
        ["environments": isolatesEnvironments
            ? "isolated (mount, PID, IPC, UTS namespaces; uid \(SandboxView.userId), no capabilities, no_new_privs)"
            : "not isolated: \(geteuid() == 0 ? "disabled" : "the server is not root")",
         "memoryLimit": ResourceCgroup.statusDescription]
    }

    private let logger: Logger
    private let group: MultiThreadedEventLoopGroup
    private let ownsGroup: Bool
    private let network: any EnvironmentNetwork
    private let catalog: RuntimeCatalog
    private let code: CodeStore
    private let hostLayout: SandboxView.HostLayout
    /// The empty directory each sandbox mounts its root on (in its own mount namespace, so all can share it).
    private let sandboxRoot: String
    private let state = Mutex(PoolState())
    private let reaper = Mutex<RepeatedTask?>(nil)

    private struct PoolState {
        var idle: [FunctionSpec: [IdleEntry]] = [:]
        var environments: [String: (env: ExecutionEnvironment, generation: Int)] = [:]
        var inFlightByFunction: [String: Int] = [:]
        var inFlight = 0
        var generation: [String: Int] = [:]
        /// Code no function version references any more (as of the last `removeUnusedCode`): environments running it
        /// are not kept once their invocation ends, so its directory can go.
        var retiredCode: Set<String> = []
        var shuttingDown = false
    }

    private struct IdleEntry {
        var env: ExecutionEnvironment
        var since: UInt64
    }

    /// `network`: nil picks namespaces when the process has CAP_NET_ADMIN (and `config.networkNamespaces` allows).
    /// `group`: event loops shared with the HTTP server (its owner shuts them down); an invocation then prefers an
    /// environment on the loop it runs on, so the Runtime API round trip stays on one thread. nil makes its own.
    public init(config: SandboxConfig, network: (any EnvironmentNetwork)? = nil, group: MultiThreadedEventLoopGroup? = nil,
                logger: Logger) {
        self.config = config
        self.logger = logger
        self.group = group ?? MultiThreadedEventLoopGroup(numberOfThreads: max(1, min(4, System.coreCount)))
        self.ownsGroup = group == nil
        let wantNamespaces = config.networkNamespaces ?? NamespaceNetwork.hasNetAdmin()
        self.network = network ?? (wantNamespaces ? NamespaceNetwork(dataDir: config.dataDir) : HostNetwork())
        self.catalog = RuntimeCatalog(config: config)
        self.isolatesEnvironments = config.isolation ?? (geteuid() == 0)
        self.hostLayout = SandboxView.HostLayout.current()
        self.sandboxRoot = config.dataDir + "/sandbox/root"
        try? FileManager.default.createDirectory(atPath: sandboxRoot, withIntermediateDirectories: true)
        self.code = CodeStore(dataDir: config.dataDir)
        self.homeRegion = config.homeRegion
        self.logStores = RegionalLogStores(root: config.dataDir + "/logs", homeRegion: config.homeRegion,
                                           maxBytesPerGroup: config.logRetentionBytesPerGroup, maxAgeSeconds: config.logRetentionSeconds)
        self.network.removeLeftovers()
        if !self.network.isolates {
            logger.warning("sandbox: no CAP_NET_ADMIN (or disabled): functions share the host network")
        }
        if !isolatesEnvironments {
            logger.warning("sandbox: not root: functions run as the server's user on the host's file system")
        }
        if case .unavailable(let reason) = ResourceCgroup.mode {
            logger.warning("sandbox: MemorySize is not enforced: \(reason)")
        }
        let interval = max(0.05, min(config.idleReapAfterSeconds / 2, 30))
        let task = self.group.next().scheduleRepeatedTask(initialDelay: .milliseconds(Int64(interval * 1000)),
                                                          delay: .milliseconds(Int64(interval * 1000))) { [self] _ in
            reapIdle()
            logStores.enforceRetention()
        }
        reaper.withLock { $0 = task }
    }

    /// Runs one invocation. Throws `SandboxError` when it cannot run (throttled, bad code, no runtime); a function that
    /// fails, times out or crashes is a normal output with `functionError` set.
    public func invoke(_ spec: FunctionSpec, _ input: InvocationInput, reservedConcurrency: Int? = nil,
                       invokedFunctionArn: String? = nil) async throws -> InvocationOutput {
        guard RuntimeFamily(runtime: spec.runtime) != nil else { throw SandboxError.unsupportedRuntime(spec.runtime) }
        let function = spec.functionArn
        var warm: ExecutionEnvironment? = try state.withLock { s in
            if s.shuttingDown { throw SandboxError.shutDown }
            let running = s.inFlightByFunction[function, default: 0]
            if let reserved = reservedConcurrency, running >= reserved {
                throw SandboxError.throttled(reason: .reservedFunctionConcurrentInvocationLimitExceeded)
            }
            if s.inFlight >= config.accountConcurrencyLimit {
                throw SandboxError.throttled(reason: .concurrentInvocationLimitExceeded)
            }
            s.inFlight += 1
            s.inFlightByFunction[function] = running + 1
            guard var list = s.idle[spec], !list.isEmpty else { return nil }
            // The most recently used one, preferably on this thread's event loop (no hop to reach it).
            let i = list.lastIndex { $0.env.loop.inEventLoop } ?? list.count - 1
            let env = list.remove(at: i).env
            s.idle[spec] = list.isEmpty ? nil : list
            return env
        }
        defer {
            state.withLock { s in
                s.inFlight -= 1
                s.inFlightByFunction[function, default: 1] -= 1
                if s.inFlightByFunction[function] == 0 { s.inFlightByFunction[function] = nil }
            }
        }
        let invokedArn = invokedFunctionArn ?? (spec.version == "$LATEST" ? function : "\(function):\(spec.version)")
        while true {
            let env: ExecutionEnvironment
            if let w = warm {
                env = w
            } else {
                let interpreter: Interpreter?
                switch catalog.interpreter(for: spec) {
                case .success(let found): interpreter = found
                case .failure(let missing): return Self.runtimeUnavailable(spec: spec, requestId: input.requestId, missing)
                }
                do {
                    env = try await startEnvironment(spec, interpreter: interpreter)
                } catch LaunchFailure.spawn {
                    return Self.invalidEntrypoint(spec: spec, requestId: input.requestId)
                }
            }
            guard let (output, reusable) = await env.invoke(input, invokedArn: invokedArn, warm: warm != nil) else {
                // A warm environment died while idle: AWS would have used another one; so do we.
                warm = nil
                continue
            }
            let keep: Bool = state.withLock { s in
                guard reusable, !s.shuttingDown, let entry = s.environments[env.id],
                      entry.generation == s.generation[function, default: 0],
                      !s.retiredCode.contains(spec.codeSha256) else { return false }
                s.idle[spec, default: []].append(IdleEntry(env: env, since: DispatchTime.now().uptimeNanoseconds))
                return true
            }
            if !keep && reusable { env.shutdown() }
            return output
        }
    }

    /// Drops the function's warm environments (its code or configuration changed); busy ones end after their invocation.
    public func invalidate(functionArn: String) {
        let victims: [ExecutionEnvironment] = state.withLock { s in
            s.generation[functionArn, default: 0] += 1
            var out: [ExecutionEnvironment] = []
            for key in s.idle.keys where key.functionArn == functionArn {
                out += s.idle[key]?.map(\.env) ?? []
                s.idle[key] = nil
            }
            return out
        }
        victims.forEach { $0.shutdown() }
    }

    /// Drops what is left of code no function version references: idle environments running it at once, busy ones
    /// after their invocation, and its unpacked directory as soon as no environment uses it. `referenced` is asked
    /// after the candidates are listed, so code that is new since then is never among them.
    public func removeUnusedCode(referenced: () -> Set<String>) {
        let listed = code.unpacked()
        let running: Set<String> = state.withLock { s in
            Set(s.environments.values.flatMap { [$0.env.spec.codeSha256] + ($0.env.spec.layersKey.map { [$0] } ?? []) })
        }
        let keep = referenced()
        let victims: [ExecutionEnvironment] = state.withLock { s in
            s.retiredCode = running.subtracting(keep)
            var out: [ExecutionEnvironment] = []
            for key in s.idle.keys where s.retiredCode.contains(key.codeSha256) || key.layersKey.map(s.retiredCode.contains) == true {
                out += s.idle[key]?.map(\.env) ?? []
                s.idle[key] = nil
            }
            return out
        }
        victims.forEach { $0.shutdown() }
        code.remove(listed.subtracting(keep), keeping: keep)
    }

    /// Shuts down environments idle longer than `olderThan` seconds (default: the configured idle time).
    public func reapIdle(olderThan seconds: Double? = nil) {
        let limit = UInt64((seconds ?? config.idleReapAfterSeconds) * 1e9)
        let now = DispatchTime.now().uptimeNanoseconds
        let victims: [ExecutionEnvironment] = state.withLock { s in
            var out: [ExecutionEnvironment] = []
            for (key, entries) in s.idle {
                let (old, fresh) = (entries.filter { now - $0.since >= limit }, entries.filter { now - $0.since < limit })
                out += old.map(\.env)
                s.idle[key] = fresh.isEmpty ? nil : fresh
            }
            return out
        }
        victims.forEach { $0.shutdown() }
    }

    /// Figures for tests, health and `doctor`.
    public struct Stats: Sendable, Equatable {
        public var environments: Int
        public var idle: Int
        public var inFlight: Int
    }

    public func stats(functionArn: String? = nil) -> Stats {
        state.withLock { s in
            let envs = s.environments.values.filter { functionArn == nil || $0.env.spec.functionArn == functionArn }
            let idle = s.idle.filter { functionArn == nil || $0.key.functionArn == functionArn }.values.reduce(0) { $0 + $1.count }
            let inFlight = functionArn.map { s.inFlightByFunction[$0, default: 0] } ?? s.inFlight
            return Stats(environments: envs.count, idle: idle, inFlight: inFlight)
        }
    }

    /// Stops every environment (killing running invocations) and waits until all are cleaned up.
    public func shutdown() async {
        let all: [ExecutionEnvironment]? = state.withLock { s in
            if s.shuttingDown { return nil }
            s.shuttingDown = true
            s.idle = [:]
            return s.environments.values.map(\.env)
        }
        guard let all else { return }
        reaper.withLock { $0?.cancel(); $0 = nil }
        for env in all { env.shutdown() }
        for env in all { try? await env.terminatedFuture.get() }
        ResourceCgroup.removeParents()
        if ownsGroup { try? await group.shutdownGracefully() }
    }

    // MARK: starting environments

    private func startEnvironment(_ spec: FunctionSpec, interpreter: Interpreter?) async throws -> ExecutionEnvironment {
        let codeDirectory = try await code.acquire(zipPath: spec.codeZipPath, sha256: spec.codeSha256)
        // Held while the environment lives (its /var/task is this directory); released on any way out before that.
        var handedOver = false
        defer { if !handedOver { code.release(sha256: spec.codeSha256) } }
        // The layers merged in order, held like the code (the environment's /opt is this directory).
        var acquiredLayers: String?
        if let key = spec.layersKey { acquiredLayers = try await code.acquire(zipPaths: spec.layers.map(\.zipPath), key: key) }
        let layersDirectory = acquiredLayers
        defer { if !handedOver, let key = spec.layersKey { code.release(sha256: key) } }
        let isolated = isolatesEnvironments
        let trust = config.trustBundle
        let taskRoot = isolated ? SandboxView.taskRoot : codeDirectory
        let runtimeDir = isolated ? catalog.runtimesDir.map { _ in SandboxView.runtimeDir } : catalog.runtimesDir
        let (executable, arguments) = try catalog.command(for: spec, interpreter: interpreter, taskRoot: taskRoot,
                                                          runtimeDir: runtimeDir)
        let id = RandomHex.make(8)
        let catalog = self.catalog
        let logStream = ExecutionEnvironment.newLogStreamName(version: spec.version)
        let resources = ResourceCgroup.create(environmentId: id, megabytes: spec.memorySizeMB)
        var isolation: Isolation?
        if isolated {
            let view = SandboxView.plan(host: hostLayout, codeDirectory: codeDirectory, runtimeSupport: catalog.runtimesDir,
                                        runtimeFiles: catalog.runtimeFiles(interpreter),
                                        ephemeralStorageMB: spec.ephemeralStorageMB, layersDirectory: layersDirectory,
                                        trust: config.trustBundle,
                                        resolvConf: spec.networkAttachment == nil ? nil : config.resolvConf)
            isolation = Isolation(rootDirectory: sandboxRoot, view: view, hostname: "localhost",
                                  user: (SandboxView.userId, SandboxView.groupId), cgroupProcs: resources?.joinFiles ?? [])
        }
        let request = LaunchRequest(
            environmentId: id, executable: executable, arguments: arguments,
            environment: { catalog.environment(for: spec, interpreter: interpreter, taskRoot: taskRoot, runtimeDir: runtimeDir,
                                               optRoot: isolated ? SandboxView.layersDir : layersDirectory,
                                               trust: trust?.environment(inView: isolated) ?? [:],
                                               logStream: logStream, runtimeAPI: $0) },
            workingDirectory: taskRoot, attachment: spec.networkAttachment, isolation: isolation)
        let began = DispatchTime.now().uptimeNanoseconds
        let launched: LaunchedEnvironment
        do {
            launched = try await EnvironmentLauncher.launch(request, network: network)
        } catch {
            resources?.remove()
            throw error
        }
        let launchedAt = DispatchTime.now().uptimeNanoseconds
        // The caller's loop when it runs on one of ours (see `init`), so its later invocations need no thread hop.
        let env = ExecutionEnvironment(id: id, spec: spec, logStream: logStream, loop: group.any(), logStore: logStores.store(region: spec.region),
                                       network: network, logger: logger)
        state.withLock { s in s.environments[id] = (env, s.generation[spec.functionArn, default: 0]) }
        handedOver = true
        env.terminatedFuture.whenComplete { [self] _ in
            forget(env)
            code.release(sha256: spec.codeSha256)
            if let key = spec.layersKey { code.release(sha256: key) }
        }
        try await env.attach(launched, initTimeoutSeconds: config.initTimeoutSeconds, resources: resources,
                             joinedCgroup: isolated)
        let ms = { (from: UInt64, to: UInt64) in String(Double(to - from) / 1e6) }
        logger.debug("sandbox: started environment", metadata: [
            "id": "\(id)", "function": "\(spec.name)",
            "launchMs": "\(ms(began, launchedAt))", "networkMs": "\(launched.networkMs)", "spawnMs": "\(launched.spawnMs)",
            "attachMs": "\(ms(launchedAt, DispatchTime.now().uptimeNanoseconds))"])
        return env
    }

    private func forget(_ env: ExecutionEnvironment) {
        state.withLock { s in
            s.environments[env.id] = nil
            if var list = s.idle[env.spec] {
                list.removeAll { $0.env === env }
                s.idle[env.spec] = list.isEmpty ? nil : list
            }
        }
    }

    /// The machine lacks the runtime's own interpreter (or lambda-vpc its runtime interface client): the invoke fails
    /// saying what is missing rather than running the function on another version.
    private static func runtimeUnavailable(spec: FunctionSpec, requestId: String, _ missing: RuntimeUnavailable) -> InvocationOutput {
        let body = SandboxMessages.json(["errorType": "Runtime.Unavailable",
                                         "errorMessage": "RequestId: \(requestId) Error: \(missing.message)"])
        return InvocationOutput(payload: Array(body.utf8), functionError: "Unhandled", logTail: nil,
                                executedVersion: spec.version, durationMs: 0, billedDurationMs: 0, initDurationMs: nil,
                                maxMemoryUsedMB: 0)
    }

    private static func invalidEntrypoint(spec: FunctionSpec, requestId: String) -> InvocationOutput {
        let body = SandboxMessages.json([
            "errorType": "Runtime.InvalidEntrypoint",
            "errorMessage": "RequestId: \(requestId) Error: Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]"])
        return InvocationOutput(payload: Array(body.utf8), functionError: "Unhandled", logTail: nil,
                                executedVersion: spec.version, durationMs: 0, billedDurationMs: 0, initDurationMs: nil,
                                maxMemoryUsedMB: 0)
    }
}
