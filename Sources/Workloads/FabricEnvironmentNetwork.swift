import Foundation
import Logging
import NetworkFabric
import Sandbox
import Synchronization

/// Execution environments on the network fabric: each gets its `lv-env-*` namespace (made, ledgered and removed by
/// `NamespaceNetwork`), linked by the fabric to one of its function's Hyperplane ENIs (source-NATed to the ENI's
/// address, under the ENI's security groups) or, without VpcConfig, to the Lambda-owned network.
///
/// Spreading: a new environment joins the function's ENI (one per subnet) that carries the fewest of this server's
/// environments, ties broken round-robin, so concurrent environments spread over the subnets as AWS spreads them.
public final class FabricEnvironmentNetwork: EnvironmentNetwork {
    let fabric: LinuxFabric
    let namespaces: NamespaceNetwork
    let logger: Logger
    /// Applies the store's latest state to the fabric: an ENI created a moment ago may not be in its model yet.
    let refresh: @Sendable () async -> Void

    private struct Ledger {
        /// The ENI each attached environment namespace sits behind.
        var interfaceOf: [String: String] = [:]
        var environmentsPerInterface: [String: Int] = [:]
        var turn = 0
        /// Set when the server stops: the fabric is being torn down and must not be rebuilt by a late attach.
        var closed = false
    }
    private let ledger = Mutex(Ledger())

    public init(fabric: LinuxFabric, dataDir: String, logger: Logger, refresh: @escaping @Sendable () async -> Void) {
        self.fabric = fabric
        self.namespaces = NamespaceNetwork(dataDir: dataDir)
        self.logger = logger
        self.refresh = refresh
    }

    public var isolates: Bool { true }

    public func create(environmentId: String, attachment: NetworkAttachment?) throws -> EnvironmentNetworkHandle {
        if isClosed { throw SandboxError.shutDown }
        let start = DispatchTime.now().uptimeNanoseconds
        let handle = try namespaces.create(environmentId: environmentId, attachment: nil)
        guard let attachment, let name = handle.namespaceName else { return handle }
        do {
            let target = try choose(attachment, for: name)
            let made = DispatchTime.now().uptimeNanoseconds
            try attach(name, to: target)
            // The server began stopping while we attached: the teardown must not be followed by a live link.
            if isClosed { throw SandboxError.shutDown }
            let done = DispatchTime.now().uptimeNanoseconds
            logger.debug("network fabric: \(name) attached to \(target)",
                         metadata: ["namespaceMs": "\((made - start) / 1_000_000)", "attachMs": "\((done - made) / 1_000_000)"])
            return handle
        } catch {
            destroy(handle)
            if let e = error as? SandboxError { throw e }
            throw SandboxError.environmentStartFailed("network: \(error)")
        }
    }

    public func destroy(_ handle: EnvironmentNetworkHandle) {
        if let name = handle.namespaceName {
            // Detach first: the fabric removes the link's far end explicitly, even if something keeps the namespace alive.
            do {
                try fabric.detachBlocking(environmentNamespace: name)
            } catch {
                logger.warning("network fabric: detaching \(name) failed: \(error)")
            }
            release(name)
        }
        namespaces.destroy(handle)
    }

    public func removeLeftovers() { namespaces.removeLeftovers() }

    /// No environment attaches from now on (called before the fabric is torn down).
    public func close() { ledger.withLock { $0.closed = true } }

    private var isClosed: Bool { ledger.withLock { $0.closed } }

    private func choose(_ attachment: NetworkAttachment, for namespace: String) throws -> AttachmentTarget {
        switch attachment {
        case .lambdaNetwork:
            return .lambdaNetwork
        case .hyperplane(let interfaces):
            guard !interfaces.isEmpty else { throw SandboxError.environmentStartFailed("network: the function has no Hyperplane ENI") }
            let id: String = ledger.withLock { l in
                let ids = interfaces.map(\.networkInterfaceId)
                let start = l.turn % ids.count
                l.turn &+= 1
                let pick = (ids[start...] + ids[..<start]).min { l.environmentsPerInterface[$0, default: 0] < l.environmentsPerInterface[$1, default: 0] }!
                l.interfaceOf[namespace] = pick
                l.environmentsPerInterface[pick, default: 0] += 1
                return pick
            }
            return .interface(id)
        }
    }

    private func release(_ namespace: String) {
        ledger.withLock { l in
            guard let id = l.interfaceOf.removeValue(forKey: namespace) else { return }
            l.environmentsPerInterface[id, default: 1] -= 1
            if l.environmentsPerInterface[id] == 0 { l.environmentsPerInterface[id] = nil }
        }
    }

    private func attach(_ namespace: String, to target: AttachmentTarget) throws {
        do {
            _ = try fabric.attachBlocking(environmentNamespace: namespace, to: target)
        } catch FabricError.unknownInterface(_) {
            // The function went Active in the write that created its ENI; the reconcile loop may not have run yet.
            let done = DispatchSemaphore(value: 0)
            Task { [refresh] in
                await refresh()
                done.signal()
            }
            done.wait()
            if isClosed { throw SandboxError.shutDown }
            _ = try fabric.attachBlocking(environmentNamespace: namespace, to: target)
        }
    }
}
