import ArgumentParser
import CloudModel
import Foundation
import NetworkFabric
import Persistence

/// `lambda-vpc doctor`: what exists in the kernel compared with what the store says should exist.
struct Doctor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare the network namespaces, links, routes and nftables rulesets in the kernel with the store.",
        discussion: "Exits 1 when something is missing, extra or different; read-only.")

    @Option(help: "The server's data directory. [env: LAMBDA_VPC_DATA_DIR] (default: ./.lambda-vpc)")
    var dataDir: String?

    @Option(help: "The server's --egress (none or host). [env: LAMBDA_VPC_EGRESS] (default: none)")
    var egress: String?

    func run() async throws {
        let dir = dataDir ?? ProcessInfo.processInfo.environment["LAMBDA_VPC_DATA_DIR"] ?? "./.lambda-vpc"
        guard LinuxFabric.hasNetAdmin() else {
            print("network isolation: off (no CAP_NET_ADMIN): VPC rules are enforced only by the control plane")
            return
        }
        let state = try CloudState.load(from: SQLiteRecordStore(directory: dir).loadAll())
        let tag = FabricNames.tag(forDataDirectory: dir)
        let egressText = egress ?? ProcessInfo.processInfo.environment["LAMBDA_VPC_EGRESS"] ?? "none"
        guard let egressMode = InternetEgress(rawValue: egressText) else {
            throw ValidationError("--egress must be none or host (got '\(egressText)')")
        }
        let fabric = try LinuxFabric(instanceTag: tag, egress: egressMode)
        let report = try await fabric.doctor(FabricModel(state: state), ignoringEnvironmentLinks: true)
        print("network isolation: on; fabric instance \(tag); \(report.namespaces.count) namespaces")
        for ns in report.namespaces { print("  \(ns)") }
        if report.isHealthy {
            print("kernel matches the store")
        } else {
            print("\(report.problems.count) problems:")
            for p in report.problems { print("  \(p)") }
            throw ExitCode(1)
        }
    }
}
