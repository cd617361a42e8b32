import Foundation
import Sandbox
#if canImport(Glibc)
import Glibc
#endif

/// A program started inside a named network namespace (isolated by `InstanceSandbox`; the namespace is entered on a
/// thread of its own, never by this process's others) as the leader of its own session, its stdout and stderr read
/// into a `ConsoleLog` on a dedicated thread until the last writer closes them.
final class NamespaceProcess: Sendable {
    let pid: pid_t

    /// Spawns `argv` (paths as the instance sees them) in `namespace`, isolated by `InstanceSandbox`: the instance's
    /// directory `hostHome` is its `/root` and working directory, `environment` (`KEY=value` entries) its whole
    /// environment. `onExit` is told the wait status once the program and every process holding its output ended.
    static func spawn(namespace: String, argv: [String], hostHome: String, dataDir: String, privateIp: String,
                      environment: [String], console: ConsoleLog, trust: TrustBundle? = nil,
                      resolvConf: String? = nil, onExit: (@Sendable (Int32) -> Void)? = nil) throws -> NamespaceProcess {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw RuntimeFailure("pipe: \(String(cString: strerror(errno)))") }
        let (readEnd, writeEnd) = (fds[0], fds[1])
        _ = fcntl(readEnd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(writeEnd, F_SETFD, FD_CLOEXEC)
        let pid: pid_t
        do {
            pid = try InstanceSandbox.spawn(namespacePath: "/run/netns/" + namespace, hostHome: hostHome, dataDir: dataDir,
                                            privateIp: privateIp, argv: argv, environment: environment, outputFd: writeEnd,
                                            trust: trust, resolvConf: resolvConf)
        } catch {
            close(readEnd); close(writeEnd)
            throw RuntimeFailure("spawn \(argv.joined(separator: " ")): \(error)")
        }
        close(writeEnd)
        let process = NamespaceProcess(pid: pid)
        let child = pid
        let reader = Thread {
            var buffer = [UInt8](repeating: 0, count: 16384)
            while true {
                let n = read(readEnd, &buffer, buffer.count)
                if n > 0 { console.append(Data(buffer[0..<n])); continue }
                if n < 0 && errno == EINTR { continue }
                break
            }
            close(readEnd)
            console.close()
            var status: Int32 = 0
            while waitpid(child, &status, 0) < 0 && errno == EINTR {}
            onExit?(status)
        }
        reader.name = "lv-console-\(child)"
        reader.start()
        return process
    }

    private init(pid: pid_t) { self.pid = pid }

    /// SIGKILL to the whole process group.
    func killGroup() { _ = kill(-pid, SIGKILL) }

    /// Kills every process whose network namespace is `namespace` (what `ip netns pids` lists): the processes
    /// a previous server left behind after `kill -9`, and any that left the instance's process group.
    static func killAll(inNamespace namespace: String) {
        var target = stat()
        guard stat("/run/netns/" + namespace, &target) == 0 else { return }
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return }
        for entry in entries {
            guard let pid = pid_t(entry), pid != getpid() else { continue }
            var ns = stat()
            if stat("/proc/\(entry)/ns/net", &ns) == 0, ns.st_ino == target.st_ino, ns.st_dev == target.st_dev {
                _ = kill(pid, SIGKILL)
            }
        }
    }
}

/// Why an instance could not be started.
struct RuntimeFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
