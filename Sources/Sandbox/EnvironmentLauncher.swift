import CSandbox
import Foundation

/// What it takes to start an environment's runtime process.
struct LaunchRequest: Sendable {
    var environmentId: String
    var executable: String
    var arguments: [String]
    /// Built once the Runtime API port is known: `KEY=VALUE` entries, the complete environment of the process.
    var environment: @Sendable (_ runtimeAPI: String) -> [String]
    var workingDirectory: String
    var attachment: NetworkAttachment?
    /// nil runs the process on the host's file system as the server's user (no isolation available).
    var isolation: Isolation?
}

/// The namespaces, view and identity a runtime process gets (see `SandboxView`).
struct Isolation: Sendable {
    /// nil keeps the host's tree (instances) with `view`'s steps laid over it.
    var rootDirectory: String?
    var view: SandboxView
    var hostname: String
    /// nil keeps root with its capabilities (an instance's own root).
    var user: (uid: Int32, gid: Int32)?
    /// `cgroup.procs` files joined before the process runs anything.
    var cgroupProcs: [String]
}

/// A started environment's kernel-side resources, before the pool wraps them.
struct LaunchedEnvironment: Sendable {
    var network: EnvironmentNetworkHandle
    var listenFd: Int32
    var runtimeAPI: String
    var pid: pid_t
    var outputFd: Int32
    /// How long creating the network namespace (and attaching it) and spawning the runtime took, for the debug log.
    var networkMs: Double = 0
    var spawnMs: Double = 0
}

/// Starts runtime processes. Namespace work happens on a fresh thread that is the only one ever to change namespace:
/// the listening socket is created and the process spawned from inside the environment's namespace (both inherit it),
/// then the thread returns home and ends. No Swift concurrency thread ever changes namespace.
enum EnvironmentLauncher {
    /// Inside a namespace the Runtime API sits where AWS puts it.
    static let isolatedPort = 9001

