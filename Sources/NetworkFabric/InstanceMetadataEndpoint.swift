import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The instance metadata address inside an instance's namespace. 169.254.169.254 becomes a local address of the
/// ENI namespace through a `local` route on `lo` (not an address, which the fabric would see as a stranger and
/// remove), marked with the fabric's own route protocol number so that the fabric, which reads back only `static`
/// routes, leaves it alone; a socket bound to it there, made on the fabric's thread while inside the namespace,
/// serves the instance's requests. Both go with the namespace, and the route is removed when the instance stops.
extension LinuxFabric {
    public static let metadataAddress = "169.254.169.254"
    /// The route protocol that marks routes this project adds outside the fabric's plan (`ip route ... proto 186`).
    static let metadataRouteProtocol = 186

    /// Makes the metadata address local in the ENI's namespace and returns a TCP socket bound to it on port 80 and
    /// listening, for the server to accept on.
    public func openMetadataListener(eniId: String) async throws -> Int32 {
        let namespace = names.interfaceNamespace(eniId)
        return try await worker.run {
            try NamespaceThreads.runIpBatch(in: namespace, Self.metadataRoute("replace"))
            return try NamespaceThreads.inNamespace(namespace) { try Self.listen(on: Self.metadataAddress, port: 80) }
        }
    }

    /// Removes the metadata route (a namespace already gone is fine).
    public func closeMetadataRoute(eniId: String) async {
        let namespace = names.interfaceNamespace(eniId)
        _ = try? await worker.run { try NamespaceThreads.runIpBatch(in: namespace, Self.metadataRoute("del")) }
    }

    static func metadataRoute(_ verb: String) -> String {
        "route \(verb) local \(metadataAddress)/32 dev lo table local proto \(metadataRouteProtocol)\n"
    }

    /// A listening TCP socket on `address:port` in the calling thread's namespace.
    static func listen(on address: String, port: UInt16) throws -> Int32 {
        #if os(Linux)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw FabricError.commandFailed(command: "socket", status: errno, stderr: String(cString: strerror(errno))) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        inet_pton(AF_INET, address, &addr.sin_addr)
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, Glibc.listen(fd, 128) == 0 else {
            let e = errno
            close(fd)
            throw FabricError.commandFailed(command: "bind \(address):\(port)", status: e, stderr: String(cString: strerror(e)))
        }
        return fd
        #else
        throw FabricError.noCapability
        #endif
    }
}
