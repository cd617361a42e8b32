import Foundation
import Logging
@testable import Sandbox

/// A temporary data directory, deployment packages built with `zip`, and a pool to run them in.
final class SandboxFixture: Sendable {
    let dataDir: String
    let pool: SandboxPool

    init(idleReapAfterSeconds: Double = 300, accountConcurrencyLimit: Int = 1000) {
        dataDir = NSTemporaryDirectory() + "lv-sandbox-test-" + UUID().uuidString.prefix(8)
        try? FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
        var logger = Logger(label: "sandbox-test")
        logger.logLevel = .warning
        pool = SandboxPool(config: SandboxConfig(dataDir: dataDir, idleReapAfterSeconds: idleReapAfterSeconds,
                                                 accountConcurrencyLimit: accountConcurrencyLimit), logger: logger)
    }

    /// Builds a zip of `files` (name → (content, executable)) and a spec for it.
    func function(_ name: String, runtime: String, handler: String, files: [String: (String, Bool)],
                  timeout: Int = 10, memory: Int = 128, environment: [String: String] = [:]) throws -> FunctionSpec {
        let src = dataDir + "/src-" + name
        try FileManager.default.createDirectory(atPath: src, withIntermediateDirectories: true)
        for (file, (content, executable)) in files {
            let path = src + "/" + file
            try content.write(toFile: path, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: executable ? 0o755 : 0o644], ofItemAtPath: path)
        }
        let zip = dataDir + "/" + name + ".zip"
        try run("/usr/bin/zip", ["-q", "-r", zip, "."], cwd: src)
        let sha = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        return FunctionSpec(name: name, functionArn: "arn:aws:lambda:us-east-1:123456789012:function:\(name)",
                            runtime: runtime, handler: handler, codeZipPath: zip, codeSha256: sha, memorySizeMB: memory,
                            timeoutSeconds: timeout, environment: environment)
    }

    func python(_ name: String, _ code: String, timeout: Int = 10, environment: [String: String] = [:]) throws -> FunctionSpec {
        try function(name, runtime: "python3.12", handler: "app.handler", files: ["app.py": (code, false)],
                     timeout: timeout, environment: environment)
    }

    func invoke(_ spec: FunctionSpec, _ payload: String = "{}", tail: Bool = false,
                reserved: Int? = nil) async throws -> InvocationOutput {
        try await pool.invoke(spec, InvocationInput(requestId: UUID().uuidString.lowercased(), payload: Array(payload.utf8),
                                                    wantLogTail: tail), reservedConcurrency: reserved)
    }

    func close() async {
        await pool.shutdown()
        try? FileManager.default.removeItem(atPath: dataDir)
    }

    private func run(_ exe: String, _ args: [String], cwd: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: cwd)
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw FixtureError.command("\(exe) \(args) exited \(p.terminationStatus)") }
    }
}

enum FixtureError: Error { case command(String) }

extension InvocationOutput {
    var text: String { String(decoding: payload, as: UTF8.self) }
    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(payload))) as? [String: Any] ?? [:] }
}

/// Names of pinned network namespaces with the sandbox prefix.
func sandboxNamespaces() -> Set<String> {
    Set(((try? FileManager.default.contentsOfDirectory(atPath: "/run/netns")) ?? []).filter { $0.hasPrefix("lv-env-") })
}
