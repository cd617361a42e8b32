import Foundation

/// MemorySize enforcement with cgroup v2, when the machine's unified hierarchy offers the memory controller:
/// `<cgroup2>/lv-sandbox/lv-env-<id>` with `memory.max` = MemorySize and no swap. Without it, nothing is enforced and
/// Max Memory Used comes from the process's peak RSS.
final class MemoryCgroup: Sendable {
    let path: String

    private init(path: String) { self.path = path }

    /// The parent `lv-sandbox` group, prepared once; nil when cgroup v2 memory control is unavailable.
    static let parent: String? = {
        guard let mounts = try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8) else { return nil }
        var root: String?
        for line in mounts.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count > 2 && fields[2] == "cgroup2" { root = String(fields[1]); break }
        }
        guard let root else { return nil }
        guard let controllers = try? String(contentsOfFile: root + "/cgroup.controllers", encoding: .utf8),
              controllers.split(whereSeparator: \.isWhitespace).contains("memory") else { return nil }
        let parent = root + "/lv-sandbox"
        try? FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        guard write("+memory", to: root + "/cgroup.subtree_control") || subtreeHasMemory(root),
              write("+memory", to: parent + "/cgroup.subtree_control") || subtreeHasMemory(parent) else { return nil }
        return parent
    }()

    /// A group for one environment, limited to `megabytes`; nil when unavailable.
    static func create(environmentId: String, megabytes: Int) -> MemoryCgroup? {
        guard let parent else { return nil }
        let path = parent + "/lv-env-" + environmentId
        guard (try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)) != nil else { return nil }
        _ = write(String(megabytes << 20), to: path + "/memory.max")
        _ = write("0", to: path + "/memory.swap.max")
        return MemoryCgroup(path: path)
    }

    func add(pid: pid_t) { _ = Self.write(String(pid), to: path + "/cgroup.procs") }

    func peakMB() -> Int? {
        guard let text = try? String(contentsOfFile: path + "/memory.peak", encoding: .utf8),
              let bytes = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) else { return nil }
        return max(1, (bytes + (1 << 20) - 1) >> 20)
    }

    /// Removes the (empty) group; the kernel refuses while processes remain, so it is retried briefly.
    func remove() {
        for _ in 0..<50 where rmdir(path) != 0 && errno == EBUSY { usleep(2000) }
    }

    private static func subtreeHasMemory(_ dir: String) -> Bool {
        ((try? String(contentsOfFile: dir + "/cgroup.subtree_control", encoding: .utf8)) ?? "").contains("memory")
    }

    private static func write(_ text: String, to file: String) -> Bool {
        let fd = open(file, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBytes { Glibc.write(fd, $0.baseAddress, $0.count) } == bytes.count
    }
}
