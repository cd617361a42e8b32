import ArgumentParser
import ControlPlane
import Sandbox

/// `lambda-vpc operations`: every operation the server answers, from the services' operation tables, as the
/// Markdown of docs/OPERATIONS.md.
struct Operations: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List every AWS operation the server answers (Markdown, as docs/OPERATIONS.md).")

    func run() {
        var byService: [(String, [String])] = []
        var all = OperationCatalog.operations
        all += CloudWatchLogsAPI.operations.sorted().map { ("logs", $0) }
        for (service, operation) in all {
            if let i = byService.firstIndex(where: { $0.0 == service }) { byService[i].1.append(operation) } else {
                byService.append((service, [operation]))
            }
        }
        print("# Operations\n")
        print("Every AWS operation lambda-vpc answers, read from each service's operation table by `lambda-vpc operations`")
        print("(a test keeps this file equal to its output). Anything else gets the service's unknown-operation error.\n")
        print("| service | count | operations |\n|---|---|---|")
        for (service, operations) in byService.sorted(by: { $0.0 < $1.0 }) {
            print("| \(service) | \(operations.count) | \(operations.joined(separator: ", ")) |")
        }
    }
}
