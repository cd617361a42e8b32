import CloudModel
import ControlPlane
import DNS
import Foundation
import Logging
import NetworkFabric
import NIOCore
import NIOPosix
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The Amazon-provided resolver served from the kernel (issue 13): one UDP and one TCP socket on port 53 per
/// address the fabric plans for it (a VPC router's base + 2 and 169.254.169.253, the lambda network's
/// 169.254.169.253), each made by the fabric's thread inside that namespace and then run by NIO. A listener knows
/// its network, so the answer depends on who asks. The zone is planned again from the latest committed state on
/// the first query after a write (the write itself pays nothing).
///
/// Why our own server on NIO rather than a supervised Debian resolver (dnsmasq, unbound, CoreDNS): the answers
/// depend on the asking VPC and change with every write; an external server would need one process (or one view
/// and an ACL) per VPC, a zone file rewritten and reloaded per write, and a namespace-aware supervisor; here a
/// listener is two sockets and the zone a value built in microseconds, the message codec is ~400 lines, pure and
/// fuzzed, and nothing new is installed.
public final class DNSResolver: NamespaceSocketOwner {
    let stores: RegionalStores
    let logger: Logger
    /// Interface VPC endpoints' names and, with private DNS, the service names they take over in their VPC, read
    /// from the same region's state the zone is planned from.
    let overrides: @Sendable (String, CloudState) -> [DNSZone.Override]
    /// The resolver's own event loop: never one the sandbox or HTTP may block, since the fabric thread waits on it.
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    private struct Zones {
        var zone = DNSZone()
        /// Set when something changed since `zone` was planned: the next query plans again from the latest states.
        var stale = true
        var hosts: [DNSZone.InternetHost] = []
        var serial: UInt32 = 0
    }
    private let zones: Mutex<Zones>
    private let listeners = Mutex<[String: Listener]>([:])

    /// Seconds a TCP connection may stay silent before it is closed (RFC 7766 §6.2.3 asks for a few).
    static let tcpIdleSeconds: Int64 = 10
    /// Open TCP connections one listener keeps at most.
    static let maxTCPConnections = 256

    public init(stores: RegionalStores, logger: Logger,
                overrides: @escaping @Sendable (String, CloudState) -> [DNSZone.Override] = { _, _ in [] }) {
        self.stores = stores
        self.logger = logger
        self.overrides = overrides
        zones = Mutex(Zones())
        stores.observeAll { [self] in zones.withLock { $0.stale = true } }
    }

    /// The internet hosts' names (`internet run --name`).
    public func setInternetHosts(_ names: [IPv4Address: String]) {
        let hosts = names.sorted { $0.key < $1.key }.map { DNSZone.InternetHost(name: $0.value, address: $0.key) }
        zones.withLock { z in z.hosts = hosts; z.stale = true }
    }

    /// Writes every function's resolv.conf (`<data-dir>/dns/resolv.conf`) and returns its path.
    public static func writeFunctionResolvConf(dataDir: String) throws -> String {
        let dir = URL(fileURLWithPath: dataDir).appendingPathComponent("dns")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("resolv.conf")
        try Data(ResolvConf.function.utf8).write(to: file, options: .atomic)
        return file.path
    }

    /// The zone of the latest committed state.
    func zone() -> DNSZone {
        zones.withLock { z in
            if z.stale {
                z.serial &+= 1
                let partitions = stores.all.map { (region: $0.region, state: $0.store.snapshot()) }
                z.zone = DNSZone.plan(partitions: partitions.map { .init(region: $0.region, state: $0.state) },
                                      internetHosts: z.hosts + partitions.flatMap { ManagedEngineNames.publicHosts(state: $0.state) },
                                      overrides: partitions.flatMap { overrides($0.region, $0.state) }, serial: z.serial)
                z.stale = false
            }
            return z.zone
        }
    }

    /// The answer to one query asked in `view`; nil when nothing is sent back (not a query, or a VPC whose
    /// enableDnsSupport is off: its resolver is silent).
    func answer(_ query: [UInt8], view: DNSView, over transport: DNSResponder.Transport) -> [UInt8]? {
        let z = zone()
        guard z.serves(view) else { return nil }
        return DNSResponder.respond(to: query, over: transport) { z.answer($0, from: view) }
    }

