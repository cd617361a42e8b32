import AWSWire
import CloudModel
import DNS
import ControlPlane
import Foundation
import Logging
import NetworkFabric
import NIOCore
import NIOPosix
import Persistence
import Sandbox
import Workloads
import ServiceBackends

/// The composition root: opens the store, builds the services, serves HTTP until stopped.
public final class LambdaVPCServer: Sendable {
    public let config: ServerConfig
    /// The state's partitions: global (IAM) and one per region.
    public let stores: RegionalStores
    let regions: Regions
    let http: HTTPServer
    let logger: Logger
    public let isolationAvailable: Bool
    /// Runs function code; shut down (every environment and namespace removed) when the server stops.
    let sandbox: SandboxPool
    /// Removes zips and unpacked code no function version references.
    let codeSweeper: CodeSweeper
    /// The event loops of both the HTTP server and the execution environments (see `SandboxPool.init`).
    let loops: MultiThreadedEventLoopGroup
    /// The kernel side of the VPCs: namespaces, links, rulesets, and instances running in them.
    public let fabric: FabricController
    /// How execution environments join their networks when the fabric is active.
    let environmentNetwork: FabricEnvironmentNetwork?
    /// Where the services this server does not implement are forwarded.
    let backend: ServiceBackend
    /// HTTP and HTTPS at the service edge's addresses (nil without the data dir's CA).
    let edge: ServiceEdgeListener?
    /// The Amazon-provided resolver, listening in the fabric's namespaces.
    let dns: DNSResolver
    /// The threads S3's blocking file and SQLite work runs on.
    let s3Threads: NIOThreadPool