    static func launch(_ request: LaunchRequest, network: any EnvironmentNetwork) async throws -> LaunchedEnvironment {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try launchHere(request, network: network) })
            }
            thread.name = "lv-env-launch"
            thread.stackSize = 512 << 10
            thread.start()
        }
    }

    private static func launchHere(_ request: LaunchRequest, network: any EnvironmentNetwork) throws -> LaunchedEnvironment {
        let began = DispatchTime.now().uptimeNanoseconds
        let handle = try network.create(environmentId: request.environmentId, attachment: request.attachment)
        let networked = DispatchTime.now().uptimeNanoseconds
        var home: Int32 = -1
        if let path = handle.namespacePath {
            home = lv_netns_open_current()
            let rc = home >= 0 ? lv_netns_enter(path, -1) : errno
            if rc != 0 {
                if home >= 0 { close(home) }
                network.destroy(handle)
                throw SandboxError.environmentStartFailed("entering \(path): \(String(cString: strerror(rc)))")
            }
        }
        defer {
            if home >= 0 {
                // Failing to return would leave this (exiting) thread elsewhere; nothing else runs on it.
                _ = lv_netns_enter(nil, home)
                close(home)
            }
        }
        do {
            var port: Int32 = 0
            let listenFd = lv_listen_loopback(Int32(handle.namespacePath == nil ? 0 : isolatedPort), &port)
            guard listenFd >= 0 else {
                throw SandboxError.environmentStartFailed("Runtime API listener: \(String(cString: strerror(errno)))")
            }
            var pipe: [Int32] = [-1, -1]
            let prc = lv_output_pipe(&pipe)
            guard prc == 0 else {
                close(listenFd)
                throw SandboxError.environmentStartFailed("pipe: \(String(cString: strerror(prc)))")
            }
            let runtimeAPI = "127.0.0.1:\(port)"
            var pid: pid_t = 0
            var stage: Int32 = 0
            let argv = [request.executable] + request.arguments
            let env = request.environment(runtimeAPI)
            let rc = request.isolation.map {
                Self.spawnIsolated($0, request.executable, argv, env, request.workingDirectory, pipe[1], &pid, &stage)
            } ?? spawn(request.executable, argv, env, request.workingDirectory, pipe[1], &pid)
            close(pipe[1])
            let spawned = DispatchTime.now().uptimeNanoseconds
            guard rc == 0 else {
                close(pipe[0])
                close(listenFd)
                // A missing or unrunnable executable is the function's problem (Runtime.InvalidEntrypoint); a sandbox
                // that cannot be built is the server's.
                if request.isolation == nil || stage == Self.execStage { throw LaunchFailure.spawn(errno: rc) }
                throw SandboxError.environmentStartFailed(
                    "sandbox step \(Self.describe(stage: stage, request.isolation)): \(String(cString: strerror(rc)))")
            }
            return LaunchedEnvironment(network: handle, listenFd: listenFd, runtimeAPI: runtimeAPI, pid: pid, outputFd: pipe[0],
                                       networkMs: Double(networked - began) / 1e6, spawnMs: Double(spawned - networked) / 1e6)
        } catch {
            network.destroy(handle)
            throw error
        }
    }

    /// `lv_sandbox_spawn`'s stage for a failed execve.
    static let execStage: Int32 = -9

    static func describe(stage: Int32, _ isolation: Isolation?) -> String {
        if stage >= 0, let steps = isolation?.view.steps, Int(stage) < steps.count {
            let step = steps[Int(stage)]
            return "\(step.kind) \(step.source ?? "") -> \(step.target)"
        }
        let names: [Int32: String] = [-1: "join cgroup", -2: "private mounts", -3: "root tmpfs", -4: "pivot_root",
                                      -5: "hostname", -6: "working directory", -7: "descriptors", -8: "drop privileges",
                                      -10: "clone"]
        return names[stage] ?? "\(stage)"
    }

    static func spawnIsolated(_ isolation: Isolation, _ path: String, _ argv: [String], _ envp: [String],
                                      _ cwd: String, _ out: Int32, _ pid: inout pid_t, _ stage: inout Int32) -> Int32 {
        var owned: [UnsafeMutablePointer<CChar>] = []
        defer { owned.forEach { free($0) } }
        func c(_ s: String?) -> UnsafePointer<CChar>? {
            guard let s, let p = strdup(s) else { return nil }
            owned.append(p)
            return UnsafePointer(p)
        }
        let mounts = isolation.view.steps.map { step in
            lv_mount(kind: step.kind.rawValue, source: c(step.source), target: c(step.target), data: c(step.data))
        }
        let procs: [UnsafePointer<CChar>?] = isolation.cgroupProcs.map { c($0) }
        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = envp.map { strdup($0) } + [nil]
        defer {
            cArgs.forEach { free($0) }
            cEnv.forEach { free($0) }
        }
        let root = c(isolation.rootDirectory), hostname = c(isolation.hostname), dir = c(cwd), exe = c(path)
        return mounts.withUnsafeBufferPointer { m in
            procs.withUnsafeBufferPointer { p in
                var sb = lv_sandbox(root: root, mounts: m.baseAddress, mount_count: Int32(m.count), hostname: hostname,
                                    cgroup_procs: p.baseAddress, cgroup_count: Int32(p.count),
                                    uid: isolation.user?.uid ?? -1, gid: isolation.user?.gid ?? -1, cwd: dir)
                return cArgs.withUnsafeBufferPointer { a in
                    cEnv.withUnsafeBufferPointer { e in
                        lv_sandbox_spawn(&sb, exe, a.baseAddress, e.baseAddress, out, &pid, &stage)
                    }
                }
            }
        }
    }

    private static func spawn(_ path: String, _ argv: [String], _ envp: [String], _ cwd: String, _ out: Int32,
                              _ pid: inout pid_t) -> Int32 {
        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = envp.map { strdup($0) } + [nil]
        defer {
            cArgs.forEach { free($0) }
            cEnv.forEach { free($0) }
        }
        return cArgs.withUnsafeBufferPointer { a in
            cEnv.withUnsafeBufferPointer { e in
                lv_spawn(path, a.baseAddress, e.baseAddress, cwd, out, &pid)
            }
        }
    }
}

/// The runtime's executable could not be started (missing, not executable).
enum LaunchFailure: Error, Equatable {
    case spawn(errno: Int32)
}
