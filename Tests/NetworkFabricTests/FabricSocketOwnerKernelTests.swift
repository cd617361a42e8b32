import CloudModel
import Foundation
@testable import NetworkFabric
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The contract with the owner of sockets in the fabric's namespaces (the DNS resolver): told what should listen
/// after each pass, and told to close before a namespace is deleted, so no socket keeps a deleted namespace alive.
@Suite(.serialized, .enabled(if: Kernel.available)) struct FabricSocketOwnerKernelTests {
    /// Opens one UDP socket per planned resolver address in its namespace, as the resolver does; records the calls.
    final class Recorder: NamespaceSocketOwner {
        struct State { var open: [String: [Int32]] = [:]; var log: [String] = [] }
        let state = Mutex(State())

        func closeSockets(in namespaces: Set<String>) {
            state.withLock { s in
                for ns in namespaces.sorted() {
                    for fd in s.open.removeValue(forKey: ns) ?? [] { close(fd) }
                    // Still there: the fabric asks before it deletes.
                    s.log.append("close \(ns) exists=\(LinuxFabric.listNamespaces().contains(ns))")
                }
            }
        }

        func resolversPlanned(_ listeners: [String: ResolverListener]) {
            state.withLock { s in
                for (ns, fds) in s.open where listeners[ns] == nil { fds.forEach { close($0) }; s.open[ns] = nil }
                for (ns, l) in listeners where s.open[ns] == nil {
                    let fds = try? LinuxFabric.inNetworkNamespace(ns) { l.addresses.map { Self.bound($0) } }
                    s.open[ns] = fds ?? []
                    s.log.append("open \(ns) \(l.addresses.map(\.description).joined(separator: ","))")
                }
            }
        }

        static func bound(_ a: IPv4Address) -> Int32 {
            let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
            var sa = sockaddr_in()
            sa.sin_family = sa_family_t(AF_INET)
            sa.sin_port = UInt16(53).bigEndian
            sa.sin_addr.s_addr = a.value.bigEndian
            let rc = withUnsafePointer(to: &sa) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, 16) } }
            return rc == 0 ? fd : -1
        }
    }

    @Test func ownerOpensAfterThePassAndClosesBeforeTheNamespaceGoes() async throws {
        try await Kernel.withFabric { fabric, _ in
            let owner = Recorder()
            fabric.addSocketOwner(owner)
            let router = fabric.names.vpcRouterNamespace("vpc-0aaa0000000000001")
            try await fabric.reconcile(Fx.twoSubnetVPC())
            #expect(owner.state.withLock { $0.log } == ["open \(router) 10.0.0.2,169.254.169.253"])
            // Both addresses were on the router's loopback when the sockets were bound.
            #expect(owner.state.withLock { $0.open[router] ?? [] }.allSatisfy { $0 >= 0 })

            // DNS support off: the listener is no longer planned and the owner closes it.
            var off = Fx.twoSubnetVPC()
            off.vpcs[0].dnsSupport = false
            try await fabric.reconcile(off)
            #expect(owner.state.withLock { $0.open[router] } == nil)
            try await fabric.reconcile(Fx.twoSubnetVPC())

            // The VPC goes: the owner is asked to close while the namespace still exists.
            try await fabric.reconcile(.empty)
            #expect(owner.state.withLock { $0.log }.last == "close \(router) exists=true")
            #expect(!LinuxFabric.listNamespaces().contains(router))
        }
    }
}
