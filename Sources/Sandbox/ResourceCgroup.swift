import Foundation

/// MemorySize enforced and CPU weighted by memory, as on Lambda, through the machine's cgroups: the unified (v2)
/// hierarchy when it offers the memory controller, else the v1 `memory` and `cpu` hierarchies (hybrid machines keep
/// memory on v1). Each environment gets `lv-sandbox/lv-env-<server pid>-<id>` with its limit, no swap, and a CPU weight that grows
/// with MemorySize; the runtime process joins it before it runs anything.
final class ResourceCgroup: Sendable {
    /// The hierarchy in use, found once.
    enum Mode: Sendable, Equatable {
        case unified(parent: String)
        case v1(memoryParent: String, cpuParent: String?)
        case unavailable(reason: String)
    }

    /// The group's directories, one per hierarchy (v2: one).
    let directories: [String]
    private let mode: Mode

    private init(directories: [String], mode: Mode) {
        self.directories = directories
        self.mode = mode
    }

    static let mode: Mode = findMode()

    /// One line for the server's start and `/_lambda-vpc/health`.
    static var statusDescription: String {
        switch mode {
        case .unified: return "enforced (cgroup v2 memory.max, cpu.weight)"
        case .v1: return "enforced (cgroup v1 memory.limit_in_bytes, cpu.shares)"
        case .unavailable(let reason): return "not enforced: \(reason)"
        }
    }

    /// A group for one environment limited to `megabytes`; nil when unavailable or the group cannot be made.
    static func create(environmentId: String, megabytes: Int) -> ResourceCgroup? {
        let name = "/lv-env-\(getpid())-" + environmentId
        let bytes = String(megabytes << 20)
        switch mode {
        case .unavailable:
            return nil
        case .unified(let parent):
            let dir = parent + name
            // The parent may have been removed by another pool's shutdown in this process: make it again.
            if mkdir(parent, 0o755) == 0 {
                for c in ["memory", "cpu"] { _ = write("+" + c, to: parent + "/cgroup.subtree_control") }
            }
            guard mkdir(dir, 0o755) == 0 else { return nil }
            _ = write(bytes, to: dir + "/memory.max")
            _ = write("0", to: dir + "/memory.swap.max")
            _ = write(String(cpuWeight(megabytes: megabytes)), to: dir + "/cpu.weight")
            return ResourceCgroup(directories: [dir], mode: mode)
        case .v1(let memoryParent, let cpuParent):
            let dir = memoryParent + name
            _ = mkdir(memoryParent, 0o755)
            if let cpuParent { _ = mkdir(cpuParent, 0o755) }
            guard mkdir(dir, 0o755) == 0 else { return nil }
            _ = write(bytes, to: dir + "/memory.limit_in_bytes")
            // memsw (memory + swap) must not be below the memory limit, so it is set second.
            _ = write(bytes, to: dir + "/memory.memsw.limit_in_bytes")
            var dirs = [dir]
            if let cpuParent, mkdir(cpuParent + name, 0o755) == 0 {
                _ = write(String(cpuShares(megabytes: megabytes)), to: cpuParent + name + "/cpu.shares")
                dirs.append(cpuParent + name)
            }
            return ResourceCgroup(directories: dirs, mode: mode)
        }
    }

    /// Lambda gives CPU in proportion to memory (a full vCPU at 1,769 MB); weights keep that proportion under contention.
    static func cpuWeight(megabytes: Int) -> Int { min(10000, max(1, megabytes / 16)) }
    static func cpuShares(megabytes: Int) -> Int { min(262_144, max(2, megabytes * 2)) }

    /// The files a new (single-threaded) process writes `0` into to join. On v1 that is `tasks`: moving only the
    /// calling thread skips the kernel's threadgroup lock, whose RCU grace period made each join cost 7-15 ms of cold
    /// start; v2 has only `cgroup.procs`.
    var joinFiles: [String] {
        if case .unified = mode { return directories.map { $0 + "/cgroup.procs" } }
        return directories.map { $0 + "/tasks" }
    }

    /// The `cgroup.procs` files (to move a running process in from outside).
    var procsFiles: [String] { directories.map { $0 + "/cgroup.procs" } }

