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
        subcommands: [Serve.self, Doctor.self]
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

    @Option(help: "Log level: trace, debug, info, notice, warning, error. [env: LAMBDA_VPC_LOG_LEVEL] (default: info)")
    var logLevel: String?

    func run() async throws {
        let env = ProcessInfo.processInfo.environment
        var config = ServerConfig()
        config.host = host ?? env["LAMBDA_VPC_HOST"] ?? config.host
        if let p = port ?? env["LAMBDA_VPC_PORT"].flatMap(Int.init) { config.port = p }
        config.dataDir = dataDir ?? env["LAMBDA_VPC_DATA_DIR"] ?? config.dataDir
        config.accountId = accountId ?? env["LAMBDA_VPC_ACCOUNT_ID"] ?? config.accountId
        config.region = region ?? env["LAMBDA_VPC_REGION"] ?? config.region
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
