import CloudModel
import ControlPlane
import Foundation
import Logging
import NetworkFabric
import Sandbox
import Synchronization

/// Keeps the kernel in step with the store: reconciles the network fabric at start (repairing what a `kill -9`
/// left) and after every committed write, coalesced and never two at once; on stop, ends every instance process
/// and tears the fabric down. Inactive (and says so once) without CAP_NET_ADMIN or with `--no-network`.
public final class FabricController: Sendable {
    /// The fabric, when active: the sandbox attaches execution environments through it.
    public let fabric: LinuxFabric?
    let stores: RegionalStores
    let logger: Logger
    let disabledReason: String?
    public let runtime: NamespaceInstanceRuntime?
    /// RDS's and ElastiCache's engines, in their interfaces' namespaces.
    public let engines: ManagedEngines?
    private struct Loop { var task: Task<Void, Never>?; var wake: AsyncStream<Void>.Continuation? }
    private let loop = Mutex(Loop())
    /// The DNS names of internet hosts (`internet run --name`), and who is told when they change (the resolver).
    private let hostNames = Mutex<[IPv4Address: String]>([:])
    private let hostNamesObserver = Mutex<(@Sendable ([IPv4Address: String]) -> Void)?>(nil)

    /// `trust`: the CA bundle instances see over the host's (`TrustBundle`).
    public init(stores: RegionalStores, dataDir: String, enabled: Bool, egress: InternetEgress = .none, trust: TrustBundle? = nil,
                logger: Logger) {
        self.stores = stores
        self.logger = logger
        var fabric: LinuxFabric?
        var reason: String?
        if !enabled {
            reason = "network fabric off (--no-network): VPC resources exist only in the control plane"
        } else if !LinuxFabric.hasNetAdmin() {
            reason = "no CAP_NET_ADMIN: VPC networks, security groups and instances are not created in the kernel; instances print nothing"
        } else {
            do {
                fabric = try LinuxFabric(instanceTag: FabricNames.tag(forDataDirectory: dataDir), egress: egress, logger: logger)
            } catch {
                reason = "network fabric unavailable: \(error)"
            }
        }
        self.fabric = fabric
        disabledReason = reason
        runtime = fabric.map { f in
            NamespaceInstanceRuntime(fabric: f, dataDir: dataDir, trust: trust, logger: logger,
                                     vpcBlock: { [stores] id in stores.all.lazy.compactMap { $0.store.snapshot().vpcs[id]?.cidrBlock }.first })
            { [stores, logger] in
                _ = await Self.reconcile(f, stores, logger)
            }
        }
        engines = fabric.map { f in
            ManagedEngines(fabric: f, dataDir: dataDir, logger: logger) { [stores, logger] in
                _ = await Self.reconcile(f, stores, logger)
            }
        }
    }

    public var isActive: Bool { fabric != nil }

    /// What runs managed engines: real servers when active, bookkeeping otherwise.
    public var engineRuntime: any ManagedEngineRuntime { engines ?? BookkeepingEngineRuntime() }

    /// What runs instances: their user data in their namespaces when active, nothing otherwise.
    public var instanceRuntime: any InstanceRuntime { runtime ?? InProcessInstanceRuntime() }

    /// Starts reconciling: once now, then after every committed write.
    public func start() {
        guard let fabric else {
            if let disabledReason { logger.warning("\(disabledReason)") }
            return
        }
        // Hosts of a server killed with -9 are not in this one's plan: their programs end before the namespaces go.
        for ns in Self.hostNamespaces(fabric) { NamespaceProcess.killAll(inNamespace: ns) }
        let (wakes, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        stores.observeAll { wake.yield() }
        wake.yield()
        let task = Task { [stores, logger] in
            for await _ in wakes {
                if await Self.reconcile(fabric, stores, logger) { continue }
                // A failed pass is retried, since no write may come to wake us.
                try? await Task.sleep(nanoseconds: 1_000_000_000)
                wake.yield()
            }
        }
        loop.withLock { $0 = Loop(task: task, wake: wake) }
        logger.info("network fabric on: namespaces lv-\(fabric.names.tag)-*")
    }

    /// Ends the loop, every instance process, and every namespace, link and ruleset of this server.
    public func stop() async {
        guard let fabric else { return }
        let l = loop.withLock { l -> Loop in defer { l = Loop() }; return l }
        l.wake?.finish()
        l.task?.cancel()
        await l.task?.value
        runtime?.stopAll()
        await engines?.stopAll()
        for ns in Self.hostNamespaces(fabric) { NamespaceProcess.killAll(inNamespace: ns) }
        do {
            try await fabric.teardown()
        } catch {
            logger.error("network fabric teardown failed: \(error)")
        }
    }

    /// The internet host namespaces of this server present in the kernel.
    static func hostNamespaces(_ fabric: LinuxFabric) -> [String] {
        let all = (try? FileManager.default.contentsOfDirectory(atPath: "/run/netns")) ?? []
        return all.filter { fabric.names.internetHostAddress(namespace: $0) != nil }
    }

    /// Adds an internet host after the latest store is in the kernel (so routes toward it are complete); `name`
    /// (validated by the caller) is what the VPC resolver answers with its address.
    public func addInternetHost(_ address: IPv4Address, name: String? = nil) async throws -> String {
        guard let fabric else { throw FabricError.noCapability }
        _ = await Self.reconcile(fabric, stores, logger)
        let ns = try await fabric.addInternetHost(address)
        if let name { setHostName(address, name) }
        logger.info("internet host \(address) up in \(ns)\(name.map { " as \($0)" } ?? "")")
        return ns
    }

    /// Calls `observer` with every internet host's name, now and after each change.
    public func observeInternetHostNames(_ observer: @escaping @Sendable ([IPv4Address: String]) -> Void) {
        hostNamesObserver.withLock { $0 = observer }
        observer(hostNames.withLock { $0 })
    }

    private func setHostName(_ address: IPv4Address, _ name: String?) {
        let all = hostNames.withLock { n -> [IPv4Address: String] in n[address] = name; return n }
        hostNamesObserver.withLock { $0 }?(all)
    }

    /// Ends an internet host's programs and removes its namespace; false when there is no such host.
    public func removeInternetHost(_ address: IPv4Address) async throws -> Bool {
        guard let fabric, await fabric.internetHosts().contains(address) else { return false }
        NamespaceProcess.killAll(inNamespace: fabric.names.internetHostNamespace(address))
        setHostName(address, nil)
        try await fabric.removeInternetHost(address)
        logger.info("internet host \(address) removed")
        return true
    }

    /// Reconciles the snapshot that is latest when the fabric gets to it; false when it failed (logged).
    public static func reconcile(_ fabric: LinuxFabric, _ stores: RegionalStores, _ logger: Logger) async -> Bool {
        do {
            // Every region's VPCs in one model: they are isolated from each other anyway, and kernel names come from ids.
            let report = try await fabric.reconcile(latest: { FabricModel(state: stores.unionSnapshot()) })
            if report.ran { logger.debug("network fabric: \(report.changes) changes, \(report.namespacesRead) namespaces read") }
            return true
        } catch {
            logger.error("network fabric reconcile failed: \(error)")
            return false
        }
    }
}