    // MARK: listeners (called on the fabric thread)

    public func closeSockets(in namespaces: Set<String>) {
        let gone = listeners.withLock { l in namespaces.compactMap { l.removeValue(forKey: $0) } }
        for g in gone { g.close() }
    }

    public func resolversPlanned(_ planned: [String: ResolverListener]) {
        let stale = listeners.withLock { l -> [Listener] in
            let keys = l.keys.filter { planned[$0] != l[$0]?.spec }
            return keys.compactMap { l.removeValue(forKey: $0) }
        }
        for s in stale { s.close() }
        let missing = planned.filter { ns, _ in listeners.withLock { $0[ns] == nil } }
        for (ns, spec) in missing.sorted(by: { $0.key < $1.key }) {
            do {
                let l = try open(spec, in: ns)
                listeners.withLock { $0[ns] = l }
                logger.debug("dns: listening in \(ns) on \(spec.addresses.map(\.description).joined(separator: ", "))")
            } catch {
                logger.error("dns: cannot listen in \(ns): \(error)")
            }
        }
    }

    /// Closes every listener and the event loop (after the fabric's teardown, which closes them first anyway).
    public func shutdown() async {
        let all = listeners.withLock { l -> [Listener] in defer { l = [:] }; return Array(l.values) }
        for l in all { l.close() }
        try? await group.shutdownGracefully()
    }

    func open(_ spec: ResolverListener, in namespace: String) throws -> Listener {
        let view: DNSView
        switch spec.view {
        case .vpc(let id): view = .vpc(id)
        case .lambdaNetwork: view = .lambdaNetwork
        }
        // Every descriptor is made inside the namespace, then handed to NIO outside it.
        let fds = try LinuxFabric.inNetworkNamespace(namespace) {
            var made: [(udp: Int32, tcp: Int32)] = []
            do {
                for a in spec.addresses {
                    let udp = try Self.boundSocket(a, tcp: false)
                    do { made.append((udp, try Self.boundSocket(a, tcp: true))) } catch { Glibc.close(udp); throw error }
                }
            } catch {
                for m in made { Glibc.close(m.udp); Glibc.close(m.tcp) }
                throw error
            }
            return made
        }
        let listener = Listener(spec: spec)
        let resolver = self
        let connections = listener.connections
        let udp = DatagramBootstrap(group: group).channelInitializer { ch in
            ch.eventLoop.makeCompletedFuture { try ch.pipeline.syncOperations.addHandler(DNSUDPHandler(resolver: resolver, view: view)) }
        }
        let tcp = ServerBootstrap(group: group).childChannelInitializer { ch in
            // Past the cap a new connection is refused (closed) rather than let a client use up the server's descriptors.
            guard connections.insert(ch, limit: Self.maxTCPConnections) else {
                return ch.eventLoop.makeFailedFuture(DNSListenError("too many DNS connections"))
            }
            return ch.eventLoop.makeCompletedFuture {
                try ch.pipeline.syncOperations.addHandlers([
                    IdleStateHandler(readTimeout: .seconds(Self.tcpIdleSeconds)),
                    ByteToMessageHandler(DNSTCPFrameDecoder()),
                    DNSTCPHandler(resolver: resolver, view: view),
                ])
            }
        }
        // A descriptor handed to NIO is NIO's (a failed channel closes it); the ones not handed yet are closed here.
        var handed = 0
        do {
            for (u, t) in fds {
                handed += 1
                listener.add(try udp.withBoundSocket(u).wait())
                handed += 1
                listener.add(try tcp.withBoundSocket(t).wait())
            }
        } catch {
            for fd in fds.flatMap({ [$0.udp, $0.tcp] }).dropFirst(handed) { Glibc.close(fd) }
            listener.close()
            throw error
        }
        return listener
    }

