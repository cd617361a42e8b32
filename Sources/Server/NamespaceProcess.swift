import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A program started inside a named network namespace (`ip netns exec`, which enters it in the child, never in
/// this process) as the leader of its own process group, its stdout and stderr read into a `ConsoleLog` on a
/// dedicated thread until the last writer closes them.
final class NamespaceProcess: Sendable {
    let pid: pid_t

    /// Spawns `argv` in `namespace` with `directory` as its working directory and `environment` (`KEY=value`
    /// entries) as its whole environment.
    static func spawn(namespace: String, argv: [String], directory: String, environment: [String],
                      console: ConsoleLog) throws -> NamespaceProcess {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw RuntimeFailure("pipe: \(String(cString: strerror(errno)))") }
        let (readEnd, writeEnd) = (fds[0], fds[1])
        _ = fcntl(readEnd, F_SETFD, FD_CLOEXEC)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 1)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 2)
        // Nothing else of the server's (its listening socket, the database) may live on in the instance.
        guard let addCloseFrom, addCloseFrom(&actions, 3) == 0 else {
            close(readEnd); close(writeEnd)
            throw RuntimeFailure("instances need glibc 2.34 or later (posix_spawn_file_actions_addclosefrom_np)")
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own process group, so stopping the instance reaches every process the script started; default
        // signal handling, because the server ignores SIGINT/SIGTERM for itself.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGTERM)
        sigaddset(&defaults, SIGPIPE)
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &unblocked)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        // glibc's addchdir_np is a GNU extension Swift does not see: a shell enters the directory, then execs.
        // `cd` exports OLDPWD, the server's own directory, which is none of the program's business.
        let full = [ipTool, "netns", "exec", namespace, "/bin/sh", "-c", "cd \"$0\" && unset OLDPWD && exec \"$@\"", directory] + argv
        let cArgs = full.map { strdup($0) } + [nil]
        defer { cArgs.forEach { free($0) } }
        let cEnv = environment.map { strdup($0) } + [nil]
        defer { cEnv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, ipTool, &actions, &attributes, cArgs, cEnv)
        close(writeEnd)
        guard rc == 0 else {
            close(readEnd)
            throw RuntimeFailure("spawn \(full.joined(separator: " ")): \(String(cString: strerror(rc)))")
        }
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

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), looked up at run time: Swift does not import
    /// GNU extensions.
    private static let addCloseFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
        guard let p = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(p, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()

    static let ipTool: String = {
        for dir in ["/usr/sbin", "/sbin", "/usr/bin", "/bin"] where FileManager.default.isExecutableFile(atPath: dir + "/ip") {
            return dir + "/ip"
        }
        return "/usr/sbin/ip"
    }()
}

/// Why an instance could not be started.
struct RuntimeFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
