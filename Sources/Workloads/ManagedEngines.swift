import ControlPlane
import Foundation
import Logging
import NetworkFabric
import Sandbox
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The managed engines of RDS and ElastiCache made real (`ManagedEngineRuntime` on the network fabric): each runs
/// its `EngineRecipe` through `InstanceSandbox` in its interface's namespace, with its data in
/// `<data-dir>/<key>/` and its output in `<data-dir>/<key>.log`. The one place engines are supervised: a server
/// that dies is started again (after 1 s, doubling up to 30 s while it keeps dying young); stop sends SIGTERM
/// and, after a grace period, SIGKILL to the engine and everything left in its namespace.
public final class ManagedEngines: ManagedEngineRuntime {
    let fabric: LinuxFabric
    let dataDir: String
    let logger: Logger
    /// Makes the kernel match the latest store, so the engine's interface namespace exists.
    let converge: @Sendable () async -> Void
    /// How long a start may take before it counts as failed (MariaDB's first start initialises its data).
    let readyTimeout: TimeInterval = 120

    private final class Engine: Sendable {
        let spec: EngineSpec
        let namespace: String
        let process: NamespaceProcess
        let ready = Atomic<Bool>(false)
        let startedAt = Date()
        init(spec: EngineSpec, namespace: String, process: NamespaceProcess, exited: ExitFlag) {
            self.spec = spec; self.namespace = namespace; self.process = process; self.exitFlag = exited
        }
        let exitFlag: ExitFlag
        var hasExited: Bool { exitFlag.value.load(ordering: .acquiring) }
    }
    /// Whether a spawned engine ended, made before the spawn so its exit callback can hold it.
    private final class ExitFlag: Sendable { let value = Atomic<Bool>(false) }
    private struct Table { var engines: [String: Engine] = [:]; var backoff: [String: TimeInterval] = [:]; var closed = false }
    private let table = Mutex(Table())

    init(fabric: LinuxFabric, dataDir: String, logger: Logger, converge: @escaping @Sendable () async -> Void) {
        self.fabric = fabric
        self.dataDir = URL(fileURLWithPath: dataDir).standardizedFileURL.path
        self.logger = logger
        self.converge = converge
    }

    public func isRunning(_ spec: EngineSpec) -> Bool {
        guard let e = table.withLock({ $0.engines[spec.key] }) else { return false }
        return e.spec == spec && e.ready.load(ordering: .acquiring) && !e.hasExited
    }

    public func run(_ spec: EngineSpec) async throws {
        if isRunning(spec) { return }
        if let old = table.withLock({ $0.engines[spec.key] }), old.spec != spec || old.hasExited {
            await stop(key: spec.key)
        } else if let starting = table.withLock({ $0.engines[spec.key] }) {
            // Started (by a restart after a crash) and not ready yet: wait for it.
            try await waitReady(starting)
            return
        }
        let engine = try await start(spec)
        try await waitReady(engine)
    }

    public func stop(key: String) async {
        guard let e = table.withLock({ $0.engines.removeValue(forKey: key) }) else { return }
        await Self.terminate([e])
    }

    public func remove(key: String) async {
        await stop(key: key)
        try? FileManager.default.removeItem(atPath: home(key))
        try? FileManager.default.removeItem(atPath: home(key) + ".log")
        try? FileManager.default.removeItem(atPath: home(key) + ".resolv.conf")
    }

    public func snapshot(_ spec: EngineSpec, into snapshotKey: String, restart: Bool) async throws {
        await stop(key: spec.key)
        let target = home(snapshotKey)
        try? FileManager.default.removeItem(atPath: target)
        try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Self.copyTree(home(spec.key), to: target)
        logger.info("engine \(spec.key) copied to snapshot \(snapshotKey)")
        if restart { try await run(spec) }
    }

    public func removeSnapshot(key: String) async {
        try? FileManager.default.removeItem(atPath: home(key))
    }