    /// A non-blocking socket bound to `address`:53 (listening, for TCP). IP_FREEBIND: the bind does not depend on
    /// the address being configured yet.
    static func boundSocket(_ address: IPv4Address, tcp: Bool) throws -> Int32 {
        let type = Int32(tcp ? SOCK_STREAM.rawValue : SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let fd = socket(AF_INET, type, 0)
        guard fd >= 0 else { throw DNSListenError("socket: \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        let size = socklen_t(MemoryLayout<Int32>.size)
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, size)
        _ = setsockopt(fd, Int32(IPPROTO_IP), 15 /* IP_FREEBIND */, &one, size)
        var sa = sockaddr_in()
        sa.sin_family = sa_family_t(AF_INET)
        sa.sin_port = UInt16(FabricPlanner.resolverPort).bigEndian
        sa.sin_addr.s_addr = address.value.bigEndian
        let rc = withUnsafePointer(to: &sa) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0, !tcp || listen(fd, 128) == 0 else {
            let e = String(cString: strerror(errno))
            Glibc.close(fd)
            throw DNSListenError("\(tcp ? "tcp" : "udp") \(address):\(FabricPlanner.resolverPort): \(e)")
        }
        return fd
    }

    /// The sockets of one namespace's resolver: UDP and listening TCP channels and the accepted connections.
    final class Listener: Sendable {
        let spec: ResolverListener
        private let channels = Mutex<[any Channel]>([])
        let connections = ConnectionSet()

        init(spec: ResolverListener) { self.spec = spec }

        func add(_ c: any Channel) { channels.withLock { $0.append(c) } }

        /// Closes everything and waits: a socket left open would keep the namespace alive.
        func close() {
            let all = channels.withLock { c -> [any Channel] in defer { c = [] }; return c }
            for c in all { try? c.close().wait() }
            connections.closeAll()
        }
    }

    /// Accepted TCP connections, so closing a listener closes them too.
    final class ConnectionSet: Sendable {
        private let open = Mutex<[ObjectIdentifier: any Channel]>([:])

        /// False (and not kept) when `limit` connections are open already.
        func insert(_ c: any Channel, limit: Int) -> Bool {
            let key = ObjectIdentifier(c)
            guard open.withLock({ o -> Bool in
                guard o.count < limit else { return false }
                o[key] = c
                return true
            }) else { return false }
            c.closeFuture.whenComplete { [self] _ in open.withLock { _ = $0.removeValue(forKey: key) } }
            return true
        }

        func closeAll() {
            let all = open.withLock { o -> [any Channel] in defer { o = [:] }; return Array(o.values) }
            for c in all { try? c.close().wait() }
        }
    }
}

/// Why a listener could not be opened.
struct DNSListenError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// One datagram, one answer, sent back to where the query came from.
final class DNSUDPHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>
    let resolver: DNSResolver
    let view: DNSView

    init(resolver: DNSResolver, view: DNSView) { self.resolver = resolver; self.view = view }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard let reply = resolver.answer(Array(envelope.data.readableBytesView), view: view, over: .udp) else { return }
        let out = AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: context.channel.allocator.buffer(bytes: reply))
        context.writeAndFlush(wrapOutboundOut(out), promise: nil)
    }

    /// A client gone (ICMP port unreachable comes back as an error) is no reason to stop serving.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {}
}

/// RFC 1035 §4.2.2: each TCP message is preceded by its two-byte length.
struct DNSTCPFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt16.self),
              buffer.readableBytes >= 2 + Int(length) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 2)
        context.fireChannelRead(wrapInboundOut(buffer.readSlice(length: Int(length))!))
        return .continue
    }
}

/// Answers each framed query in order (pipelined queries included); an idle connection is closed.
final class DNSTCPHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let resolver: DNSResolver
    let view: DNSView

    init(resolver: DNSResolver, view: DNSView) { self.resolver = resolver; self.view = view }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        guard let reply = resolver.answer(Array(frame.readableBytesView), view: view, over: .tcp) else { return }
        var out = context.channel.allocator.buffer(capacity: reply.count + 2)
        out.writeInteger(UInt16(reply.count))
        out.writeBytes(reply)
        context.writeAndFlush(wrapOutboundOut(out), promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent { context.close(promise: nil) } else { context.fireUserInboundEventTriggered(event) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }
}
