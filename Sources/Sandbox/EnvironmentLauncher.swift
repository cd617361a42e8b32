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
}

/// A started environment's kernel-side resources, before the pool wraps them.
struct LaunchedEnvironment: Sendable {
    var network: EnvironmentNetworkHandle
    var listenFd: Int32
    var runtimeAPI: String
    var pid: pid_t
    var outputFd: Int32
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
        let handle = try network.create(environmentId: request.environmentId, attachment: request.attachment)
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
            let rc = spawn(request.executable, [request.executable] + request.arguments,
                           request.environment(runtimeAPI), request.workingDirectory, pipe[1], &pid)
            close(pipe[1])
            guard rc == 0 else {
                close(pipe[0])
                close(listenFd)
                throw LaunchFailure.spawn(errno: rc)
            }
            return LaunchedEnvironment(network: handle, listenFd: listenFd, runtimeAPI: runtimeAPI, pid: pid, outputFd: pipe[0])
        } catch {
            network.destroy(handle)
            throw error
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
