import CloudModel
import ControlPlane
import Foundation
import Logging
import Synchronization

/// Every region the server has served: each one's services are built, started and given its default VPC the first
/// time a request is signed for it (or at start, for the home region and regions with stored state).
final class Regions: Sendable {
    let stores: RegionalStores
    let home: String
    private let shared: RegionServices.Shared
    private struct Built { var services: [String: RegionServices] = [:]; var running = false }
    private let built = Mutex(Built())

    init(stores: RegionalStores, home: String, shared: RegionServices.Shared) {
        self.stores = stores
        self.home = home
        self.shared = shared
    }

    /// True for the regions requests may be signed for: AWS's commercial regions and the server's own `--region`.
    static func isServed(_ region: String, home: String) -> Bool {
        region == home || AWSRegions.names.contains(region)
    }

    /// The region's services, built (and started, once the server runs) on first use.
    func services(_ region: String) throws -> RegionServices {
        if let existing = built.withLock({ $0.services[region] }) { return existing }
        let store = try stores.store(region)
        let (services, start) = built.withLock { b -> (RegionServices, Bool) in
            if let existing = b.services[region] { return (existing, false) }
            let made = RegionServices(region: region, store: store, shared: shared)
            b.services[region] = made
            return (made, b.running)
        }
        if start { services.start() }
        if shared.config.defaultVpc {
            do { try services.ec2.provisionDefaultVpcOnce() } catch {
                shared.logger.error("default VPC of \(region) not created: \(error)")
            }
        }
        return services
    }

    /// The regions built so far.
    var all: [RegionServices] { built.withLock { Array($0.services.values) } }

    /// Starts every built region's loops, and those built later at once.
    func startAll() {
        let current = built.withLock { b -> [RegionServices] in b.running = true; return Array(b.services.values) }
        for r in current { r.start() }
    }

    func stopAll() async {
        let current = built.withLock { b -> [RegionServices] in b.running = false; return Array(b.services.values) }
        for r in current { await r.stop() }
    }
}

/// Events for a function (S3 notifications) go to the region its ARN names.
extension Regions: FunctionEventQueue {
    static func region(ofFunction arn: String) -> String? {
        let parts = arn.split(separator: ":", omittingEmptySubsequences: false)
        return parts.count > 4 && parts[2] == "lambda" ? String(parts[3]) : nil
    }

    func refusesEvents(functionArn: String, service: String, sourceArn: String, sourceAccount: String) -> String? {
        guard let region = Self.region(ofFunction: functionArn), Self.isServed(region, home: home),
              let lambda = try? services(region).lambda else { return "The function \(functionArn) is not in this account and region" }
        return lambda.refusesEvents(functionArn: functionArn, service: service, sourceArn: sourceArn, sourceAccount: sourceAccount)
    }

    func enqueue(functionArn: String, payload: [UInt8]) throws {
        guard let region = Self.region(ofFunction: functionArn), Self.isServed(region, home: home) else { return }
        try services(region).lambda.enqueue(functionArn: functionArn, payload: payload)
    }
}