    /// `cp -a`: the engines' files keep their owners (postgres, mysql) and modes.
    static func copyTree(_ source: String, to target: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/cp")
        p.arguments = ["-a", source, target]
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw RuntimeFailure("cp -a \(source) \(target) exited \(p.terminationStatus)") }
    }

    /// Stops every engine (server shutdown, before the fabric is torn down); no engine is restarted after this.
    func stopAll() async {
        let all = table.withLock { t -> [Engine] in
            t.closed = true
            defer { t.engines = [:] }
            return Array(t.engines.values)
        }
        await Self.terminate(all)
    }

    func home(_ key: String) -> String { dataDir + "/" + key }

    static let resolvConf = "options timeout:1 attempts:2\nnameserver 169.254.169.253\n"

    // MARK: Starting

    private func start(_ spec: EngineSpec) async throws -> Engine {
        if table.withLock({ $0.closed }) { throw RuntimeFailure("the server is stopping: \(spec.key) is not started") }
        await converge()
        let namespace = fabric.interfaceNamespace(spec.networkInterfaceId)
        guard FileManager.default.fileExists(atPath: "/run/netns/" + namespace) else {
            throw RuntimeFailure("namespace \(namespace) of \(spec.key) was not created")
        }
        // A previous server (killed with -9) may have left the engine running there: it starts afresh.
        NamespaceProcess.killAll(inNamespace: namespace)
        let dir = home(spec.key)
        // A restored instance starts from its snapshot's data.
        if let seed = spec.seed, !FileManager.default.fileExists(atPath: dir), FileManager.default.fileExists(atPath: home(seed)) {
            try FileManager.default.createDirectory(atPath: (dir as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Self.copyTree(home(seed), to: dir)
        }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        let recipe = EngineRecipe.make(spec, home: dir)
        for (name, text) in recipe.files {
            let path = dir + "/" + name
            try? FileManager.default.removeItem(atPath: path)
            guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
                throw RuntimeFailure("cannot write \(path)")
            }
        }
        let script = dir + "/start.sh"
        try? FileManager.default.removeItem(atPath: script)
        guard FileManager.default.createFile(atPath: script, contents: Data(recipe.script.utf8), attributes: [.posixPermissions: 0o700]) else {
            throw RuntimeFailure("cannot write \(script)")
        }
        // The VPC's resolver (at its link-local address), as an instance's: the host's resolver is not reachable
        // from the namespace, and MariaDB's setup waits out every lookup of the host's name otherwise.
        let resolvConf = dir + ".resolv.conf"
        guard FileManager.default.createFile(atPath: resolvConf, contents: Data(Self.resolvConf.utf8),
                                             attributes: [.posixPermissions: 0o644]) else {
            throw RuntimeFailure("cannot write \(resolvConf)")
        }
        let key = spec.key
        let flag = ExitFlag()
        let process = try NamespaceProcess.spawn(
            namespace: namespace, argv: ["/bin/sh", script], hostHome: dir, dataDir: dataDir, privateIp: spec.privateIp.description,
            environment: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=\(dir)", "LANG=C.UTF-8"],
            console: ConsoleLog(path: dir + ".log"), resolvConf: resolvConf,
            onExit: { [weak self] status in
                flag.value.store(true, ordering: .releasing)
                self?.exited(key, flag: flag, status: status)
            })
        let engine = Engine(spec: spec, namespace: namespace, process: process, exited: flag)
        // Stopping began while this one was being spawned: it ends at once rather than outlive the server.
        let admitted = table.withLock { t -> Bool in
            if t.closed { return false }
            t.engines[key] = engine
            return true
        }
        guard admitted else {
            process.killGroup()
            NamespaceProcess.killAll(inNamespace: namespace)
            throw RuntimeFailure("the server is stopping: \(key) is not started")
        }
        logger.info("engine \(key) (\(spec.kind.rawValue)) starting in \(namespace) (pid \(process.pid))")
        return engine
    }

    /// Returns once the engine listens (and PostgreSQL says `ready`); throws if it exits or the time runs out.
    private func waitReady(_ e: Engine) async throws {
        let recipe = EngineRecipe.make(e.spec, home: home(e.spec.key))
        let deadline = Date().addingTimeInterval(readyTimeout)
        while Date() < deadline {
            if e.hasExited { throw RuntimeFailure("engine \(e.spec.key) exited while starting; see \(home(e.spec.key)).log") }
            if Self.listens(pid: e.process.pid, port: recipe.port), recipe.postmasterPid.map(Self.postmasterReady) ?? true {
                e.ready.store(true, ordering: .releasing)
                table.withLock { $0.backoff[e.spec.key] = nil }
                logger.info("engine \(e.spec.key) ready")
                return
            }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        throw RuntimeFailure("engine \(e.spec.key) did not start listening within \(Int(readyTimeout)) s")
    }

    /// True when the network namespace of `pid` has a TCP socket listening on `port` (`/proc/PID/net/tcp`).
    static func listens(pid: pid_t, port: Int) -> Bool {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/net/tcp", encoding: .utf8) else { return false }
        let wanted = String(format: ":%04X", port)
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.count > 3, fields[1].hasSuffix(wanted), fields[3] == "0A" { return true }
        }
        return false
    }

    /// PostgreSQL writes its status (`starting`, `ready`) on the last line of `postmaster.pid`.
    static func postmasterReady(_ path: String) -> Bool {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return false }
        return text.split(separator: "\n").last.map { $0.trimmingCharacters(in: .whitespaces) == "ready" } ?? false
    }

    // MARK: Supervision

    /// The engine's process ended: unless it was stopped on purpose, it is started again after a back-off.
    private func exited(_ key: String, flag: ExitFlag, status: Int32) {
        let decision = table.withLock { t -> (Engine, TimeInterval)? in
            // Only the entry this process belongs to: a stopped engine was removed first, a newer one is not ours.
            guard !t.closed, let e = t.engines[key], e.exitFlag === flag else { return nil }
            // An engine that ran a minute counts as healthy: its next crash restarts at once-ish again.
            let previous = Date().timeIntervalSince(e.startedAt) > 60 ? 0 : (t.backoff[key] ?? 0)
            let delay = previous == 0 ? 1 : min(30, previous * 2)
            t.backoff[key] = delay
            return (e, delay)
        }
        guard let (engine, delay) = decision else { return }
        logger.warning("engine \(key) exited (status \(status)); starting it again in \(Int(delay)) s")
        Task { [weak self] in
            try? await Task.sleep(nanoseconds: UInt64(delay * 1_000_000_000))
            guard let self else { return }
            let current = self.table.withLock { $0.closed ? nil : $0.engines[key] }
            guard current === engine else { return }
            self.table.withLock { _ = $0.engines.removeValue(forKey: key) }
            do {
                let restarted = try await self.start(engine.spec)
                try await self.waitReady(restarted)
            } catch {
                self.logger.error("engine \(key) could not be started again: \(error)")
            }
        }
    }

    /// SIGTERM to each engine (servers shut down cleanly on it), SIGKILL to what is left after 5 s.
    private static func terminate(_ engines: [Engine]) async {
        for e in engines where !e.hasExited { _ = kill(e.process.pid, SIGTERM) }
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline, engines.contains(where: { !$0.hasExited }) {
            try? await Task.sleep(nanoseconds: 50_000_000)
        }
        for e in engines {
            e.process.killGroup()
            NamespaceProcess.killAll(inNamespace: e.namespace)
        }
    }
}
