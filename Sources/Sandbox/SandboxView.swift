import Foundation

/// What an execution environment sees of the file system, planned as a list of mount steps (pure; applied by
/// `lv_sandbox_spawn` in CSandbox). Lambda's documented view: the OS and runtime read-only, the code read-only at
/// `/var/task`, layers at `/opt`, the runtime's support files at `/var/runtime`, a private `/tmp` of EphemeralStorage
/// size, a minimal `/dev` and the environment's own `/proc`. Nothing else of the host: no data dir, no other
/// function's code, no `/root`, `/home` or host `/tmp`.
struct SandboxView: Equatable, Sendable {
    /// One mount step; `target` is the path inside the environment.
    struct Step: Equatable, Sendable {
        enum Kind: Int32, Sendable { case bindReadOnly = 0, bindWritable, tmpfs, proc, symlink, directory, remountReadOnly }
        var kind: Kind
        var source: String?
        var target: String
        var data: String?
    }

    /// Where the code, the runtime support files and the layers are inside every environment (as on AWS).
    static let taskRoot = "/var/task"
    static let runtimeDir = "/var/runtime"
    static let layersDir = "/opt"
    /// AWS runs functions as `sbx_user1051` (uid 993, gid 990 on Amazon Linux).
    static let userId: Int32 = 993
    static let groupId: Int32 = 990

    var steps: [Step]

    /// The host's top-level layout the view copies: which system directories exist and which are links
    /// (`/bin -> usr/bin` on merged-/usr systems).
    struct HostLayout: Equatable, Sendable {
        var directories: [String]
        var links: [String: String]
        /// Where `/etc/resolv.conf` leads once its symbolic links are followed (`/run/systemd/resolve/stub-resolv.conf`
        /// under systemd-resolved), and whether that file exists: a generated resolv.conf is mounted there, since a
        /// mount on a link would follow it against the host's tree.
        var resolvConf = "/etc/resolv.conf"
        var resolvConfExists = true

        static let systemEntries = ["/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32", "/etc"]
    }

    /// - Parameters:
    ///   - codeDirectory: the unpacked deployment package on the host.
    ///   - runtimeSupport: the host's `runtimes/` folder (Node's runtime interface client), if any.
    ///   - runtimeFiles: host directories the runtime needs at their own path (an interpreter installed outside /usr).
    ///   - ephemeralStorageMB: the size of `/tmp` (EphemeralStorage, 512–10,240).
    ///   - layersDirectory: the function's layers merged in order, shown read-only at `/opt` (empty without layers).
    ///   - trust: the CA bundle shown over the system bundle's paths (the host's bundle without it).
    ///   - resolvConf: a host file shown read-only as `/etc/resolv.conf` (the VPC's resolver), nil for the host's own.
    static func plan(host: HostLayout, codeDirectory: String, runtimeSupport: String?, runtimeFiles: [String],
                     ephemeralStorageMB: Int, layersDirectory: String? = nil, trust: TrustBundle? = nil,
                     resolvConf: String? = nil) -> SandboxView {
        var steps: [Step] = []
        for entry in HostLayout.systemEntries {
            if let link = host.links[entry] {
                steps.append(Step(kind: .symlink, source: link, target: entry))
            } else if host.directories.contains(entry) {
                steps.append(Step(kind: .bindReadOnly, source: entry, target: entry))
            }
        }
        // Inside a read-only system directory only an existing file can be mounted over; elsewhere (systemd's /run)
        // the file is made on the view's own root.
        if let resolvConf, host.resolvConfExists || !Self.covered(host.resolvConf, by: host) {
            steps.append(Step(kind: .bindReadOnly, source: resolvConf, target: host.resolvConf))
        }
        for dir in Self.outermost(runtimeFiles) where !Self.covered(dir, by: host) {
            steps.append(Step(kind: .bindReadOnly, source: dir, target: dir))
        }
        steps += trust?.steps ?? []
        if let runtimeSupport { steps.append(Step(kind: .bindReadOnly, source: runtimeSupport, target: runtimeDir)) }
        steps.append(Step(kind: .bindReadOnly, source: codeDirectory, target: taskRoot))
        if let layersDirectory {
            steps.append(Step(kind: .bindReadOnly, source: layersDirectory, target: layersDir))
        } else {
            steps.append(Step(kind: .directory, target: layersDir))
        }
        steps.append(Step(kind: .tmpfs, target: "/tmp", data: "size=\(ephemeralStorageMB)m,mode=1777"))
        let devOptions = "size=64k,mode=0755"
        steps.append(Step(kind: .tmpfs, target: "/dev", data: devOptions))
        for node in ["null", "zero", "full", "random", "urandom"] {
            steps.append(Step(kind: .bindWritable, source: "/dev/" + node, target: "/dev/" + node))
        }
        steps.append(Step(kind: .symlink, source: "/proc/self/fd", target: "/dev/fd"))
        for (i, name) in ["stdin", "stdout", "stderr"].enumerated() {
            steps.append(Step(kind: .symlink, source: "/proc/self/fd/\(i)", target: "/dev/" + name))
        }
        steps.append(Step(kind: .remountReadOnly, target: "/dev", data: devOptions))
        steps.append(Step(kind: .proc, target: "/proc"))
        return SandboxView(steps: steps)
    }

