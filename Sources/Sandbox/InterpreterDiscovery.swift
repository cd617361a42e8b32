import Foundation

/// Why a runtime cannot run on this machine; the invoke fails with `Runtime.Unavailable` carrying this message.
struct RuntimeUnavailable: Error, Sendable, Equatable {
    var message: String
}

/// Where each runtime's own interpreter is looked for: `python3.M` and `node` on PATH (version managers' shims
/// skipped: they pick a version by directory, not by runtime), then pyenv's and nvm's installed versions. An
/// interpreter counts only when its version is the runtime's and (Python) it can import awslambdaric.
extension RuntimeCatalog {
    static func find(_ family: RuntimeFamily, runtime: String, python: String?, node: String?)
        -> Result<Interpreter, RuntimeUnavailable> {
        switch family {
        case .python(let minor): return findPython(minor: minor, runtime: runtime, configured: python)
        case .node(let major): return findNode(major: major, runtime: runtime, configured: node)
        case .provided: return .failure(RuntimeUnavailable(message: "\(runtime) needs no interpreter"))
        case .notBundled(let name):
            var message = "lambda-vpc has no runtime interface client for \(name); package the function for provided.al2023 "
                + "with a bootstrap instead"
            if name.hasPrefix("java"), let java = which("java") { message += " (Java is installed at \(java))" }
            return .failure(RuntimeUnavailable(message: message))
        }
    }

    private static func findPython(minor: Int, runtime: String, configured: String?) -> Result<Interpreter, RuntimeUnavailable> {
        let name = "python3.\(minor)"
        let script = "import sys; print(sys.version_info[1]); print(sys.executable); print(sys.prefix); print(sys.base_prefix); "
            + "import os, awslambdaric; print(os.path.dirname(os.path.dirname(os.path.abspath(awslambdaric.__file__))))"
        var withoutRIC: [String] = []
        let candidates = configured.map { [$0] } ?? (onPath(name) + installed(root: pyenvRoot(), prefix: "3.\(minor).",
                                                                                   binary: "bin/" + name))
        for candidate in candidates {
            guard let lines = probe(candidate, ["-c", script]) else {
                if probe(candidate, ["-c", "import sys; print(sys.version_info[1])"])?.first == String(minor) {
                    withoutRIC.append(candidate)
                }
                continue
            }
            guard lines.count >= 5, lines[0] == String(minor) else { continue }
            let dirs = lines[2...4].map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().path }
            return .success(Interpreter(executable: lines[1], files: dirs + [installPrefix(of: lines[1])]))
        }
        if let first = withoutRIC.first {
            return .failure(RuntimeUnavailable(message: "\(runtime): \(first) cannot import awslambdaric "
                + "(install it with: \(first) -m pip install awslambdaric)"))
        }
        return .failure(RuntimeUnavailable(message: "\(runtime): no \(name) interpreter on this machine "
            + "(looked for \(name) on PATH and in pyenv's versions)"))
    }

    private static func findNode(major: Int, runtime: String, configured: String?) -> Result<Interpreter, RuntimeUnavailable> {
        let home = FileManager.default.homeDirectoryForCurrentUser.path
        let nvm = ProcessInfo.processInfo.environment["NVM_DIR"] ?? home + "/.nvm"
        let candidates = configured.map { [$0] }
            ?? (onPath("node\(major)") + onPath("node") + installed(root: nvm + "/versions/node", prefix: "v\(major).", binary: "bin/node"))
        var seen: [String] = []
        for candidate in candidates {
            guard let version = probe(candidate, ["--version"])?.first else { continue }
            seen.append("\(candidate) is \(version)")
            if version.hasPrefix("v\(major).") {
                return .success(Interpreter(executable: candidate, files: [installPrefix(of: candidate)]))
            }
        }
        let found = seen.isEmpty ? "no node on this machine" : seen.joined(separator: ", ")
        return .failure(RuntimeUnavailable(message: "\(runtime) needs Node.js \(major): \(found)"))
    }

    /// Every `name` on PATH, version managers' shim directories left out, resolved to the real file.
    static func onPath(_ name: String) -> [String] {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        var out: [String] = []
        for dir in path.split(separator: ":") where !dir.contains("/shims") {
            let file = "\(dir)/\(name)"
            guard FileManager.default.isExecutableFile(atPath: file) else { continue }
            let real = URL(fileURLWithPath: file).resolvingSymlinksInPath().path
            if !out.contains(real) { out.append(real) }
        }
        return out
    }

    static func which(_ name: String) -> String? { onPath(name).first }

    /// `root/<prefix>*/binary` for installed versions, newest first (`3.12.10` before `3.12.9`).
    static func installed(root: String, prefix: String, binary: String) -> [String] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).filter { $0.hasPrefix(prefix) }
        let version = { (name: String) in name.split(separator: ".").compactMap { Int($0.filter(\.isNumber)) } }
        let sorted = names.sorted { a, b in version(b).lexicographicallyPrecedes(version(a)) }
        return sorted.map { "\(root)/\($0)/\(binary)" }.filter { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func pyenvRoot() -> String {
        (ProcessInfo.processInfo.environment["PYENV_ROOT"] ?? FileManager.default.homeDirectoryForCurrentUser.path + "/.pyenv")
            + "/versions"
    }
}
