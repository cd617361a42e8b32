import AWSWire
import CloudModel
import ControlPlane
import Foundation
import Persistence
import Sandbox
import Synchronization

/// Runs invocations the control plane allowed in the sandbox's execution environments: builds the FunctionSpec from the
/// version's configuration and maps the sandbox's refusals to Lambda's errors.
public final class SandboxFunctionInvoker: FunctionInvoker {
    let pool: SandboxPool
    let codeStore: FileCodeStore
    let region: String
    let accountId: String
    /// Where the versions' Hyperplane ENIs are looked up.
    let store: StateStore
    /// True when environments are wired by the network fabric: specs then say which network each one joins.
    let attachesNetworks: Bool
    /// The spec each (function, version) last ran with: a different one means its code or configuration changed,
    /// and the warm environments of the old one are dropped at once instead of idling until reaped.
    private let lastSpec = Mutex<[String: FunctionSpec]>([:])
    /// The execution roles' sessions (nil: runtimes get stand-in credentials).
    let roleCredentials: FunctionCredentials?

    public init(pool: SandboxPool, codeStore: FileCodeStore, region: String, accountId: String, store: StateStore,
                attachesNetworks: Bool, sts: STSService? = nil) {
        self.pool = pool; self.codeStore = codeStore; self.region = region; self.accountId = accountId
        self.store = store; self.attachesNetworks = attachesNetworks
        roleCredentials = sts.map { FunctionCredentials(sts: $0, store: store) }
    }

    public func invoke(_ request: InvocationRequest) async throws -> InvocationResult {
        let spec = try spec(for: request.config)
        let key = spec.functionArn + "\u{0}" + spec.version
        let changed = lastSpec.withLock { known -> Bool in
            defer { known[key] = spec }
            return known[key].map { $0 != spec } ?? false
        }
        if changed { pool.invalidate(functionArn: spec.functionArn) }
        let input = InvocationInput(requestId: request.requestId, payload: request.payload, clientContext: request.clientContext,
                                    wantLogTail: request.logType == "Tail")
        let output: InvocationOutput
        do {
            output = try await pool.invoke(spec, input, reservedConcurrency: request.reservedConcurrency,
                                           invokedFunctionArn: request.invokedArn)
        } catch let e as SandboxError {
            throw Self.awsError(e)
        }
        return InvocationResult(statusCode: 200, payload: output.payload, functionError: output.functionError,
                                logResult: output.logTail.map { Data($0.utf8).base64EncodedString() },
                                executedVersion: output.executedVersion)
    }

    /// The sandbox's view of one function version.
    func spec(for c: FunctionConfig) throws -> FunctionSpec {
        FunctionSpec(name: c.functionName, version: c.version,
                     functionArn: "arn:aws:lambda:\(region):\(accountId):function:\(c.functionName)",
                     runtime: c.runtime, handler: c.handler, codeZipPath: codeStore.path(sha256Hex: c.codeHex),
                     codeSha256: c.codeHex, memorySizeMB: c.memorySize, timeoutSeconds: c.timeout,
                     ephemeralStorageMB: c.ephemeralStorageSize,
                     environment: c.environment ?? [:], region: region, accountId: accountId, logGroupName: c.logGroupName,
                     networkAttachment: attachesNetworks ? try Self.networkAttachment(for: c, in: store.snapshot()) : nil,
                     layers: (c.layers ?? []).map { LayerArchive(zipPath: codeStore.path(sha256Hex: $0.codeHex), sha256: $0.codeHex) },
                     logFormat: c.loggingConfig?.logFormat ?? "Text", applicationLogLevel: c.loggingConfig?.applicationLogLevel,
                     systemLogLevel: c.loggingConfig?.systemLogLevel,
                     credentials: try roleCredentials?.credentials(role: c.role, function: c.functionName))
    }

    /// A VPC function's environments sit behind its Hyperplane ENIs (the allocation of each subnet + security-group
    /// set of its VpcConfig); any other function's join the Lambda-owned network. The list keeps the subnet order
    /// of the keys, so the spec stays equal (and warm environments stay warm) while the ENIs do not change.
    static func networkAttachment(for c: FunctionConfig, in state: CloudState) throws -> NetworkAttachment {
        guard let vpc = c.vpcConfig, vpc.isAttached else { return .lambdaNetwork }
        let keys = vpc.hyperplaneKeys
        let interfaces = keys.compactMap { key -> HyperplaneInterface? in
            guard let id = state.hyperplaneENIs[key.id]?.networkInterfaceId, let eni = state.networkInterfaces[id] else { return nil }
            return HyperplaneInterface(networkInterfaceId: id, privateIpAddress: eni.privateIpAddress.description)
        }
        // Active implies the ENIs exist; running such a function without its network would hide the problem.
        guard !interfaces.isEmpty else { throw LambdaNetworkErrors.hyperplaneInterfaceMissing(keys) }
        return .hyperplane(interfaces)
    }

    static func awsError(_ e: SandboxError) -> AWSError {
        switch e {
        case .throttled(let reason): return LambdaErrors.throttled(reason: reason.rawValue)
        case .unsupportedRuntime(let r): return LambdaErrors.invalidRuntime(r)
        case .invalidCode(let m): return LambdaErrors.invalidZip(m)
        case .unzippedTooLarge: return LambdaErrors.unzippedTooLarge
        case .environmentStartFailed(let m): return LambdaErrors.service("The execution environment could not be started: \(m)")
        case .shutDown: return LambdaErrors.service("The service is shutting down.")
        }
    }
}
