import ArgumentParser
import Foundation
import Logging
import ControlPlane
import NetworkFabric
import Server

/// The `lambda-vpc` command line.
@main
struct LambdaVPC: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lambda-vpc",
        abstract: "AWS Lambda with real VPC networking on one local endpoint.",
        discussion: """
            Point the AWS CLI or boto3 at the endpoint (AWS_ENDPOINT_URL=http://127.0.0.1:4599) with any access key.
            Every serve flag can also be set with an environment variable, named in its help.
            """,
        version: LambdaVPCVersion.current,
        subcommands: [Serve.self, Doctor.self, Internet.self, Operations.self]
    )
}

/// `lambda-vpc serve`: the server in the foreground.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the server in the foreground; logs go to stderr; SIGINT/SIGTERM stop it cleanly.")

    @Option(help: "Address to listen on. [env: LAMBDA_VPC_HOST] (default: 127.0.0.1)")
    var host: String?

    @Option(help: "Port to listen on; 0 picks a free one. [env: LAMBDA_VPC_PORT] (default: 4599)")
    var port: Int?

    @Option(help: "Directory for the SQLite state and function code. [env: LAMBDA_VPC_DATA_DIR] (default: ./.lambda-vpc)")
    var dataDir: String?

    @Option(help: "The 12-digit account id of the emulated account. [env: LAMBDA_VPC_ACCOUNT_ID] (default: 123456789012)")
    var accountId: String?

    @Option(help: "The default region: answered besides every AWS region a request is signed for, and the region state from before regions existed belongs to. [env: LAMBDA_VPC_REGION] (default: us-east-1)")
    var region: String?

    @Option(help: "How long a new NAT gateway stays pending before it is available, e.g. 300ms, 1s. [env: LAMBDA_VPC_NAT_CREATE_DELAY] (default: 1s)")
    var natCreateDelay: String?

    @Option(help: "How long a NAT gateway stays deleting before it is deleted. [env: LAMBDA_VPC_NAT_DELETE_DELAY] (default: 1s)")
    var natDeleteDelay: String?

    @Option(help: "How long creating a new Hyperplane ENI takes, e.g. 250ms, 5s, 0. [env: LAMBDA_VPC_ENI_CREATE_DELAY] (default: 500ms)")
    var eniCreateDelay: String?

    @Option(help: "How long an ENI no function uses is kept before it is deleted. [env: LAMBDA_VPC_ENI_RELEASE_AFTER] (default: 60s)")
    var eniReleaseAfter: String?

    @Option(help: "How long a VPC function may go without invocations before it becomes Inactive. [env: LAMBDA_VPC_IDLE_AFTER] (default: 14d)")
    var idleAfter: String?

    @Option(help: "Hyperplane ENIs allowed per VPC. [env: LAMBDA_VPC_ENI_LIMIT_PER_VPC] (default: 500)")
    var eniLimitPerVpc: Int?

    @Option(help: "The account's concurrent executions limit. [env: LAMBDA_VPC_CONCURRENCY_LIMIT] (default: 1000)")
    var concurrencyLimit: Int?

    @Option(help: "Waits before the retries of a failed Event invocation, comma-separated, e.g. 100ms,200ms. [env: LAMBDA_VPC_ASYNC_RETRY_DELAYS] (default: 60s,120s)")
    var asyncRetryDelays: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error. [env: LAMBDA_VPC_LOG_LEVEL] (default: info)")
    var logLevel: String?

    @Flag(help: "Enforce IAM: resolve callers from their access keys and apply their policies. [env: LAMBDA_VPC_ENFORCE_IAM] (default: off)")
    var enforceIam = false

    @Option(help: "The root's access key id under --enforce-iam. [env: LAMBDA_VPC_ROOT_ACCESS_KEY_ID] (default: test)")
    var rootAccessKeyId: String?

    @Option(help: "The root's secret access key under --enforce-iam. [env: LAMBDA_VPC_ROOT_SECRET_ACCESS_KEY] (default: test)")
    var rootSecretAccessKey: String?

    @Flag(help: "Skip Lambda's execution-role checks (trust policy, ENI permissions). [env: LAMBDA_VPC_SKIP_ROLE_CHECKS] (default: off)")
    var skipRoleChecks = false

    @Flag(help: "Do not build VPC networks or run instances in the kernel, even with CAP_NET_ADMIN. [env: LAMBDA_VPC_NO_NETWORK] (default: off)")
    var noNetwork = false

    @Option(help: "Where services lambda-vpc does not implement (DynamoDB, SQS, SNS, Secrets Manager, KMS, ...) are forwarded, e.g. http://127.0.0.1:4566; without it a moto_server is started on first use. [env: LAMBDA_VPC_SERVICE_BACKEND]")
    var serviceBackend: String?

    @Flag(help: "Do not give regions a default VPC when they are first used (CreateDefaultVpc still makes one). [env: LAMBDA_VPC_NO_DEFAULT_VPC] (default: off)")
    var noDefaultVpc = false

    @Option(help: "Where the simulated internet leads beyond its own hosts: none, or host (the host's network, masqueraded). [env: LAMBDA_VPC_EGRESS] (default: none)")
    var egress: String?

    /// `1`, `true`, `yes`, `on` (any case) turn a boolean environment variable on.
    static func envFlag(_ value: String?) -> Bool {
        guard let v = value?.lowercased() else { return false }
        return ["1", "true", "yes", "on"].contains(v)
    }

    func run() async throws {
        let env = ProcessInfo.processInfo.environment
        var config = ServerConfig()
        config.host = host ?? env["LAMBDA_VPC_HOST"] ?? config.host
        if let p = port ?? env["LAMBDA_VPC_PORT"].flatMap(Int.init) { config.port = p }
        config.dataDir = dataDir ?? env["LAMBDA_VPC_DATA_DIR"] ?? config.dataDir
        config.accountId = accountId ?? env["LAMBDA_VPC_ACCOUNT_ID"] ?? config.accountId
        config.region = region ?? env["LAMBDA_VPC_REGION"] ?? config.region
        config.enforceIAM = enforceIam || Self.envFlag(env["LAMBDA_VPC_ENFORCE_IAM"])
        config.rootAccessKeyId = rootAccessKeyId ?? env["LAMBDA_VPC_ROOT_ACCESS_KEY_ID"] ?? config.rootAccessKeyId
        config.rootSecretAccessKey = rootSecretAccessKey ?? env["LAMBDA_VPC_ROOT_SECRET_ACCESS_KEY"] ?? config.rootSecretAccessKey
        config.skipRoleChecks = skipRoleChecks || Self.envFlag(env["LAMBDA_VPC_SKIP_ROLE_CHECKS"])
        config.networkFabric = !(noNetwork || Self.envFlag(env["LAMBDA_VPC_NO_NETWORK"]))
        config.defaultVpc = !(noDefaultVpc || Self.envFlag(env["LAMBDA_VPC_NO_DEFAULT_VPC"]))
        if let text = serviceBackend ?? env["LAMBDA_VPC_SERVICE_BACKEND"] {
            guard let url = URL(string: text), url.scheme == "http" || url.scheme == "https", url.host != nil else {
                throw ValidationError("--service-backend must be an http(s) URL like http://127.0.0.1:4566 (got '\(text)')")
            }
            config.serviceBackend = url
        }
        if let text = egress ?? env["LAMBDA_VPC_EGRESS"] {
            guard let e = InternetEgress(rawValue: text) else { throw ValidationError("--egress must be none or host (got '\(text)')") }
            config.egress = e
        }
        guard !config.rootAccessKeyId.isEmpty, !config.rootSecretAccessKey.isEmpty else {
            throw ValidationError("--root-access-key-id and --root-secret-access-key must not be empty")
        }
        guard config.accountId.count == 12, config.accountId.allSatisfy(\.isNumber) else {
            throw ValidationError("--account-id must be 12 digits")
        }
        func duration(_ flag: String, _ value: String?, _ envName: String) throws -> TimeInterval? {
            guard let text = value ?? env[envName] else { return nil }
            guard let d = LambdaTimings.parseDuration(text) else {
                throw ValidationError("--\(flag) must be a duration like 250ms, 5s, 2m, 3h or 14d (got '\(text)')")
            }
            return d
        }
        if let d = try duration("nat-create-delay", natCreateDelay, "LAMBDA_VPC_NAT_CREATE_DELAY") { config.natCreateDelay = d }
        if let d = try duration("nat-delete-delay", natDeleteDelay, "LAMBDA_VPC_NAT_DELETE_DELAY") { config.natDeleteDelay = d }
        if let d = try duration("eni-create-delay", eniCreateDelay, "LAMBDA_VPC_ENI_CREATE_DELAY") { config.lambdaTimings.eniCreateDelay = d }
        if let d = try duration("eni-release-after", eniReleaseAfter, "LAMBDA_VPC_ENI_RELEASE_AFTER") { config.lambdaTimings.eniReleaseAfter = d }
        if let d = try duration("idle-after", idleAfter, "LAMBDA_VPC_IDLE_AFTER") { config.lambdaTimings.idleAfter = d }
        if let text = eniLimitPerVpc.map(String.init) ?? env["LAMBDA_VPC_ENI_LIMIT_PER_VPC"] {
            guard let n = Int(text), n >= 0 else { throw ValidationError("--eni-limit-per-vpc must be a number >= 0 (got '\(text)')") }
            config.lambdaTimings.eniLimitPerVpc = n
        }
        if let text = concurrencyLimit.map(String.init) ?? env["LAMBDA_VPC_CONCURRENCY_LIMIT"] {
            guard let n = Int(text), n >= 1 else { throw ValidationError("--concurrency-limit must be a number >= 1 (got '\(text)')") }
            config.lambdaTimings.concurrencyLimit = n
        }
        if let text = asyncRetryDelays ?? env["LAMBDA_VPC_ASYNC_RETRY_DELAYS"] {
            let parts = text.split(separator: ",").map { LambdaTimings.parseDuration(String($0)) }
            guard !parts.isEmpty, parts.allSatisfy({ $0 != nil }) else {
                throw ValidationError("--async-retry-delays must be durations separated by commas, like 60s,120s (got '\(text)')")
            }
            config.lambdaTimings.asyncRetryDelays = parts.compactMap { $0 }
        }
        guard (0...65535).contains(config.port) else { throw ValidationError("--port must be 0...65535") }

        let levelText = logLevel ?? env["LAMBDA_VPC_LOG_LEVEL"] ?? "info"
        guard let level = Logger.Level(rawValue: levelText) else { throw ValidationError("unknown --log-level \(levelText)") }
        LoggingSystem.bootstrap { label in
            var h = StreamLogHandler.standardError(label: label)
            h.logLevel = level
            return h
        }
        let logger = Logger(label: "lambda-vpc")
        let server = try LambdaVPCServer(config: config, logger: logger)
        try await server.run()
    }
}
