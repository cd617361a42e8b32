import CloudModel
import Foundation
import Logging
import Synchronization

/// The network fabric on Linux: converges the kernel (namespaces, bridges, veths, addresses, routes, rules,
/// nftables) to the plan of a model plus the attached execution environments. Idempotent and restart-safe: it
/// remembers what it applied, reads the kernel only for namespaces it does not know (after a restart, or after a
/// failure), and removes every namespace carrying its instance tag that the plan does not want.
///
/// All work runs on one dedicated thread, so calls never interleave and never block a Swift concurrency thread.
public final class LinuxFabric: Sendable {
    public let names: FabricNames
    let planner: FabricPlanner
    let worker: SerialThread
    let memory = FabricMemory()
    let logger: Logger
    /// Who keeps sockets in the namespaces (the DNS resolver), told before deletions and after each pass.
    let socketOwners = Mutex<[any NamespaceSocketOwner]>([])

    /// `instanceTag`: 4-8 lower-case hex digits carried by every namespace name; see `FabricNames.tag(forDataDirectory:)`.
    /// `egress`: whether the simulated internet's core reaches the host's own network.
    public init(instanceTag: String, egress: InternetEgress = .none, logger: Logger = Logger(label: "lambda-vpc.fabric")) throws {
        names = try FabricNames(tag: instanceTag)
        planner = FabricPlanner(names: names, egress: egress)
        worker = SerialThread(name: "lv-fabric-\(instanceTag)")
        self.logger = logger
    }

    /// True when this process may create namespaces and load rulesets (CAP_NET_ADMIN in the effective set).
    public static func hasNetAdmin() -> Bool {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("CapEff:") }),
              let caps = UInt64(line.dropFirst("CapEff:".count).trimmingCharacters(in: .whitespaces), radix: 16)
        else { return false }
        return caps & (1 << 12) != 0
    }

    /// Registers an owner of sockets kept in this fabric's namespaces (the DNS resolver, the endpoints' listeners).
    public func addSocketOwner(_ owner: any NamespaceSocketOwner) {
        socketOwners.withLock { $0.append(owner) }
    }

    /// Runs `body` on the calling thread while it is inside network namespace `name` (a socket made there stays
    /// there). Only from a thread the caller owns, such as the fabric thread running `NamespaceSocketOwner`'s calls:
    /// never from Swift concurrency or event-loop threads.
    public static func inNetworkNamespace<T>(_ name: String, _ body: () throws -> T) throws -> T {
        try NamespaceThreads.inNamespace(name, body)
    }

    /// Makes the kernel match `model` (and the current attachments). Cheap when nothing changed: the plan is
    /// compared in memory and nothing is run.
    @discardableResult
    public func reconcile(_ model: FabricModel) async throws -> ReconcileReport {
        try await reconcile(latest: { model })
    }

    /// Makes the kernel match the model `latest` returns, called on the fabric thread. Callers that each read the
    /// store and then queue (a write's wake-up, an instance start) may reach the thread in either order: reading
    /// there means a pass never applies a model older than one already applied, which would delete what the newer
    /// one built (an instance's namespace, from under its starting script).
    @discardableResult
    public func reconcile(latest: @escaping @Sendable () -> FabricModel) async throws -> ReconcileReport {
        try await worker.run { [self] in
            memory.model = latest()
            return try converge(force: false)
        }
    }

    /// Removes every namespace of this instance (teardown is reconcile-to-empty) and forgets all attachments.
    public func teardown() async throws {
        try await worker.run { [self] in
            memory.model = .empty
            memory.attachments = [:]
            memory.departingPorts = [:]
            memory.hosts = []
            _ = try converge(force: true)
        }
    }

    /// Adds an internet host holding `address` (validated by the caller) and returns its namespace, once built.
    public func addInternetHost(_ address: IPv4Address) async throws -> String {
        try await worker.run { [self] in
            guard memory.hosts.insert(address).inserted else { throw FabricError.internetHostInUse(address.description) }
            do { _ = try converge(force: false) } catch {
                memory.hosts.remove(address)
                _ = try? converge(force: false)
                throw error
            }
            return names.internetHostNamespace(address)
        }
    }

    /// Removes an internet host's namespace (its processes must be ended first; see `internetHostNamespace`).
    public func removeInternetHost(_ address: IPv4Address) async throws {
        try await worker.run { [self] in
            guard memory.hosts.remove(address) != nil else { return }
            _ = try converge(force: false)
        }
    }

    /// The addresses of the internet hosts this process made.
    public func internetHosts() async -> Set<IPv4Address> {
        (try? await worker.run { [self] in memory.hosts }) ?? []
    }

    /// Wires an environment namespace (created by the sandbox) to an ENI namespace or the lambda network.
    public func attach(environmentNamespace: String, to target: AttachmentTarget) async throws -> EnvironmentLink {
        try await worker.run { [self] in try attachNow(environmentNamespace, target) }
    }

    /// `attach` for callers on their own threads (the sandbox's environment thread). Never call it from a Swift
    /// concurrency thread: it blocks until the fabric thread is done.
    public func attachBlocking(environmentNamespace: String, to target: AttachmentTarget) throws -> EnvironmentLink {
        try worker.runBlocking { [self] in try attachNow(environmentNamespace, target) }
    }

    /// Removes an environment's link; harmless if the sandbox already deleted the namespace.
    public func detach(environmentNamespace: String) async throws {
        try await worker.run { [self] in try detachNow(environmentNamespace) }
    }

    /// `detach` for callers on their own threads.
    public func detachBlocking(environmentNamespace: String) throws {
        try worker.runBlocking { [self] in try detachNow(environmentNamespace) }
    }

    /// Compares the kernel with the plan of `model` (or of the last reconciled model) without changing anything.
    /// `ignoringEnvironmentLinks`: for a process that does not know the server's attachments (the `doctor`
    /// command), environment links in ENI namespaces are not reported as extra.
    public func doctor(_ model: FabricModel? = nil, ignoringEnvironmentLinks: Bool = false) async throws -> DoctorReport {
        try await worker.run { [self] in try diagnose(model ?? memory.model, ignoringEnvironmentLinks: ignoringEnvironmentLinks) }
    }

    /// The namespace holding an ENI (`lv-<tag>-eni-<hash>`).
    public func interfaceNamespace(_ eniId: String) -> String { names.interfaceNamespace(eniId) }
}

