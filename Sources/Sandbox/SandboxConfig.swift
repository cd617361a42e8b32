import Foundation

/// How the pool runs environments: where files go, isolation, limits and the runtimes' executables.
public struct SandboxConfig: Sendable {
    /// Root for unpacked code (`tasks/<sha>`), logs (`logs/`) and bookkeeping (`sandbox/`).
    public var dataDir: String
    /// Run each environment in its own network namespace (needs CAP_NET_ADMIN); nil = when the process has it.
    public var networkNamespaces: Bool?
    /// Run each environment in its own mount, PID, IPC and UTS namespaces as an unprivileged user (needs root);
    /// nil = when the process is root.
    public var isolation: Bool?
    /// Warm environments idle this long are shut down.
    public var idleReapAfterSeconds: Double
    /// The account's concurrent executions limit (AWS default 1000).
    public var accountConcurrencyLimit: Int
    /// How long a runtime may take to reach its first `invocation/next` (AWS: 10 s).
    public var initTimeoutSeconds: Double
    /// Interpreters; nil = resolved from PATH once (the real binary, not a version-manager shim).
    public var python3Path: String?
    public var nodePath: String?
    /// Directory holding `node/ric.js`; nil = `LAMBDA_VPC_RUNTIMES_DIR`, else found next to the executable or the sources.
    public var runtimesDir: String?
    /// Log retention: per group, the newest streams up to this many bytes, none older than this many seconds.
    public var logRetentionBytesPerGroup: Int
    public var logRetentionSeconds: Double
    /// The region a logs directory from before regions existed belongs to (the server's `--region`).
    public var homeRegion: String
    /// The CA bundle environments trust (system CAs + the data dir's CA), nil: the host's as it is.
    public var trustBundle: TrustBundle?
    /// A file shown as `/etc/resolv.conf` in isolated environments attached to a network (the resolver of the
    /// VPC or lambda network); nil leaves the host's.
    public var resolvConf: String?

    public init(dataDir: String, networkNamespaces: Bool? = nil, isolation: Bool? = nil, idleReapAfterSeconds: Double = 300,
                accountConcurrencyLimit: Int = 1000, initTimeoutSeconds: Double = 10,
                python3Path: String? = nil, nodePath: String? = nil, runtimesDir: String? = nil,
                logRetentionBytesPerGroup: Int = 32 << 20, logRetentionSeconds: Double = 7 * 86400, homeRegion: String = "us-east-1",
                resolvConf: String? = nil) {
        self.dataDir = dataDir
        self.homeRegion = homeRegion
        self.networkNamespaces = networkNamespaces
        self.isolation = isolation
        self.idleReapAfterSeconds = idleReapAfterSeconds
        self.accountConcurrencyLimit = accountConcurrencyLimit
        self.initTimeoutSeconds = initTimeoutSeconds
        self.python3Path = python3Path
        self.nodePath = nodePath
        self.runtimesDir = runtimesDir
        self.logRetentionBytesPerGroup = logRetentionBytesPerGroup
        self.logRetentionSeconds = logRetentionSeconds
        self.resolvConf = resolvConf
    }
}