    /// An EC2 instance's view: the host's tree (an instance is a whole machine with root) with a private `/tmp`, no
    /// data dir but the instance's own directory at its usual path (its home, so what it keeps there persists), no
    /// other namespace's pins (`/run/netns`) and its own `/proc`. Applied over the host's tree, so no `root` directory:
    /// the steps' targets are host paths. Bind sources are opened before any step, so hiding the data dir first does
    /// not hide the home.
    /// `trust`: the CA bundle shown over the host's bundle files. `resolvConf`: a host file shown read-only as the
    /// instance's `/etc/resolv.conf` (mounted where the host's leads, which must exist: nothing is created in the
    /// host's tree).
    static func instance(home: String, dataDir: String, trust: TrustBundle? = nil, resolvConf: String? = nil,
                         host: HostLayout = .current()) -> SandboxView {
        var steps = [
            Step(kind: .tmpfs, target: "/tmp", data: "mode=1777,size=512m"),
            Step(kind: .tmpfs, target: dataDir, data: "mode=0755,size=1m"),
            Step(kind: .bindWritable, source: home, target: home),
        ] + (trust?.steps ?? []) + [
            Step(kind: .tmpfs, target: "/run/netns", data: "mode=0755,size=1m"),
            Step(kind: .proc, target: "/proc"),
        ]
        if let resolvConf, host.resolvConfExists {
            steps.append(Step(kind: .bindReadOnly, source: resolvConf, target: host.resolvConf))
        }
        return SandboxView(steps: steps)
    }

    /// `ip-10-0-2-4`: the hostname EC2 gives an instance from its private address.
    static func instanceHostname(privateIp: String) -> String {
        "ip-" + privateIp.replacingOccurrences(of: ".", with: "-")
    }

    /// Drops directories inside another one of the list (the outer bind already shows them).
    static func outermost(_ dirs: [String]) -> [String] {
        let unique = Array(Set(dirs.map { $0.count > 1 && $0.hasSuffix("/") ? String($0.dropLast()) : $0 })).sorted()
        return unique.filter { dir in !unique.contains { $0 != dir && dir.hasPrefix($0 + "/") } }
    }

    /// True when `dir` is already visible through a system entry (an interpreter in /usr/bin needs nothing extra).
    private static func covered(_ dir: String, by host: HostLayout) -> Bool {
        HostLayout.systemEntries.contains { dir == $0 || dir.hasPrefix($0 + "/") }
    }
}

extension SandboxView.HostLayout {
    /// This machine's layout, read once at start.
    static func current() -> SandboxView.HostLayout {
        var directories: [String] = []
        var links: [String: String] = [:]
        for entry in systemEntries {
            if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: entry) {
                links[entry] = target
            } else {
                var isDir: ObjCBool = false
                if FileManager.default.fileExists(atPath: entry, isDirectory: &isDir), isDir.boolValue { directories.append(entry) }
            }
        }
        let resolv = resolveLinks("/etc/resolv.conf")
        return SandboxView.HostLayout(directories: directories, links: links, resolvConf: resolv,
                                      resolvConfExists: FileManager.default.fileExists(atPath: resolv))
    }

    /// `path` with its last component's symbolic links followed (at most 16), as an absolute path normalised by
    /// text alone (`..` and `.` removed; the directories on the way are taken as the view shows them, links or
    /// not); the target need not exist.
    static func resolveLinks(_ path: String) -> String {
        var current = path
        for _ in 0..<16 {
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: current) else { break }
            let base = (current as NSString).deletingLastPathComponent
            current = normalise(target.hasPrefix("/") ? target : base + "/" + target)
        }
        return current
    }

    static func normalise(_ path: String) -> String {
        var parts: [Substring] = []
        for c in path.split(separator: "/") {
            if c == "." { continue }
            if c == ".." { _ = parts.popLast(); continue }
            parts.append(c)
        }
        return "/" + parts.joined(separator: "/")
    }
}
