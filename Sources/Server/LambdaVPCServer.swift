import AWSWire
import CloudModel
import ControlPlane
import Foundation
import Logging
import NetworkFabric
import NIOCore
import NIOPosix
import Persistence
import Sandbox

/// The composition root: opens the store, builds the services, serves HTTP until stopped.
public final class LambdaVPCServer: Sendable {
    public let config: ServerConfig
    public let store: StateStore
    let http: HTTPServer
    let logger: Logger
    let reconciler: ReconcileLoop
    public let isolationAvailable: Bool
    let lifecycle: LifecycleReconciler
    /// Runs function code; shut down (every environment and namespace removed) when the server stops.
    let sandbox: SandboxPool
    let asyncWorker: AsyncInvocationWorker
    /// Removes zips and unpacked code no function version references.
    let codeSweeper: CodeSweeper
    /// The event loops of both the HTTP server and the execution environments (see `SandboxPool.init`).
    let loops: MultiThreadedEventLoopGroup
    /// The kernel side of the VPCs: namespaces, links, rulesets, and instances running in them.
    public let fabric: FabricController
    /// How execution environments join their networks when the fabric is active.
    let environmentNetwork: FabricEnvironmentNetwork?
    /// The threads S3's blocking file and SQLite work runs on.
    let s3Threads: NIOThreadPool

    public init(config: ServerConfig, logger: Logger) throws {
        self.config = config
        self.logger = logger
        let durable = try SQLiteRecordStore(directory: config.dataDir)
        ServerPresence.hold(directory: config.dataDir)
        store = try StateStore(durable: durable, clock: SystemTimeSource())
        isolationAvailable = LinuxFabric.hasNetAdmin()
        fabric = FabricController(store: store, dataDir: config.dataDir, enabled: config.networkFabric, egress: config.egress, logger: logger)
        let runtime = fabric.instanceRuntime
        let ec2 = EC2Service(store: store, accountId: config.accountId, region: config.region, runtime: runtime)
        lifecycle = LifecycleReconciler(store: store, runtime: runtime,
                                        timings: LifecycleTimings(natCreateDelay: config.natCreateDelay, natDeleteDelay: config.natDeleteDelay))
        let policies = PolicyCache()
        let authorizer = Authorizer(store: store, accountId: config.accountId, cache: policies)
        let iam = IAMService(store: store, accountId: config.accountId, policies: policies,
                             authorizer: config.enforceIAM ? authorizer : nil)
        let activity = InvocationActivity()
        let codeStore = try FileCodeStore(dataDir: config.dataDir)
        loops = MultiThreadedEventLoopGroup(numberOfThreads: max(1, System.coreCount))
        environmentNetwork = fabric.fabric.map { [store] f in
            FabricEnvironmentNetwork(fabric: f, dataDir: config.dataDir, logger: logger) {
                _ = await FabricController.reconcile(f, store, logger)
            }
        }
        sandbox = SandboxPool(config: SandboxConfig(dataDir: config.dataDir, idleReapAfterSeconds: config.environmentIdleSeconds,
                                                    accountConcurrencyLimit: config.lambdaTimings.concurrencyLimit),
                              network: environmentNetwork, group: loops, logger: logger)
        codeSweeper = CodeSweeper(store: store, zips: codeStore, pool: sandbox)
        let invoker = SandboxFunctionInvoker(pool: sandbox, codeStore: codeStore, region: config.region, accountId: config.accountId,
                                             store: store, attachesNetworks: environmentNetwork != nil)
        // S3: its own store and files under the data dir; leftovers of a crash removed before serving.
        let s3 = S3Service(store: try SQLiteS3Store(dataDir: config.dataDir), accountId: config.accountId)
        s3.sweep()
        s3Threads = NIOThreadPool(numberOfThreads: 64)
        s3Threads.start()
        let lambda = LambdaService(store: store, accountId: config.accountId, region: config.region,
                                   codeStore: codeStore, timings: config.lambdaTimings,
                                   activity: activity, invoker: invoker, roleChecker: config.skipRoleChecks ? nil : authorizer,
                                   codeObjects: s3)
        s3.connect(events: lambda)
        asyncWorker = AsyncInvocationWorker(service: lambda, logger: logger)
        let logsAPI = CloudWatchLogsAPI(store: sandbox.logs, region: config.region, accountId: config.accountId)
        reconciler = ReconcileLoop(manager: ENIManager(store: store, timings: config.lambdaTimings, accountId: config.accountId,
                                                       activity: activity, roleChecker: config.skipRoleChecks ? nil : authorizer), logger: logger)
        let router = APIRouter(config: config, ec2: ec2, sts: STSService(), iam: iam, authorizer: authorizer, lambda: lambda,
                               logs: logsAPI, ssm: SSMService(store: store), internet: InternetHostsAPI(fabric: fabric), isolationAvailable: isolationAvailable,
                               sandboxStatus: sandbox.isolationStatus, logger: logger, s3: s3, s3Threads: s3Threads)
        http = HTTPServer(responder: router, maxBodyBytes: config.maxBodyBytes, group: loops, logger: logger)
    }

    /// Serves until SIGINT or SIGTERM, then stops cleanly.
    public func run() async throws {
        let channel = try await http.start(host: config.host, port: config.port)
        fabric.start()
        let reconcileTask = reconciler.start()
        let sweepTask = codeSweeper.start()
        let port = channel.localAddress?.port ?? config.port
        let lifecycleTask = Task { [lifecycle] in await lifecycle.run() }
        let asyncTask = asyncWorker.start()
        if !isolationAvailable {
            logger.warning("no CAP_NET_ADMIN: functions will run without network isolation; VPC rules are checked in the control plane only")
        }
        logger.info("lambda-vpc \(LambdaVPCVersion.current) listening on http://\(config.host):\(port) (data dir \(config.dataDir), account \(config.accountId), region \(config.region))")
        await SignalWaiter.waitForTermination()
        logger.info("stopping")
        lifecycle.stop()
        await lifecycleTask.value
        environmentNetwork?.close()
        await fabric.stop()
        reconcileTask.cancel()
        sweepTask.cancel()
        asyncWorker.stop()
        await asyncTask.value
        try? await channel.close()
        // Environments first: invocations still running end (as a killed runtime would) and their requests get answers.
        await sandbox.shutdown()
        await http.shutdown()
        try? await s3Threads.shutdownGracefully()
        try? await loops.shutdownGracefully()
        logger.info("stopped")
    }
}