/// What one reconcile did.
public struct ReconcileReport: Sendable, Equatable {
    /// False when the plan equalled the last applied one and nothing ran.
    public var ran: Bool
    public var changes: Int
    /// Namespaces read back from the kernel (unknown to this process: first run after a restart, or after a failure).
    public var namespacesRead: Int

    public static let unchanged = ReconcileReport(ran: false, changes: 0, namespacesRead: 0)
}

/// The kernel compared with the plan: every missing, extra or different object.
public struct DoctorReport: Sendable, Equatable {
    /// Namespaces of this instance present in the kernel.
    public var namespaces: [String]
    /// Human-readable problems (`missing link lv-b-… in lv-…`); empty when the kernel matches the plan.
    public var problems: [String]
    public var isHealthy: Bool { problems.isEmpty }
}

/// What the fabric thread remembers between calls. Touched only on that thread.
final class FabricMemory: @unchecked Sendable {
    var model = FabricModel.empty
    var attachments: [String: EnvironmentAttachment] = [:]
    /// Addresses of the simulated internet's hosts.
    var hosts: Set<IPv4Address> = []
    /// The last plan fully applied without failure.
    var lastPlan: FabricPlan?
    /// The inputs of `lastPlan`: equal inputs skip even the planning (rendering 100 rulesets is not free).
    var lastInputs: (model: FabricModel, attachments: [String: EnvironmentAttachment], hosts: Set<IPv4Address>)?
    /// Per namespace, the state this process applied (and so knows to be there without reading the kernel).
    var applied: [String: NamespaceState] = [:]
    /// Per namespace, the firewall this process loaded: the base of in-place updates (`Firewall.update(from:)`).
    var firewalls: [String: Firewall] = [:]
    /// Ports of environments whose namespace was deleted without a detach, by the namespace holding them. The
    /// kernel destroys a deleted namespace, and with it both veth ends, asynchronously: until it has, such a port is
    /// on its way out, not extra.
    var departingPorts: [String: Set<String>] = [:]
    /// Who gets the service edge's listening sockets (`serveEdge`), and the edge namespace they were made in.
    var edgeReceiver: (@Sendable (EdgeSockets?) -> Void)?
    var edgeIdentity: UInt64?
}
