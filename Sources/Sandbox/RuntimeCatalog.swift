import CSandbox
import Foundation
import Synchronization

/// The runtimes the sandbox starts and how: the real `awslambdaric` for Python, this project's `ric.js` for Node.js,
/// the package's own `bootstrap` for the OS-only runtimes. Each runs on its own interpreter version.
public enum RuntimeFamily: Sendable, Hashable {
    /// `python3.M`
    case python(minor: Int)
    /// `nodejsN.x`
    case node(major: Int)
    case provided
    /// A runtime Lambda offers whose runtime interface client this project does not bundle (Java, Ruby, .NET).
    case notBundled(String)

    public init?(runtime: String) {
        if runtime.hasPrefix("python3."), let minor = Int(runtime.dropFirst("python3.".count)) {
            self = .python(minor: minor)
        } else if runtime.hasPrefix("nodejs"), runtime.hasSuffix(".x"), let major = Int(runtime.dropFirst(6).dropLast(2)) {
            self = .node(major: major)
        } else if runtime == "provided.al2" || runtime == "provided.al2023" {
            self = .provided
        } else if ["java", "ruby", "dotnet"].contains(where: runtime.hasPrefix) {
            self = .notBundled(runtime)
        } else {
            return nil
        }
    }
}

/// An interpreter found for one runtime: what to execute and the host directories it needs inside a sandbox (its
/// installation and, for Python, the site directory holding awslambdaric).
struct Interpreter: Sendable, Equatable {
    var executable: String
    var files: [String]
}

/// Finds each runtime's own interpreter once (on first use), and turns a spec into the process to start.
final class RuntimeCatalog: Sendable {
    let runtimesDir: String?
    private let configuredPython: String?
    private let configuredNode: String?
    private let found = Mutex<[RuntimeFamily: Result<Interpreter, RuntimeUnavailable>]>([:])

    init(config: SandboxConfig) {
        configuredPython = config.python3Path
        configuredNode = config.nodePath
        runtimesDir = config.runtimesDir ?? Self.findRuntimesDir()
    }

    /// The interpreter for `spec`'s runtime (nil for the OS-only runtimes), or why the machine cannot run it. A
    /// runtime is never run on another version than its own.
    func interpreter(for spec: FunctionSpec) -> Result<Interpreter?, RuntimeUnavailable> {
        guard let family = RuntimeFamily(runtime: spec.runtime) else {
            return .failure(RuntimeUnavailable(message: "lambda-vpc does not know the runtime \(spec.runtime)"))
        }
        if case .provided = family { return .success(nil) }
        if let known = found.withLock({ $0[family] }) { return known.map { $0 } }
        let result = Self.find(family, runtime: spec.runtime, python: configuredPython, node: configuredNode)
        found.withLock { $0[family] = result }
        return result.map { $0 }
    }

    /// Host directories a sandboxed runtime needs beyond the OS (those inside /usr are visible anyway).
    func runtimeFiles(_ interpreter: Interpreter?) -> [String] { interpreter?.files ?? [] }

    /// `/x/bin/tool` → `/x`: where an interpreter's installation lives (resolving links).
    static func installPrefix(of executable: String) -> String {
        let real = URL(fileURLWithPath: executable).resolvingSymlinksInPath()
        return real.deletingLastPathComponent().deletingLastPathComponent().path
    }

    /// (executable, arguments) for the runtime process, run with cwd = task root. `taskRoot` and `runtimeDir` are the
    /// paths the process sees (inside a sandbox: /var/task and /var/runtime).
    func command(for spec: FunctionSpec, interpreter: Interpreter?, taskRoot: String,
                 runtimeDir: String?) throws -> (String, [String]) {
        switch RuntimeFamily(runtime: spec.runtime) {
        case .python:
            guard let interpreter else { throw SandboxError.environmentStartFailed("no Python interpreter") }
            return (interpreter.executable, ["-m", "awslambdaric", spec.handler])
        case .node:
            guard let interpreter else { throw SandboxError.environmentStartFailed("no node") }
            guard let runtimeDir else { throw SandboxError.environmentStartFailed("runtimes/node/ric.js not found") }
            return (interpreter.executable, [runtimeDir + "/node/ric.js"])
        case .provided:
            return (taskRoot + "/bootstrap", [])
        case .notBundled, nil:
            throw SandboxError.unsupportedRuntime(spec.runtime)
        }
    }

