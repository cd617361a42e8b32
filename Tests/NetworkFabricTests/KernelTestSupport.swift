import Foundation
@testable import NetworkFabric
import Testing

/// Real-kernel tests run where the process has CAP_NET_ADMIN, and always in CI (where lacking it is a failure).
enum Kernel {
    static let available = LinuxFabric.hasNetAdmin() || ProcessInfo.processInfo.environment["CI"] == "true"

    static func requireNetAdmin() {
        if !LinuxFabric.hasNetAdmin() { Issue.record("kernel tests need root / CAP_NET_ADMIN (CI=true)") }
    }

    /// A random tag per test, so parallel runs (other developers, other tests) never share a namespace.
    static func randomTag() -> String {
        String((0..<6).map { _ in "0123456789abcdef".randomElement()! })
    }

    static func sh(_ argv: [String], stdin: String? = nil) throws -> String {
        try Subprocess.check(argv, stdin: stdin)
    }

    static func namespaces() -> Set<String> { LinuxFabric.listNamespaces() }

    /// Host links whose name starts with `lv-` (the fabric must never leave one in the host namespace).
    static func hostLinks() throws -> [String] {
        let out = try sh([Subprocess.tool("ip"), "-o", "link", "show"])
        return out.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: ":", maxSplits: 2)
            guard parts.count > 1 else { return nil }
            let name = parts[1].trimmingCharacters(in: .whitespaces).split(separator: "@").first.map(String.init) ?? ""
            return name.hasPrefix("lv-") ? name : nil
        }
    }

    /// Runs `body` with a fresh fabric and environment namespace names, then tears everything down whatever happened,
    /// and checks nothing of this run is left.
    static func withFabric(_ body: (LinuxFabric, String) async throws -> Void) async throws {
        requireNetAdmin()
        let tag = randomTag()
        let fabric = try LinuxFabric(instanceTag: tag)
        let envPrefix = "lv-env-t\(tag)-"
        var failure: (any Error)?
        do { try await body(fabric, envPrefix) } catch { failure = error }
        Servers.stopAll(tag: tag)
        for ns in namespaces() where ns.hasPrefix(envPrefix) { _ = try? sh([Subprocess.tool("ip"), "netns", "del", ns]) }
        try await fabric.teardown()
        let left = namespaces().filter { $0.hasPrefix("lv-\(tag)-") || $0.hasPrefix(envPrefix) }
        #expect(left.isEmpty, "teardown left \(left)")
        if let failure { throw failure }
    }

    /// `nft list` output as a sorted list of lines with set elements sorted: objects added in place are listed
    /// in creation order, which differs from a fresh load's without meaning anything.
    static func normalisedListing(_ text: String) -> [String] {
        text.split(separator: "\n").map { line in
            guard let open = line.range(of: "elements = { "), let close = line.range(of: " }", options: .backwards) else { return String(line) }
            let items = line[open.upperBound..<close.lowerBound].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            return String(line[..<open.upperBound]) + items.sorted().joined(separator: ", ") + " }"
        }.sorted()
    }

    static func addNamespace(_ name: String) throws {
        _ = try sh([Subprocess.tool("ip"), "netns", "add", name])
        _ = try sh([Subprocess.tool("ip"), "-n", name, "link", "set", "lo", "up"])
    }
}

/// TCP servers inside namespaces (python, one process per namespace, one thread per port) that answer each
/// connection with the peer address they saw, and a client that probes many targets at once.
enum Servers {
    static let python = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : "python3"
    private static let lock = NSLock()
    nonisolated(unsafe) private static var running: [String: [Process]] = [:]

    static let serverScript = """
    import socket, sys, threading, os
    def serve(port, s):
        while True:
            c, a = s.accept()
            try: c.sendall((a[0] + "\\n").encode())
            finally: c.close()
    socks = []
    for p in sys.argv[2:]:
        s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("0.0.0.0", int(p))); s.listen(64); socks.append((int(p), s))
    for p, s in socks: threading.Thread(target=serve, args=(p, s), daemon=True).start()
    open(sys.argv[1], "w").close()
    threading.Event().wait()
    """

    static let clientScript = """
    import socket, sys, json, threading
    timeout = float(sys.argv[1]); out = {}
    def probe(t):
        h, p = t.rsplit(":", 1)
        try:
            c = socket.create_connection((h, int(p)), timeout=timeout)
            c.settimeout(timeout); out[t] = "ok " + c.recv(100).decode().strip(); c.close()
        except socket.timeout: out[t] = "timeout"
        except ConnectionRefusedError: out[t] = "refused"
        except OSError as e: out[t] = "error " + (e.strerror or str(e))
    ts = [threading.Thread(target=probe, args=(t,)) for t in sys.argv[2:]]
    [t.start() for t in ts]; [t.join() for t in ts]
    print(json.dumps(out))
    """

    /// Starts a server in `ns` listening on `ports`; returns once it accepts connections.
    static func start(in ns: String, ports: [Int], tag: String) throws {
        let ready = FileManager.default.temporaryDirectory.appendingPathComponent("lv-ready-\(UUID().uuidString)").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Subprocess.tool("ip"))
        p.arguments = ["netns", "exec", ns, python, "-c", serverScript, ready] + ports.map(String.init)
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        lock.lock(); running[tag, default: []].append(p); lock.unlock()
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: ready) {
            guard p.isRunning, Date() < deadline else { throw FabricError.commandFailed(command: "server in \(ns)", status: 1, stderr: "not ready") }
            usleep(10_000)
        }
        try? FileManager.default.removeItem(atPath: ready)
    }

    static func stopAll(tag: String) {
        lock.lock(); let ps = running.removeValue(forKey: tag) ?? []; lock.unlock()
        // SIGKILL: children spawned from Dispatch threads inherit a mask that blocks SIGTERM.
        for p in ps where p.isRunning { kill(p.processIdentifier, SIGKILL); p.waitUntilExit() }
    }

    /// Connects from `ns` to every `host:port` at once; values are `ok <peer address the server saw>`, `timeout`,
    /// `refused` or `error …`.
    static func probe(from ns: String, _ targets: [String], timeout: Double = 0.5) throws -> [String: String] {
        let out = try Kernel.sh([Subprocess.tool("ip"), "netns", "exec", ns, python, "-c", clientScript, String(timeout)] + targets)
        return try JSONDecoder().decode([String: String].self, from: Data(out.utf8))
    }
}
