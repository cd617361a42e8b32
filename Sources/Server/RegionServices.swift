import AWSWire
import CloudModel
import ControlPlane
import Foundation
import Logging
import Persistence
import Sandbox
import Workloads
import Synchronization

/// One region's world: its store partition, the services that answer requests signed for it, and its background
/// loops (Hyperplane ENIs, NAT gateways and instances, queued Event invocations).
final class RegionServices: Sendable {
    let region: String
    let store: StateStore
    let ec2: EC2Service
    let lambda: LambdaService
    let ssm: SSMService
    let rds: RDSService
    let elastiCache: ElastiCacheService
    let logs: CloudWatchLogsAPI
    let cloudformation: CloudFormationService
    private let stackEngine: StackEngine
    private let reconciler: ReconcileLoop
    private let lifecycle: LifecycleReconciler
    private let asyncWorker: AsyncInvocationWorker
    /// RDS's and ElastiCache's engines: started, restarted, stopped and removed as their records say.
    private let engines: ManagedEngineReconciler
    private struct Running { var reconcile: Task<Void, Never>?; var awaited: [Task<Void, Never>] = [] }
    private let running = Mutex(Running())

    /// What every region shares: IAM's authorizer, the code store, the sandbox, the kernel's instance runtime.
    struct Shared: Sendable {
        var config: ServerConfig
        var authorizer: Authorizer
        /// Issues execution environments' role credentials.
        var sts: STSService
        var activity: InvocationActivity
        var codeStore: FileCodeStore
        var codeURLs: CodeURLSigner
        /// Where Lambda reads code given as `S3Bucket`/`S3Key` (the native S3).
        var codeObjects: (any CodeObjectSource)?
        var sandbox: SandboxPool
        var attachesNetworks: Bool
        var instanceRuntime: any InstanceRuntime
        var engineRuntime: any ManagedEngineRuntime
        var publicAddresses: PublicAddressSpace
        var logger: Logger
        /// IAM (global), for the stack engine's IAM resources.
        var iam: IAMService? = nil
        /// Macros for CloudFormation templates (the SAM transform); nil refuses templates that name one.
        var transformer: (any TemplateTransformer)? = nil
        /// The forwarded services (DynamoDB, SQS, SNS, Secrets Manager), for the stack engine's resources of theirs.
        var forwarded: (any ForwardedServices)? = nil
    }

    init(region: String, store: StateStore, shared s: Shared) {
        self.region = region
        self.store = store
        let config = s.config
        let roleChecker = config.skipRoleChecks ? nil : s.authorizer
        ec2 = EC2Service(store: store, accountId: config.accountId, region: region, runtime: s.instanceRuntime,
                         publicAddresses: s.publicAddresses, iam: s.authorizer.store)
        lifecycle = LifecycleReconciler(store: store, runtime: s.instanceRuntime,
                                        timings: LifecycleTimings(natCreateDelay: config.natCreateDelay, natDeleteDelay: config.natDeleteDelay))
        let invoker = SandboxFunctionInvoker(pool: s.sandbox, codeStore: s.codeStore, region: region, accountId: config.accountId,
                                             store: store, attachesNetworks: s.attachesNetworks, sts: s.sts)
        lambda = LambdaService(store: store, accountId: config.accountId, region: region, codeStore: s.codeStore,
                               timings: config.lambdaTimings, activity: s.activity, invoker: invoker, roleChecker: roleChecker,
                               codeURLs: s.codeURLs, codeObjects: s.codeObjects)
        asyncWorker = AsyncInvocationWorker(service: lambda, logger: s.logger)
        logs = CloudWatchLogsAPI(store: s.sandbox.logStores.store(region: region), region: region, accountId: config.accountId)
        ssm = SSMService(store: store)
        rds = RDSService(store: store, accountId: config.accountId, region: region, publicAddresses: s.publicAddresses)
        elastiCache = ElastiCacheService(store: store, accountId: config.accountId, region: region)
        engines = ManagedEngineReconciler(store: store, runtime: s.engineRuntime, region: region)
        var backends = StackBackends(ec2: ec2, iam: s.iam, lambda: lambda, ssm: ssm, objects: s.codeObjects,
                                     transformer: s.transformer, s3: s.codeObjects as? S3Service, logs: logs, forwarded: s.forwarded,
                                     authorizer: config.enforceIAM ? s.authorizer : nil)
        backends.rds = rds
        backends.elastiCache = elastiCache
        backends.roleSessions = Self.stackRoles(s)
        cloudformation = CloudFormationService(store: store, accountId: config.accountId, region: region, backends: backends)
        stackEngine = StackEngine(service: cloudformation)
        reconciler = ReconcileLoop(manager: ENIManager(store: store, timings: config.lambdaTimings, accountId: config.accountId,
                                                       activity: s.activity, roleChecker: roleChecker), logger: s.logger)
    }

    /// CloudFormation's sessions of stacks' service roles, issued by STS like any AssumeRole.
    static func stackRoles(_ s: Shared) -> StackRoleSessions {
        let authorizer = s.authorizer, sts = s.sts, accountId = s.config.accountId
        return StackRoleSessions(
            assumable: { arn in authorizer.role(arn: arn).map { authorizer.trusts($0, service: "cloudformation.amazonaws.com") } ?? false },
            issue: { arn in
                guard let role = authorizer.role(arn: arn) else { throw AWSError(code: "NoSuchEntity", message: arn) }
                let session = try sts.issueRoleSession(role, sessionName: "AWSCloudFormation", duration: 3600)
                return (Principal(arn: session.principalArn, userId: session.userId, accountId: accountId,
                                  accessKeyId: session.id, roleArn: session.roleArn), session.expiration)
            })
    }

    /// Starts the region's loops.
    func start() {
        let lifecycle = self.lifecycle, stackEngine = self.stackEngine, engines = self.engines
        let r = Running(reconcile: reconciler.start(),
                        awaited: [Task { await lifecycle.run() }, Task { await engines.run() }, asyncWorker.start(),
                                  Task { await stackEngine.run() }])
        running.withLock { $0 = r }
    }

    /// Stops the loops; Event deliveries in flight keep their records for the next server.
    func stop() async {
        lifecycle.stop()
        engines.stop()
        stackEngine.stop()
        asyncWorker.stop()
        let r = running.withLock { r in defer { r = Running() }; return r }
        r.reconcile?.cancel()
        for t in r.awaited { await t.value }
    }
}

/// The stack engine's AWS::Logs::LogGroup calls go to the region's Logs API.
extension CloudWatchLogsAPI: LogsBackend {}
