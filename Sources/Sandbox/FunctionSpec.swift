/// Everything the sandbox needs to run one version of a function; the control plane builds it from its records.
public struct FunctionSpec: Sendable, Hashable {
    public var name: String
    /// "$LATEST" or a published version number.
    public var version: String
    /// The function's unqualified ARN (`arn:aws:lambda:REGION:ACCOUNT:function:NAME`).
    public var functionArn: String
    public var runtime: String
    public var handler: String
    /// The deployment package on disk; unpacked once per `codeSha256`.
    public var codeZipPath: String
    public var codeSha256: String
    public var memorySizeMB: Int
    public var timeoutSeconds: Int
    /// The size of the environment's `/tmp` (EphemeralStorage), in MB.
    public var ephemeralStorageMB: Int
    public var environment: [String: String]
    public var region: String
    public var accountId: String
    /// `/aws/lambda/NAME` unless the function configures another group.
    public var logGroupName: String
    /// Where the environment's network attaches; nil = an isolated namespace with only loopback (or the host network).
    public var networkAttachment: NetworkAttachment?
    /// The function's layers in order (later ones win where files overlap), merged read-only at `/opt`.
    public var layers: [LayerArchive]
    /// `Text` or `JSON` (LoggingConfig.LogFormat): JSON makes the platform's log lines JSON and tells the runtime.
    public var logFormat: String
    /// LoggingConfig.ApplicationLogLevel (JSON only): given to the runtime as `AWS_LAMBDA_LOG_LEVEL`.
    public var applicationLogLevel: String?
    /// LoggingConfig.SystemLogLevel (JSON only): WARN leaves the platform's INFO events out of the log.
    public var systemLogLevel: String?
    /// The execution role's temporary credentials, given to the runtime as `AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`. New credentials make a new spec, so environments holding the
    /// old ones are not reused.
    public var credentials: SessionCredentials?

    public init(name: String, version: String = "$LATEST", functionArn: String, runtime: String, handler: String,
                codeZipPath: String, codeSha256: String, memorySizeMB: Int = 128, timeoutSeconds: Int = 3,
                ephemeralStorageMB: Int = 512, environment: [String: String] = [:], region: String = "us-east-1", accountId: String = "123456789012",
                logGroupName: String? = nil, networkAttachment: NetworkAttachment? = nil, layers: [LayerArchive] = [],
                logFormat: String = "Text", applicationLogLevel: String? = nil, systemLogLevel: String? = nil,
                credentials: SessionCredentials? = nil) {
        self.name = name
        self.version = version
        self.functionArn = functionArn
        self.runtime = runtime
        self.handler = handler
        self.codeZipPath = codeZipPath
        self.codeSha256 = codeSha256
        self.memorySizeMB = memorySizeMB
        self.timeoutSeconds = timeoutSeconds
        self.ephemeralStorageMB = ephemeralStorageMB
        self.environment = environment
        self.region = region
        self.accountId = accountId
        self.logGroupName = logGroupName ?? "/aws/lambda/\(name)"
        self.networkAttachment = networkAttachment
        self.layers = layers
        self.logFormat = logFormat
        self.applicationLogLevel = applicationLogLevel
        self.systemLogLevel = systemLogLevel
        self.credentials = credentials
    }

    /// The unpacked-layers directory's name for this ordered set of layers (nil without layers): 48 bits of each
    /// archive's SHA-256 in order, so the same layers in another order are another directory.
    public var layersKey: String? { Self.layersKey(layers.map(\.sha256)) }

    public static func layersKey(_ shas: [String]) -> String? {
        shas.isEmpty ? nil : "layers_" + shas.map { String($0.prefix(12)) }.joined(separator: "_")
    }
}

/// Temporary credentials as a runtime receives them.
public struct SessionCredentials: Sendable, Hashable {
    public var accessKeyId: String
    public var secretAccessKey: String
    public var sessionToken: String

    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }
}

/// One layer version's archive as the sandbox unpacks it.
public struct LayerArchive: Sendable, Hashable {
    public var zipPath: String
    /// hex SHA-256 of the archive.
    public var sha256: String

    public init(zipPath: String, sha256: String) { self.zipPath = zipPath; self.sha256 = sha256 }
}

/// The VPC seam: which network an environment's namespace is wired to (filled in by the server from the version's
/// VpcConfig; the sandbox only carries it to its `EnvironmentNetwork`).
public enum NetworkAttachment: Sendable, Hashable {
    /// The function's Hyperplane ENIs, one per subnet of its VpcConfig (in subnet order); each new environment joins one.
    case hyperplane([HyperplaneInterface])
    /// The Lambda-owned network of functions without VpcConfig.
    case lambdaNetwork
}

/// One Hyperplane ENI an environment can sit behind.
public struct HyperplaneInterface: Sendable, Hashable {
    /// e.g. `eni-0abc...`.
    public var networkInterfaceId: String
    /// The ENI's private address: the source address the environment's traffic leaves with.
    public var privateIpAddress: String

    public init(networkInterfaceId: String, privateIpAddress: String) {
        self.networkInterfaceId = networkInterfaceId
        self.privateIpAddress = privateIpAddress
    }
}

/// One invocation as the Invoke API received it.
public struct InvocationInput: Sendable {
    public var requestId: String
    public var payload: [UInt8]
    /// Base64 client context (`X-Amz-Client-Context`), passed through to the runtime.
    public var clientContext: String?
    public var cognitoIdentity: String?
    /// `LogType: Tail`: return the last 4 KB of this invocation's log.
    public var wantLogTail: Bool
    public var traceId: String

    public init(requestId: String, payload: [UInt8], clientContext: String? = nil, cognitoIdentity: String? = nil,
                wantLogTail: Bool = false, traceId: String? = nil) {
        self.requestId = requestId
        self.payload = payload
        self.clientContext = clientContext
        self.cognitoIdentity = cognitoIdentity
        self.wantLogTail = wantLogTail
        self.traceId = traceId ?? TraceID.make()
    }
}

/// What Invoke answers: the payload, whether the function failed, the log tail and the figures of the REPORT line.
public struct InvocationOutput: Sendable {
    public var payload: [UInt8]
    /// "Unhandled" when the function (or its runtime) failed; nil on success.
    public var functionError: String?
    /// The last 4 KB of this invocation's log (plain text; the API base64-encodes it).
    public var logTail: String?
    public var executedVersion: String
    public var durationMs: Double
    public var billedDurationMs: Int
    /// Set on a cold start only.
    public var initDurationMs: Double?
    public var maxMemoryUsedMB: Int
}
