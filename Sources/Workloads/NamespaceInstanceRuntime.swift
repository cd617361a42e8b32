import CloudModel
import ControlPlane
import DNS
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
public final class NamespaceInstanceRuntime: InstanceRuntime {
    let fabric: LinuxFabric
    let directory: String
    let dataDir: String
    let logger: Logger
    /// The CA bundle an instance trusts (system CAs + the data dir's CA), shown over the host's.
    let trust: TrustBundle?
    /// Makes the kernel match the latest store before a start, so the instance's namespace exists.
    let converge: @Sendable () async -> Void
    /// A VPC's primary block (for the instance's resolv.conf), nil when the VPC is gone.
    let vpcBlock: @Sendable (String) -> IPv4CIDR?
    private struct Running { var process: NamespaceProcess; var namespace: String; var eni: String; var metadata: (any Channel)? }
    private let running = Mutex<[String: Running]>([:])
    private let consoles = Mutex<[String: ConsoleLog]>([:])
    /// Serves IMDS for one instance on a socket listening in its namespace (set by the server, which owns HTTP and
    /// STS; nil: instances get no metadata service).
    public typealias MetadataServer = @Sendable (_ instance: Instance, _ listeningSocket: Int32) async throws -> any Channel
    private let metadataServer = Mutex<MetadataServer?>(nil)

    /// Turns on IMDS at 169.254.169.254 for instances started from now on.
    public func enableMetadata(_ serve: @escaping MetadataServer) {
        metadataServer.withLock { $0 = serve }
    }

    /// Serves IMDS inside the instance's namespace (before its user data runs, which may ask for it at once).
    private func startMetadata(_ instance: Instance, eni: String) async throws -> (any Channel)? {
        guard let serve = metadataServer.withLock({ $0 }) else { return nil }
        let fd = try await fabric.openMetadataListener(eniId: eni)
        do {
            return try await serve(instance, fd)
        } catch {
            close(fd)
            await fabric.closeMetadataRoute(eniId: eni)
            throw error
        }
    }

    init(fabric: LinuxFabric, dataDir: String, trust: TrustBundle? = nil, logger: Logger,
         vpcBlock: @escaping @Sendable (String) -> IPv4CIDR? = { _ in nil },
         converge: @escaping @Sendable () async -> Void) {
        self.fabric = fabric
        self.trust = trust
        self.directory = URL(fileURLWithPath: dataDir).appendingPathComponent("instances").path
        self.dataDir = URL(fileURLWithPath: dataDir).standardizedFileURL.path
        self.logger = logger
        self.converge = converge
        self.vpcBlock = vpcBlock
    }

    public func start(_ instance: Instance, userData: Data) async throws {
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
                                                 environment: Self.environment(home: home) + (trust?.instanceEnvironment ?? []),
                                                 console: console(instance.id), trust: trust, resolvConf: try resolvConf(instance))
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

    public func stop(instanceId: String) async {
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

    public func consoleOutput(instanceId: String) -> String {
        if let c = consoles.withLock({ $0[instanceId] }) { return c.text }
        // Not started by this process (stopped before a restart): the file still holds its last output.
        guard let data = FileManager.default.contents(atPath: logPath(instanceId)) else { return "" }
        return String(decoding: data.suffix(ConsoleLog.memoryLimit), as: UTF8.self)
    }

    func logPath(_ id: String) -> String { directory + "/" + id + ".log" }

    /// Writes the instance's resolv.conf (its VPC's resolver, its region's search domain) beside its log, out of
    /// its sight; nil when the VPC is gone.
    func resolvConf(_ instance: Instance) throws -> String? {
        guard let block = vpcBlock(instance.vpcId) else { return nil }
        let path = directory + "/" + instance.id + ".resolv.conf"
        let text = ResolvConf.instance(vpcBlock: block, region: ResolvConf.region(ofZone: instance.availabilityZone))
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o644]) else {
            throw RuntimeFailure("cannot write \(path)")
        }
        return path
    }

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
