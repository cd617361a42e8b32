import CSandbox
import Foundation

/// The runtimes the sandbox starts and how: the real `awslambdaric` for Python, this project's `ric.js` for Node.js,
/// the package's own `bootstrap` for the OS-only runtimes.
public enum RuntimeFamily: Sendable, Equatable {
    case python
    case node
    case provided

    public static let supported: [String: RuntimeFamily] = [
        "python3.9": .python, "python3.10": .python, "python3.11": .python, "python3.12": .python, "python3.13": .python,
        "nodejs18.x": .node, "nodejs20.x": .node, "nodejs22.x": .node,
        "provided.al2": .provided, "provided.al2023": .provided,
    ]

    public init?(runtime: String) {
        guard let family = Self.supported[runtime] else { return nil }
        self = family
    }
}

/// Resolves interpreters and support files once, and turns a spec into the process to start.
final class RuntimeCatalog: Sendable {
    let python3: String?
    let node: String?
    let runtimesDir: String?
    /// Host directories Python needs at their own path inside a sandbox: its prefix, base prefix and the site
    /// directory holding awslambdaric.
    let pythonFiles: [String]

    init(config: SandboxConfig) {
        if let configured = config.python3Path {
            python3 = configured
            pythonFiles = [Self.installPrefix(of: configured)]
        } else if let found = Self.resolvePython() {
            python3 = found.first
            pythonFiles = Array(found.dropFirst())
        } else {
            python3 = nil
            pythonFiles = []
        }
        node = config.nodePath ?? Self.which("node")
        runtimesDir = config.runtimesDir ?? Self.findRuntimesDir()
    }

    /// Host directories a sandboxed runtime of `spec` needs beyond the OS (those inside /usr are visible anyway).
    func runtimeFiles(for spec: FunctionSpec) -> [String] {
        switch RuntimeFamily(runtime: spec.runtime) {
        case .python: return pythonFiles
        case .node: return node.map { [Self.installPrefix(of: $0)] } ?? []
        case .provided, nil: return []
        }
    }

    /// `/x/bin/tool` → `/x`: where an interpreter's installation lives (resolving links).
    static func installPrefix(of executable: String) -> String {
        let real = URL(fileURLWithPath: executable).resolvingSymlinksInPath()
        return real.deletingLastPathComponent().deletingLastPathComponent().path
    }

    /// (executable, arguments) for the runtime process, run with cwd = task root. `taskRoot` and `runtimeDir` are the
    /// paths the process sees (inside a sandbox: /var/task and /var/runtime).
    func command(for spec: FunctionSpec, taskRoot: String, runtimeDir: String?) throws -> (String, [String]) {
        switch RuntimeFamily(runtime: spec.runtime) {
        case .python:
            guard let python3 else { throw SandboxError.environmentStartFailed("python3 with awslambdaric not found") }
            return (python3, ["-m", "awslambdaric", spec.handler])
        case .node:
            guard let node else { throw SandboxError.environmentStartFailed("node not found") }
            guard let runtimeDir else { throw SandboxError.environmentStartFailed("runtimes/node/ric.js not found") }
            return (node, [runtimeDir + "/node/ric.js"])
        case .provided:
            return (taskRoot + "/bootstrap", [])
        case nil:
            throw SandboxError.unsupportedRuntime(spec.runtime)
        }
    }

