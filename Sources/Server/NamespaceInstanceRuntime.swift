import CloudModel
import ControlPlane
import Foundation
import Logging
import NetworkFabric
import NIOCore
import NIOPosix
import Sandbox
import Synchronization

/// Instances made real: each runs its user data as a script inside its ENI's network namespace (built by the
/// fabric from the instance's `NetworkInterface` record), in its own process group; its console is the script's
/// stdout and stderr, kept in memory and in `<data-dir>/instances/<id>.log`.
final class NamespaceInstanceRuntime: InstanceRuntime {
    let fabric: LinuxFabric
    let directory: String
    let dataDir: String
    let logger: Logger
    /// Makes the kernel match the latest store before a start, so the instance's namespace exists.
    let converge: @Sendable () async -> Void
    private struct Running { var process: NamespaceProcess; var namespace: String; var eni: String; var metadata: (any Channel)? }
    private let running = Mutex<[String: Running]>([:])
    private let consoles = Mutex<[String: ConsoleLog]>([:])
    /// What IMDS answers from (set by the server once STS exists; nil: instances get no metadata service).
    private let metadataSource = Mutex<MetadataSource?>(nil)

    /// The pieces each instance's IMDS needs.
    struct MetadataSource: Sendable {
        var store: StateStore
        var sts: STSService
        var region: String
        var group: MultiThreadedEventLoopGroup
    }

    /// Turns on IMDS at 169.254.169.254 for instances started from now on.
    func enableMetadata(store: StateStore, sts: STSService, region: String, group: MultiThreadedEventLoopGroup) {
        metadataSource.withLock { $0 = MetadataSource(store: store, sts: sts, region: region, group: group) }
    }

    /// Serves IMDS inside the instance's namespace (before its user data runs, which may ask for it at once).
    private func startMetadata(_ instance: Instance, eni: String) async throws -> (any Channel)? {
        guard let source = metadataSource.withLock({ $0 }) else { return nil }
        let fd = try await fabric.openMetadataListener(eniId: eni)
        let service = InstanceMetadataService(instanceId: instance.id, store: source.store, sts: source.sts, region: source.region)
        let server = HTTPServer(responder: service, maxBodyBytes: 64 * 1024, group: source.group, logger: logger)
        do {
            return try await server.start(boundSocket: fd)
        } catch {
            close(fd)
            await fabric.closeMetadataRoute(eniId: eni)
            throw error
        }
    }

    init(fabric: LinuxFabric, dataDir: String, logger: Logger, converge: @escaping @Sendable () async -> Void) {
        self.fabric = fabric
        self.directory = URL(fileURLWithPath: dataDir).appendingPathComponent("instances").path
        self.dataDir = URL(fileURLWithPath: dataDir).standardizedFileURL.path
        self.logger = logger
        self.converge = converge
    }

    func start(_ instance: Instance, userData: Data) async throws {
        if running.withLock({ $0[instance.id] != nil }) { return }
        guard let eni = instance.networkInterfaceId else { throw RuntimeFailure("\(instance.id) has no network interface") }
        await converge()
        let namespace = fabric.interfaceNamespace(eni)
        guard FileManager.default.fileExists(atPath: "/run/netns/" + namespace) else {
            throw RuntimeFailure("namespace \(namespace) of \(instance.id) was not created")
        }
        // After kill -9 the previous server's processes may still run there: the instance starts afresh.
        NamespaceProcess.killAll(inNamespace: namespace)
        let home = directory + "/" + instance.id
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let script = home + "/user-data"
        guard FileManager.default.createFile(atPath: script, contents: userData, attributes: [.posixPermissions: 0o700]) else {
            throw RuntimeFailure("cannot write \(script)")
        }
        let argv = Self.argv(userData: userData, script: script)
        let metadata = try await startMetadata(instance, eni: eni)
        let process: NamespaceProcess
        do {
            process = try NamespaceProcess.spawn(namespace: namespace, argv: argv, hostHome: home, dataDir: dataDir,
                                                 privateIp: instance.privateIpAddress.description,
                                                 environment: Self.environment(home: home),
                                                 console: console(instance.id))
        } catch {
            try? await metadata?.close()
            await fabric.closeMetadataRoute(eniId: eni)
            throw error
        }
        running.withLock { $0[instance.id] = Running(process: process, namespace: namespace, eni: eni, metadata: metadata) }
        logger.debug("instance \(instance.id) started in \(namespace) (pid \(process.pid))")
    }

    /// A script with its own interpreter line runs under it (as cloud-init does), anything else under /bin/sh. The
    /// interpreter is started with the script as its argument, as the kernel would from the `#!` line, rather than
    /// the script executed itself: exec fails with ETXTBSY while any process forked meanwhile still holds the
    /// just-written file open for writing, and an interpreter only reads it.
    static func argv(userData: Data, script: String) -> [String] {
        guard userData.starts(with: Data("#!".utf8)) else { return ["/bin/sh", script] }
        let line = String(decoding: userData.dropFirst(2).prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
        let trimmed = line.drop { $0 == " " || $0 == "\t" }
        guard let end = trimmed.firstIndex(where: { $0 == " " || $0 == "\t" }) else {
            return trimmed.isEmpty ? ["/bin/sh", script] : [String(trimmed), script]
        }
        // Linux passes everything after the interpreter as one argument, trimmed.
        let argument = trimmed[end...].trimmingCharacters(in: .whitespaces)
        return argument.isEmpty ? [String(trimmed[..<end]), script] : [String(trimmed[..<end]), argument, script]
    }

    /// An instance boots with an environment of its own, as cloud-init's is: nothing of the server's (its
    /// credentials, its `LAMBDA_VPC_*` settings) reaches the user data. Home is the instance's directory, so what
    /// a script keeps there stays in the data dir (the only part of it the instance sees).
    static func environment(home: String) -> [String] {
        ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=\(home)", "PWD=\(home)", "LANG=C.UTF-8"]
    }

    func stop(instanceId: String) async {
        guard let r = running.withLock({ $0.removeValue(forKey: instanceId) }) else { return }
        r.process.killGroup()
        NamespaceProcess.killAll(inNamespace: r.namespace)
        try? await r.metadata?.close()
        await fabric.closeMetadataRoute(eniId: r.eni)
    }

    /// Stops every instance this process started (server shutdown, before the fabric is torn down).
    func stopAll() {
        let all = running.withLock { r -> [Running] in defer { r = [:] }; return Array(r.values) }
        for r in all {
            r.process.killGroup()
            NamespaceProcess.killAll(inNamespace: r.namespace)
            // The route goes with the namespace when the fabric is torn down next.
            r.metadata?.close(promise: nil)
        }
    }

    func consoleOutput(instanceId: String) -> String {
        if let c = consoles.withLock({ $0[instanceId] }) { return c.text }
        // Not started by this process (stopped before a restart): the file still holds its last output.
        guard let data = FileManager.default.contents(atPath: logPath(instanceId)) else { return "" }
        return String(decoding: data.suffix(ConsoleLog.memoryLimit), as: UTF8.self)
    }

    func logPath(_ id: String) -> String { directory + "/" + id + ".log" }

    private func console(_ id: String) throws -> ConsoleLog {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return consoles.withLock { c in
            if let existing = c[id] { return existing }
            let log = ConsoleLog(path: logPath(id))
            c[id] = log
            return log
        }
    }
}
