import CloudModel
import Foundation
import ControlPlane
import Logging
import NetworkFabric
import NIOCore
import NIOSSL
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Interface VPC endpoints answering: HTTP on :80 and HTTPS on :443 of each endpoint's network interface, in its
/// namespace, into the same router as the edge, each request marked with the endpoint it came through (so the
/// endpoint's policy applies and `aws:SourceVpce` is known). The interface's security groups decide who reaches it,
/// in the kernel like for any ENI. Opened after every fabric pass for the available endpoints whose namespaces exist;
/// closed before the fabric deletes a namespace.
final class EndpointListeners: NamespaceSocketOwner {
    let http: HTTPServer
    let tls: NIOSSLContext
    let stores: RegionalStores
    let fabric: LinuxFabric
    let logger: Logger
    private struct Open { var endpoint: String; var channels: [any Channel] }
    private let open = Mutex<[String: Open]>([:])

    init(http: HTTPServer, tls: NIOSSLContext, stores: RegionalStores, fabric: LinuxFabric, logger: Logger) {
        self.http = http; self.tls = tls; self.stores = stores; self.fabric = fabric; self.logger = logger
    }

    /// The namespaces that should have listeners, with their endpoint.
    func wanted() -> [String: String] {
        var out: [String: String] = [:]
        for (_, store) in stores.all {
            for e in store.snapshot().vpcEndpoints.values where e.type == .interface && e.state == .available {
                for eni in e.networkInterfaceIds { out[fabric.interfaceNamespace(eni)] = e.id }
            }
        }
        return out
    }

    func closeSockets(in namespaces: Set<String>) {
        let closing = open.withLock { o -> [Open] in namespaces.compactMap { o.removeValue(forKey: $0) } }
        for c in closing.flatMap(\.channels) { try? c.close().wait() }
    }

    /// After each pass (on the fabric thread): listeners follow the endpoints.
    func resolversPlanned(_ listeners: [String: ResolverListener]) {
        let want = wanted()
        let stale = open.withLock { o in o.filter { want[$0.key] != $0.value.endpoint }.map(\.key) }
        closeSockets(in: Set(stale))
        let have = Set(open.withLock { Array($0.keys) })
        for (ns, endpoint) in want where !have.contains(ns) && FileManager.default.fileExists(atPath: "/run/netns/" + ns) {
            var channels: [any Channel] = []
            do {
                let fds = try LinuxFabric.inNetworkNamespace(ns) { try [80, 443].map { ($0, try LinuxFabric.listeningSocket(port: $0)) } }
                for (port, fd) in fds {
                    do { channels.append(try http.adoptBlocking(listeningSocket: fd, tls: port == 443 ? tls : nil, endpoint: endpoint)) } catch {
                        close(fd)
                        throw error
                    }
                }
                open.withLock { $0[ns] = Open(endpoint: endpoint, channels: channels) }
                logger.debug("VPC endpoint \(endpoint) answers in \(ns)")
            } catch {
                for c in channels { c.close(promise: nil) }
                logger.error("VPC endpoint \(endpoint): cannot listen in \(ns): \(error)")
            }
        }
    }
}