    public init(config: ServerConfig, logger: Logger) throws {
        self.config = config
        self.logger = logger
        let durable = try SQLiteRecordStore(directory: config.dataDir, homeRegion: config.region)
        ServerPresence.hold(directory: config.dataDir)
        let clock = SystemTimeSource()
        let stores = RegionalStores(global: try StateStore(durable: durable.partition(SQLiteRecordStore.globalPartition), clock: clock)) {
            try StateStore(durable: durable.partition($0), clock: clock)
        }
        self.stores = stores
        isolationAvailable = LinuxFabric.hasNetAdmin()
        // The service edge's CA, trusted inside functions and instances.
        let authority: EdgeCertificateAuthority?
        do { authority = try EdgeCertificateAuthority.open(dataDir: config.dataDir) } catch {
            logger.error("service edge off: cannot set up the data dir's CA: \(error)")
            authority = nil
        }
        let trust = authority.map { TrustBundle.onThisHost(hostPath: $0.bundlePath) }
        fabric = FabricController(stores: stores, dataDir: config.dataDir, enabled: config.networkFabric, egress: config.egress,
                                  trust: trust, logger: logger)
        dns = DNSResolver(stores: stores, logger: logger) { region, state in
            EndpointNames.overrides(region: region, state: state) + ManagedEngineNames.overrides(state: state)
        }
        fabric.fabric?.addSocketOwner(dns)
        fabric.observeInternetHostNames { [dns] in dns.setInternetHosts($0) }
        let resolvConf = fabric.isActive ? try DNSResolver.writeFunctionResolvConf(dataDir: config.dataDir) : nil
        let policies = PolicyCache()
        let authorizer = Authorizer(store: stores.global, accountId: config.accountId, cache: policies)
        let iam = IAMService(store: stores.global, accountId: config.accountId, policies: policies,
                             authorizer: config.enforceIAM ? authorizer : nil)
        let sts = STSService(store: stores.global, authorizer: authorizer, enforceIAM: config.enforceIAM)
        let codeStore = try FileCodeStore(dataDir: config.dataDir)
        loops = MultiThreadedEventLoopGroup(numberOfThreads: max(1, System.coreCount))
        environmentNetwork = fabric.fabric.map { f in
            FabricEnvironmentNetwork(fabric: f, dataDir: config.dataDir, logger: logger) {
                _ = await FabricController.reconcile(f, stores, logger)
            }
        }
        var sandboxConfig = SandboxConfig(dataDir: config.dataDir, idleReapAfterSeconds: config.environmentIdleSeconds,
                                          accountConcurrencyLimit: config.lambdaTimings.concurrencyLimit, homeRegion: config.region,
                                          resolvConf: resolvConf)
        sandboxConfig.trustBundle = trust
        sandbox = SandboxPool(config: sandboxConfig, network: environmentNetwork, group: loops, logger: logger)
        codeSweeper = CodeSweeper(stores: stores, zips: codeStore, pool: sandbox)
        // S3: its own store and files under the data dir (bucket names are global); leftovers of a crash removed
        // before serving.
        let s3 = S3Service(store: try SQLiteS3Store(dataDir: config.dataDir), accountId: config.accountId)
        s3.sweep()
        s3Threads = NIOThreadPool(numberOfThreads: 64)
        s3Threads.start()
        // The backend of the forwarded services: users' requests and the stack engine's resources go through it.
        let forwarding = ServiceBackend(external: config.serviceBackend,
                                        process: config.serviceBackend == nil
                                            ? BackendProcess(accountId: config.accountId, dataDir: config.dataDir, logger: logger) : nil)
        backend = forwarding
        regions = Regions(stores: stores, home: config.region, shared: RegionServices.Shared(
            config: config, authorizer: authorizer, sts: sts, activity: InvocationActivity(), codeStore: codeStore,
            codeURLs: CodeURLSigner(), codeObjects: s3, sandbox: sandbox, attachesNetworks: environmentNetwork != nil,
            instanceRuntime: fabric.instanceRuntime, engineRuntime: fabric.engineRuntime,
            publicAddresses: PublicAddressSpace { Set(stores.all.flatMap { CloudState.publicAddresses($0.store.snapshot()) }) },
            logger: logger, iam: iam, transformer: SAMTranslatorProcess(), forwarded: BackendForwarder(backend: forwarding)))
        // Bucket notifications go to the function's own region.
        s3.connect(events: regions)
        // Instances' IMDS (169.254.169.254 in their namespaces) answers from their region's store and issues role sessions.
        fabric.runtime?.enableMetadata { [regions, loops, logger] instance, fd in
            let region = try regions.services(AvailabilityZones.region(ofZone: instance.availabilityZone))
            let service = InstanceMetadataService(instanceId: instance.id, store: region.store, sts: sts, region: region.region)
            return try await HTTPServer(responder: service, maxBodyBytes: 64 * 1024, group: loops, logger: logger).start(boundSocket: fd)
        }
        // The home region and every region with stored state are served (and their loops run) from the start.
        for region in Set([config.region] + (try durable.partitions()).filter { $0 != SQLiteRecordStore.globalPartition }) {
            _ = try regions.services(region)
        }
        let router = APIRouter(config: config, regions: regions, sts: sts, iam: iam, authorizer: authorizer,
                               internet: InternetHostsAPI(fabric: fabric), backend: backend, isolationAvailable: isolationAvailable,
                               sandboxStatus: sandbox.isolationStatus, logger: logger, s3: s3, s3Threads: s3Threads)
        http = HTTPServer(responder: router, maxBodyBytes: config.maxBodyBytes, group: loops, logger: logger)
        let server = http
        edge = try authority.map { try ServiceEdgeListener(http: server, authority: $0, logger: logger) }
        // Interface VPC endpoints answer on their network interfaces, as the edge does (HTTPS with the same certificate).
        if let edge, let f = fabric.fabric {
            f.addSocketOwner(EndpointListeners(http: server, tls: edge.tls, stores: stores, fabric: f, logger: logger))
        }
    }

    /// Serves until SIGINT or SIGTERM, then stops cleanly.
    public func run() async throws {
        let channel = try await http.start(host: config.host, port: config.port)
        if let edge, let f = fabric.fabric { await f.serveEdge { edge.receive($0) } }
        fabric.start()
        regions.startAll()
        let sweepTask = codeSweeper.start()
        let port = channel.localAddress?.port ?? config.port
        if !isolationAvailable {
            logger.warning("no CAP_NET_ADMIN: functions will run without network isolation; VPC rules are checked in the control plane only")
        }
        logger.info("lambda-vpc \(LambdaVPCVersion.current) listening on http://\(config.host):\(port) (data dir \(config.dataDir), account \(config.accountId), region \(config.region))")
        await SignalWaiter.waitForTermination()
        logger.info("stopping")
        await regions.stopAll()
        environmentNetwork?.close()
        await fabric.stop()
        await dns.shutdown()
        sweepTask.cancel()
        try? await channel.close()
        // Environments first: invocations still running end (as a killed runtime would) and their requests get answers.
        await sandbox.shutdown()
        await http.shutdown()
        backend.stop()
        try? await s3Threads.shutdownGracefully()
        try? await loops.shutdownGracefully()
        logger.info("stopped")
    }
}