    /// Peak memory of the group (including the page cache it caused, as Lambda's Max Memory Used), in MB.
    func peakMB() -> Int? {
        let file: String
        switch mode {
        case .unified: file = "/memory.peak"
        case .v1: file = "/memory.max_usage_in_bytes"
        case .unavailable: return nil
        }
        guard let text = try? String(contentsOfFile: directories[0] + file, encoding: .utf8),
              let bytes = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) else { return nil }
        return max(1, (bytes + (1 << 20) - 1) >> 20)
    }

    /// True once the kernel's out-of-memory killer has killed a process of this group.
    func outOfMemoryKilled() -> Bool {
        let file: String
        switch mode {
        case .unified: file = "/memory.events"
        case .v1: file = "/memory.oom_control"
        case .unavailable: return false
        }
        guard let text = try? String(contentsOfFile: directories[0] + file, encoding: .utf8) else { return false }
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2, parts[0] == "oom_kill", let n = Int(parts[1]) { return n > 0 }
        }
        return false
    }

    /// At shutdown: the `lv-sandbox` parents go too once no server's groups are left in them (rmdir refuses otherwise).
    static func removeParents() {
        switch mode {
        case .unified(let parent): _ = rmdir(parent)
        case .v1(let memoryParent, let cpuParent):
            _ = rmdir(memoryParent)
            if let cpuParent { _ = rmdir(cpuParent) }
        case .unavailable: break
        }
    }

    /// Removes the (empty) groups; the kernel refuses while processes remain, so it is retried briefly.
    func remove() {
        for dir in directories {
            for _ in 0..<50 where rmdir(dir) != 0 && errno == EBUSY { usleep(2000) }
        }
    }

    private static func findMode() -> Mode {
        guard let mounts = try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8) else {
            return .unavailable(reason: "/proc/self/mounts is unreadable")
        }
        var unified: String?
        var v1: [String: String] = [:]
        for line in mounts.split(separator: "\n") {
            let f = line.split(separator: " ")
            guard f.count > 3 else { continue }
            if f[2] == "cgroup2" && unified == nil { unified = String(f[1]) }
            if f[2] == "cgroup" {
                for option in f[3].split(separator: ",") where option == "memory" || option == "cpu" {
                    v1[String(option)] = String(f[1])
                }
            }
        }
        if let root = unified, controllers(root).contains("memory") {
            let parent = root + "/lv-sandbox"
            _ = mkdir(parent, 0o755)
            let enabled = ["memory", "cpu"].allSatisfy { c in
                !controllers(root).contains(c)
                    || ((write("+" + c, to: root + "/cgroup.subtree_control") || subtree(root).contains(c))
                        && (write("+" + c, to: parent + "/cgroup.subtree_control") || subtree(parent).contains(c)))
            }
            if enabled && subtree(parent).contains("memory") {
                sweep(parent)
                return .unified(parent: parent)
            }
        }
        if let memoryRoot = v1["memory"] {
            let memoryParent = memoryRoot + "/lv-sandbox"
            if mkdir(memoryParent, 0o755) == 0 || errno == EEXIST, access(memoryParent + "/cgroup.procs", W_OK) == 0 {
                sweep(memoryParent)
                var cpuParent: String?
                if let cpuRoot = v1["cpu"], mkdir(cpuRoot + "/lv-sandbox", 0o755) == 0 || errno == EEXIST {
                    cpuParent = cpuRoot + "/lv-sandbox"
                    sweep(cpuRoot + "/lv-sandbox")
                }
                return .v1(memoryParent: memoryParent, cpuParent: cpuParent)
            }
        }
        if unified == nil && v1.isEmpty { return .unavailable(reason: "no cgroup file system is mounted") }
        if geteuid() != 0 { return .unavailable(reason: "the server is not root, so it cannot make cgroups") }
        return .unavailable(reason: "no writable memory controller (cgroup v2 without memory, and no cgroup v1 memory)")
    }

    /// Groups a killed server left behind (named after its pid; empty once their processes are gone). Groups of
    /// servers still running are theirs.
    private static func sweep(_ parent: String) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []
        for name in names where name.hasPrefix("lv-env-") {
            let owner = name.dropFirst("lv-env-".count).split(separator: "-").first.flatMap { Int32($0) }
            if let owner, owner == getpid() || kill(owner, 0) == 0 || errno == EPERM { continue }
            _ = rmdir(parent + "/" + name)
        }
    }

    private static func controllers(_ dir: String) -> [Substring] {
        ((try? String(contentsOfFile: dir + "/cgroup.controllers", encoding: .utf8)) ?? "").split(whereSeparator: \.isWhitespace)
    }

    private static func subtree(_ dir: String) -> [Substring] {
        ((try? String(contentsOfFile: dir + "/cgroup.subtree_control", encoding: .utf8)) ?? "").split(whereSeparator: \.isWhitespace)
    }

    fileprivate static func write(_ text: String, to file: String) -> Bool {
        let fd = open(file, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) } == bytes.count
    }
}

extension ResourceCgroup {
    /// Moves an already running process in (when it could not join by itself before it ran).
    func add(pid: pid_t) {
        for file in procsFiles { _ = Self.write(String(pid), to: file) }
    }
}