    /// The process environment AWS gives a runtime (reference §5), after the function's own variables.
    /// `optRoot`: where the environment sees its layers (`/opt` in the sandbox, the merged directory without it).
    /// `trust`: the CA bundle variables (`TrustBundle`); a function's own value of one of them wins.
    func environment(for spec: FunctionSpec, interpreter: Interpreter?, taskRoot: String, runtimeDir: String?,
                     optRoot: String? = nil, trust: [String: String] = [:], logStream: String, runtimeAPI: String) -> [String] {
        let opt = optRoot ?? SandboxView.layersDir
        var env = spec.environment
        let binDirs = [interpreter?.executable].compactMap { $0.map { ($0 as NSString).deletingLastPathComponent } }
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
            // The execution role's session; without one (a sandbox used on its own) a well-formed stand-in.
            "AWS_ACCESS_KEY_ID": spec.credentials?.accessKeyId ?? "ASIAQLAMBDAVPCLOCAL1",
            "AWS_SECRET_ACCESS_KEY": spec.credentials?.secretAccessKey ?? "lambdavpc/local/secret/access/key/000000",
            "AWS_SESSION_TOKEN": spec.credentials?.sessionToken ?? "lambda-vpc-local-session-token",
            "TZ": ":UTC",
            "LANG": "en_US.UTF-8",
            "PATH": (path + [opt + "/bin"]).joined(separator: ":"),
            "LD_LIBRARY_PATH": "\(taskRoot):\(taskRoot)/lib:\(opt)/lib",
        ]
        env.merge(aws) { _, awsValue in awsValue }
        env.merge(trust) { own, _ in own }
        // AWS leaves AWS_EXECUTION_ENV unset for the OS-only runtimes.
        let family = RuntimeFamily(runtime: spec.runtime)
        if family != .provided { env["AWS_EXECUTION_ENV"] = "AWS_Lambda_\(spec.runtime)" }
        // Where AWS's runtimes look for what layers bring (`python/`, `nodejs/node_modules/` in a layer's archive).
        if spec.runtime.hasPrefix("python") {
            env["PYTHONPATH"] = "\(opt)/python/lib/\(spec.runtime)/site-packages:\(opt)/python"
        }
        if case .node = family {
            let major = spec.runtime.dropFirst("nodejs".count).prefix { $0.isNumber }
            env["NODE_PATH"] = "\(opt)/nodejs/node\(major)/node_modules:\(opt)/nodejs/node_modules:\(taskRoot)/node_modules"
        }
        if spec.logFormat == "JSON" {
            env["AWS_LAMBDA_LOG_FORMAT"] = "JSON"
            if let level = spec.applicationLogLevel { env["AWS_LAMBDA_LOG_LEVEL"] = level }
        }
        return env.map { "\($0.key)=\($0.value)" }.sorted()
    }

    /// Runs `executable args...` with the server's environment and returns its stdout lines, nil when it fails. Own
    /// spawn + poll instead of Foundation's Process/FileHandle, whose reads trap on EINTR.
    static func probe(_ executable: String, _ args: [String]) -> [String]? {
        var pipe: [Int32] = [-1, -1]
        guard lv_output_pipe(&pipe) == 0 else { return nil }
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + args).map { strdup($0) } + [nil]
        let vars: [String] = ProcessInfo.processInfo.environment.map { "\($0.key)=\($0.value)" }
        let envp: [UnsafeMutablePointer<CChar>?] = vars.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) }; envp.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = argv.withUnsafeBufferPointer { a in envp.withUnsafeBufferPointer { e in
            lv_spawn(executable, a.baseAddress, e.baseAddress, nil, pipe[1], &pid) } }
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
        guard status == 0 else { return nil }
        return String(decoding: output, as: UTF8.self).split(separator: "\n").map(String.init)
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
