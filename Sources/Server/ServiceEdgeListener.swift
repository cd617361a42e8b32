import CloudModel
import Logging
import NetworkFabric
import NIOCore
import NIOSSL
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// "Public AWS" answering: HTTP on :80 and HTTPS on :443 of every service address (`ServiceEdge.block`), on the
/// sockets the fabric makes in its edge namespace (`LinuxFabric.serveEdge`), into the same router as the host
/// endpoint. HTTPS presents the data dir CA's leaf certificate (`EdgeCertificateAuthority`).
final class ServiceEdgeListener: Sendable {
    let http: HTTPServer
    let tls: NIOSSLContext
    let logger: Logger
    private let channels = Mutex<[any Channel]>([])

    init(http: HTTPServer, authority: EdgeCertificateAuthority, logger: Logger) throws {
        self.http = http
        self.logger = logger
        let cert = try NIOSSLCertificate(bytes: Array(authority.leafPEM.utf8), format: .pem)
        let key = try NIOSSLPrivateKey(bytes: Array(authority.leafKeyPEM.utf8), format: .pem)
        tls = try NIOSSLContext(configuration: .makeServerConfiguration(certificateChain: [.certificate(cert)],
                                                                         privateKey: .privateKey(key)))
    }

    /// Replaces the listeners with ones on `sockets` (nil: the edge namespace is gone). Called on the fabric thread,
    /// which is no event loop, so it may wait for the channels to register.
    func receive(_ sockets: EdgeSockets?) {
        let old = channels.withLock { c -> [any Channel] in defer { c = [] }; return c }
        for c in old { c.close(promise: nil) }
        guard let sockets else {
            if !old.isEmpty { logger.info("service edge closed") }
            return
        }
        var made: [any Channel] = []
        for (port, fd) in sockets.descriptors.sorted(by: { $0.key < $1.key }) {
            do {
                made.append(try http.adoptBlocking(listeningSocket: fd, tls: port == 443 ? tls : nil))
            } catch {
                close(fd)
                logger.error("service edge: cannot accept on :\(port): \(error)")
            }
        }
        channels.withLock { $0 = made }
        logger.info("service edge on \(ServiceEdge.block) (HTTP :80, HTTPS :443) in \(sockets.namespace)")
    }
}
