import Foundation
import Logging
import Synchronization

/// The default backend: a `moto_server` (moto[server], which the project installs) on a private loopback port,
/// started on first use, started again if it dies, stopped with the server (by its pid). Its data lives in its memory.
public final class BackendProcess: Sendable {
    private struct Running { var process: Process?; var port: Int?; var listening = false }
    private let running = Mutex(Running())
    private let starting = Mutex(())
    private let accountId: String
    private let logger: Logger
    private let logPath: String

    public init(accountId: String, dataDir: String, logger: Logger) {
        self.accountId = accountId
        self.logger = logger
        self.logPath = dataDir + "/backend.log"
    }

    /// The backend's URL, starting it (or starting it again) when needed.
    public func url() async throws -> URL {
        if let port = running.withLock({ $0.process?.isRunning == true && $0.listening ? $0.port : nil }) {
            return URL(string: "http://127.0.0.1:\(port)")!
        }
        // One start at a time; a caller that came while it starts waits for it to listen too (concurrent first
        // requests, as a stack's resources created in parallel make, would otherwise find nothing on the port).
        let port: Int = try starting.withLock { _ in
            if let p = running.withLock({ $0.process?.isRunning == true ? $0.port : nil }) { return p }
            return try launch()
        }
        try await waitUntilListening(port)
        running.withLock { if $0.port == port { $0.listening = true } }
        return URL(string: "http://127.0.0.1:\(port)")!
    }

    private func launch() throws -> Int {
        let port = try Self.freePort()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", Self.launcher, "-H", "127.0.0.1", "-p", String(port)]
        var env = ProcessInfo.processInfo.environment
        env["MOTO_ACCOUNT_ID"] = accountId
        p.environment = env
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = FileHandle(forWritingAtPath: logPath)
        p.standardOutput = log
        p.standardError = log
        try p.run()
        running.withLock { $0 = Running(process: p, port: port) }
        logger.info("service backend: moto_server (pid \(p.processIdentifier)) on 127.0.0.1:\(port), log \(logPath)")
        return port
    }

    private func waitUntilListening(_ port: Int) async throws {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if Self.accepts(port) { return }
            if running.withLock({ $0.process?.isRunning != true }) { break }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        throw BackendError.unavailable("moto_server did not start on port \(port) (see \(logPath))")
    }

    /// Runs moto_server's main and ends it when the server is gone, even after a `kill -9` of the server: a thread
    /// watches the parent pid (PR_SET_PDEATHSIG would follow the spawning thread, not the process).
    static let launcher = """
        import os, sys, threading, time, runpy
        parent = os.getppid()
        def watch():
            while os.getppid() == parent:
                time.sleep(0.5)
            os._exit(0)
        threading.Thread(target=watch, daemon=True).start()
        sys.argv = ["moto_server"] + sys.argv[1:]
        runpy.run_module("moto.server", run_name="__main__")
        """

    /// Stops the backend by its pid.
    public func stop() {
        guard let p = running.withLock({ r in defer { r = Running() }; return r.process }), p.isRunning else { return }
        kill(p.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(5)
        while p.isRunning && Date() < deadline { usleep(20_000) }
        if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BackendError.unavailable("no socket for a free port") }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard bound else { throw BackendError.unavailable("no free loopback port") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    static func accepts(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}

/// Why a request could not be forwarded.
public enum BackendError: Error, Sendable {
    case unavailable(String)
}
