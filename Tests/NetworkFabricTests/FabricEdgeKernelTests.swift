import CloudModel
import Foundation
@testable import NetworkFabric
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The service edge in the kernel: real connections from a NAT'd ENI and from the lambda network to a service
/// address, accepted on the sockets the fabric hands over. Needs CAP_NET_ADMIN (fails without it).
@Suite(.serialized) struct FabricEdgeKernelTests {
    /// The latest sockets the fabric handed over, with an accept loop answering each connection with its peer.
    final class Edge: Sendable {
        let sockets = Mutex<EdgeSockets?>(nil)
        let handed = Mutex(0)

        func receive(_ s: EdgeSockets?) {
            let old = sockets.withLock { v -> EdgeSockets? in defer { v = s }; return v }
            handed.withLock { $0 += 1 }
            for fd in old?.descriptors.values ?? [:].values { shutdown(fd, Int32(SHUT_RDWR)); close(fd) }
            for fd in s?.descriptors.values ?? [:].values { Self.serve(fd) }
        }

        static func serve(_ fd: Int32) {
            let t = Thread {
                while true {
                    var peer = sockaddr_in(), len = socklen_t(MemoryLayout<sockaddr_in>.size)
                    let c = withUnsafeMutablePointer(to: &peer) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { accept(fd, $0, &len) } }
                    if c < 0 { if errno == EINTR { continue }; return }
                    var text = [CChar](repeating: 0, count: 32)
                    var a = peer.sin_addr
                    inet_ntop(AF_INET, &a, &text, 32)
                    let line = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) + "\n"
                    _ = line.withCString { send(c, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
                    close(c)
                }
            }
            t.start()
        }
    }

    @Test func nattedVPCsAndTheLambdaNetworkReachEveryServiceAddress() async throws {
        try await Kernel.withFabric { fabric, envPrefix in
            let edge = Edge()
            await fabric.serveEdge { edge.receive($0) }
            #expect(edge.sockets.withLock { $0 } == nil, "no core yet, so no edge")
            // eni-other (10.0.2.30) leaves through the NAT gateway, whose Elastic IP is 192.0.2.6.
            try await fabric.reconcile(FabricInternetKernelTests().model(natAvailable: true))
            let first = try #require(edge.sockets.withLock { $0 })
            #expect(first.namespace == fabric.names.edgeNamespace && Set(first.descriptors.keys) == [80, 443])

            let sts = ServiceEdge.address(service: "sts", region: "us-east-1")!.description
            let s3 = ServiceEdge.address(service: "s3", region: nil)!.description
            let other = fabric.interfaceNamespace("eni-other")
            let seen = try Servers.probe(from: other, ["\(sts):443", "\(s3):80", "\(sts):22"])
            #expect(seen == ["\(sts):443": "ok 192.0.2.6", "\(s3):80": "ok 192.0.2.6", "\(sts):22": "timeout"],
                    "through the NAT, seen as its Elastic IP; other ports are silent")

            let env = envPrefix + "1"
            try Kernel.addNamespace(env)
            _ = try await fabric.attach(environmentNamespace: env, to: .lambdaNetwork)
            #expect(try Servers.probe(from: env, ["\(sts):443"]) == ["\(sts):443": "ok 100.64.0.1"])
            #expect(try await fabric.doctor().problems == [])
            let outsider = try LinuxFabric(instanceTag: fabric.names.tag)
            #expect(try await outsider.doctor(FabricInternetKernelTests().model(natAvailable: true), ignoringEnvironmentLinks: true).problems == [])

            try await fabric.teardown()
            #expect(edge.sockets.withLock { $0 } == nil, "the listeners go with the namespace")
            #expect(edge.handed.withLock { $0 } == 2)
        }
    }
}
