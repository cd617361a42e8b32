import ArgumentParser
import CloudModel
import Foundation
import NetworkFabric
import Persistence

/// `lambda-vpc doctor`: what exists in the kernel compared with what the store says should exist.
struct Doctor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare the network namespaces, links, routes and nftables rulesets in the kernel with the store.",
        discussion: "With a server running, exits 1 when something is missing, extra or different; with none, exits 1 when "
            + "anything of it is left in the kernel. Read-only.")

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
        if !ServerPresence.isRunning(directory: dir) {
            // A stopped server (SIGTERM) has removed everything; only a `kill -9` leaves namespaces behind, which the
            // next `serve` repairs.
            let wouldBuild = report.problems.filter { $0.hasPrefix("missing namespace") }.count
            print("network isolation: on; fabric instance \(tag); no server is running on \(dir)")
            print("a running server would build \(wouldBuild) namespaces from the store")
            if report.namespaces.isEmpty {
                print("nothing is left in the kernel")
                return
            }
            print("\(report.namespaces.count) namespaces are left behind (the next serve repairs them):")
            for ns in report.namespaces { print("  \(ns)") }
            throw ExitCode(1)
        }
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
