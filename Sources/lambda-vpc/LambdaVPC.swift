import ArgumentParser
import Foundation
import Logging
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
        subcommands: [Serve.self]
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

    @Option(help: "The region the endpoint answers for. [env: LAMBDA_VPC_REGION] (default: us-east-1)")
    var region: String?

    @Option(help: "Seconds a new NAT gateway stays pending before it is available. [env: LAMBDA_VPC_NAT_CREATE_DELAY] (default: 1)")
    var natCreateDelay: Double?

    @Option(help: "Seconds a NAT gateway stays deleting before it is deleted. [env: LAMBDA_VPC_NAT_DELETE_DELAY] (default: 1)")
    var natDeleteDelay: Double?

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
        guard !config.rootAccessKeyId.isEmpty, !config.rootSecretAccessKey.isEmpty else {
            throw ValidationError("--root-access-key-id and --root-secret-access-key must not be empty")
        }
        if let d = natCreateDelay ?? env["LAMBDA_VPC_NAT_CREATE_DELAY"].flatMap(Double.init) { config.natCreateDelay = d }
        if let d = natDeleteDelay ?? env["LAMBDA_VPC_NAT_DELETE_DELAY"].flatMap(Double.init) { config.natDeleteDelay = d }
        guard config.natCreateDelay >= 0, config.natDeleteDelay >= 0 else { throw ValidationError("NAT delays must not be negative") }
        guard config.accountId.count == 12, config.accountId.allSatisfy(\.isNumber) else {
            throw ValidationError("--account-id must be 12 digits")
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
