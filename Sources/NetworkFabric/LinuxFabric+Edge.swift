import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Listening sockets of the service edge, made inside the edge namespace (a socket belongs for good to the
/// namespace of the thread that created it, so the server can accept on them from its own event loops).
public struct EdgeSockets: Sendable {
    public var namespace: String
    /// Listening descriptors by port; the receiver owns (and closes) them.
    public var descriptors: [Int: Int32]
}

extension LinuxFabric {
    /// HTTP and HTTPS: the ports the edge answers on every service address.
    public static let edgePorts = [80, 443]

    /// Registers who receives the edge's listening sockets: after every pass that created (or replaced) the edge
    /// namespace, `receive` gets fresh sockets bound in it; when the namespace goes, `receive(nil)`. Called on the
    /// fabric thread: it must only hand the descriptors on.
    public func serveEdge(_ receive: @escaping @Sendable (EdgeSockets?) -> Void) async {
        try? await worker.run { [self] in
            memory.edgeReceiver = receive
            memory.edgeIdentity = nil
            refreshEdge()
        }
    }

    /// Compares the edge namespace with the one the receiver's sockets live in (by the namespace's inode, which
    /// cannot be reused while those sockets hold it) and hands over new sockets, or nil, when it changed.
    func refreshEdge() {
        guard let receive = memory.edgeReceiver else { return }
        let ns = names.edgeNamespace
        var st = stat()
        let identity: UInt64? = stat(NamespaceThreads.netnsDirectory + "/" + ns, &st) == 0 ? UInt64(st.st_ino) : nil
        guard identity != memory.edgeIdentity else { return }
        guard let identity else {
            memory.edgeIdentity = nil
            receive(nil)
            return
        }
        var made: [Int: Int32] = [:]
        do {
            try NamespaceThreads.inNamespace(ns) {
                for port in Self.edgePorts { made[port] = try Self.listeningSocket(port: port) }
            }
        } catch {
            for fd in made.values { close(fd) }
            logger.error("service edge: cannot listen in \(ns): \(error)")
            return
        }
        memory.edgeIdentity = identity
        receive(EdgeSockets(namespace: ns, descriptors: made))
    }

    /// A TCP socket listening on the wildcard address of the calling thread's namespace.
    public static func listeningSocket(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw FabricError.commandFailed(command: "socket", status: errno, stderr: String(cString: strerror(errno))) }
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr = in_addr(s_addr: 0)
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, Glibc.listen(fd, 1024) == 0 else {
            let e = errno
            close(fd)
            throw FabricError.commandFailed(command: "listen on :\(port)", status: e, stderr: String(cString: strerror(e)))
        }
        return fd
    }
}