    /// The process environment AWS gives a runtime (reference §5), after the function's own variables.
    func environment(for spec: FunctionSpec, taskRoot: String, runtimeDir: String?, logStream: String,
                     runtimeAPI: String) -> [String] {
        var env = spec.environment
        let binDirs = [python3, node].compactMap { $0.map { ($0 as NSString).deletingLastPathComponent } }
        var seen = Set<String>()
        let path = (binDirs + ["/usr/local/bin", "/usr/bin", "/bin"]).filter { seen.insert($0).inserted }
        let aws: [String: String] = [
            "AWS_LAMBDA_RUNTIME_API": runtimeAPI,
            "_HANDLER": spec.handler,
            "LAMBDA_TASK_ROOT": taskRoot,
            "LAMBDA_RUNTIME_DIR": runtimeDir ?? taskRoot,
            "AWS_REGION": spec.region,
            "AWS_DEFAULT_REGION": spec.region,
            "AWS_LAMBDA_FUNCTION_NAME": spec.name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": String(spec.memorySizeMB),
            "AWS_LAMBDA_FUNCTION_VERSION": spec.version,
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_LAMBDA_LOG_GROUP_NAME": spec.logGroupName,
            "AWS_LAMBDA_LOG_STREAM_NAME": logStream,
            // Dummy session credentials: a function calling AWS (or lambda-vpc) signs with something well-formed.
            "AWS_ACCESS_KEY_ID": "ASIAQLAMBDAVPCLOCAL1",
            "AWS_SECRET_ACCESS_KEY": "lambdavpc/local/secret/access/key/000000",
            "AWS_SESSION_TOKEN": "lambda-vpc-local-session-token",
            "TZ": ":UTC",
            "LANG": "en_US.UTF-8",
            "PATH": path.joined(separator: ":"),
            "LD_LIBRARY_PATH": "\(taskRoot):\(taskRoot)/lib",
        ]
        env.merge(aws) { _, awsValue in awsValue }
        // AWS leaves AWS_EXECUTION_ENV unset for the OS-only runtimes.
        if RuntimeFamily(runtime: spec.runtime) != .provided { env["AWS_EXECUTION_ENV"] = "AWS_Lambda_\(spec.runtime)" }
        if RuntimeFamily(runtime: spec.runtime) == .node { env["NODE_PATH"] = "\(taskRoot)/node_modules" }
        return env.map { "\($0.key)=\($0.value)" }.sorted()
    }

    private static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for dir in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") {
            return "\(dir)/\(name)"
        }
        return nil
    }

    /// The interpreter itself (pyenv and similar put shell-script shims on PATH that cost ~50 ms per start).
    /// [executable, prefix, base prefix, awslambdaric's site directory] of the interpreter.
    private static func resolvePython() -> [String]? {
        guard let shim = which("python3") else { return nil }
        // Own spawn + poll instead of Foundation's Process/FileHandle, whose reads trap on EINTR.
        var pipe: [Int32] = [-1, -1]
        guard lv_output_pipe(&pipe) == 0 else { return nil }
        let script = "import os, sys, awslambdaric; print(sys.executable); print(sys.prefix); print(sys.base_prefix); "
            + "print(os.path.dirname(os.path.dirname(os.path.abspath(awslambdaric.__file__))))"
        let args: [String] = [shim, "-c", script]
        let argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        let vars: [String] = ProcessInfo.processInfo.environment.map { "\($0.key)=\($0.value)" }
        let envp: [UnsafeMutablePointer<CChar>?] = vars.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) }; envp.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = argv.withUnsafeBufferPointer { a in envp.withUnsafeBufferPointer { e in
            lv_spawn(shim, a.baseAddress, e.baseAddress, nil, pipe[1], &pid) } }
        close(pipe[1])
        defer { close(pipe[0]) }
        guard rc == 0 else { return nil }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { lv_read_nonblocking(pipe[0], $0.baseAddress, UInt($0.count)) }
            if n == 0 { break }
            if n > 0 { output += chunk[0..<n] } else { _ = lv_poll2(pipe[0], -1) }
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let lines = String(decoding: output, as: UTF8.self).split(separator: "\n").suffix(4).map(String.init)
        guard status == 0, lines.count == 4, lines.allSatisfy({ $0.hasPrefix("/") }) else { return nil }
        return [lines[0]] + lines.dropFirst().map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().path }
            + [installPrefix(of: lines[0])]
    }

    private static func findRuntimesDir() -> String? {
        if let dir = ProcessInfo.processInfo.environment["LAMBDA_VPC_RUNTIMES_DIR"] { return dir }
        var candidates: [URL] = []
        var url = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath()
        for _ in 0..<6 {
            url.deleteLastPathComponent()
            candidates.append(url.appendingPathComponent("runtimes"))
        }
        // Sources/Sandbox/RuntimeCatalog.swift → <package>/runtimes, for builds run from their checkout.
        candidates.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("runtimes"))
        return candidates.first { FileManager.default.fileExists(atPath: $0.path + "/node/ric.js") }?.path
    }
}
