import AWSWire
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
#if canImport(Glibc)
import Glibc
#endif

/// Something that answers a fully read HTTP request.
public protocol HTTPResponder: Sendable {
    func respond(to request: WireRequest) async -> WireResponse
    /// An answer that needs no waiting (a read from memory), given on the event loop itself; nil sends the request
    /// to `respond(to:)` on a task. Saves the hop between the event loop and the task pool on the hot read paths. A
    /// `deferred` answer is written when it is delivered (a small S3 PUT, after its commit).
    func respondImmediately(to request: WireRequest) -> WireResponse?
    /// True when `respond(to:)` mostly waits on work that lives on event loops (an invocation) and blocks only briefly:
    /// its task then runs on the connection's event loop instead of the concurrency pool.
    func runsOnEventLoop(_ request: WireRequest) -> Bool
    /// The answer to a request whose body exceeds `limit` bytes (`request` carries its head only), in the format of
    /// the protocol it speaks.
    func payloadTooLarge(_ request: WireRequest, limit: Int) -> WireResponse
    /// How much body the request whose head this is (`head` carries no body) may send, decided before any of it is
    /// read. Asked only for a head that declares more than the server's small limit, or a chunked body.
    func bodyAllowance(_ head: WireRequest) -> BodyAllowance
    /// A PUT whose body should go to a file as it arrives (an S3 upload) rather than into memory: the sink to write it
    /// to, or nil for the ordinary path. The request then carries `streamed` instead of `body`, and the transport
    /// removes the file after answering unless the responder took it (renamed it away).
    func bodySink(_ head: WireRequest) -> RequestBodySink?
}

/// How much of a request's body the server reads, decided from its head.
public enum BodyAllowance: Sendable {
    /// Up to the server's own limit (`maxBodyBytes`).
    case serverLimit
    /// Up to the server's small limit; a longer body is answered with `refusal` as soon as that is known, without
    /// being read, and the connection is closed.
    case untrusted(refusal: WireResponse)
}

extension HTTPResponder {
    public func respondImmediately(to request: WireRequest) -> WireResponse? { nil }
    public func runsOnEventLoop(_ request: WireRequest) -> Bool { false }
    public func bodyAllowance(_ head: WireRequest) -> BodyAllowance { .serverLimit }
    public func bodySink(_ head: WireRequest) -> RequestBodySink? { nil }
    public func payloadTooLarge(_ request: WireRequest, limit: Int) -> WireResponse {
        ErrorEnvelope.restJSON(AWSError(code: "RequestEntityTooLargeException",
                                        message: "Request must be smaller than \(limit) bytes for the operation", httpStatus: 413),
                               requestID: newRequestID())
    }
}

/// A small HTTP/1.1 server on SwiftNIO: keep-alive, pipelining, a body size cap (a small one for requests whose head
/// the responder does not trust), one responder.
public final class HTTPServer: Sendable {
    public let maxBodyBytes: Int
    public let untrustedBodyBytes: Int
    private let group: MultiThreadedEventLoopGroup
    private let ownsGroup: Bool
    private let responder: any HTTPResponder
    private let logger: Logger

    /// `group`: loops shared with others (the sandbox's environments), shut down by their owner; nil makes its own.
    public init(responder: any HTTPResponder, maxBodyBytes: Int, untrustedBodyBytes: Int = 64 * 1024,
                threads: Int = System.coreCount, group: MultiThreadedEventLoopGroup? = nil, logger: Logger) {
        self.responder = responder
        self.maxBodyBytes = maxBodyBytes
        self.untrustedBodyBytes = min(untrustedBodyBytes, maxBodyBytes)
        self.group = group ?? MultiThreadedEventLoopGroup(numberOfThreads: max(1, threads))
        self.ownsGroup = group == nil
        self.logger = logger
    }

    /// Binds and starts accepting; returns the bound channel (its localAddress has the real port).
    public func start(host: String, port: Int) async throws -> any Channel {
        try await bootstrap(edge: false, tls: nil).bind(host: host, port: port).get()
    }

    /// Starts accepting on a socket already bound and listening (one made inside another network namespace).
    public func start(boundSocket: Int32) async throws -> any Channel {
        try await bootstrap(edge: false, tls: nil).withBoundSocket(boundSocket).get()
    }

    /// Accepts on a socket already bound and listening (the service edge's, made in its namespace), over TLS when
    /// `tls` is given; requests carry the edge address they came to (`WireRequest.edge`). Waits for the channel to
    /// register: for a caller on a thread of its own (the fabric's), never on an event loop.
    /// `endpoint`: the interface VPC endpoint whose network interface the socket listens on.
    func adoptBlocking(listeningSocket fd: Int32, tls: NIOSSLContext?, endpoint: String? = nil) throws -> any Channel {
        try bootstrap(edge: true, tls: tls, endpoint: endpoint).withBoundSocket(fd).wait()
    }

    private func bootstrap(edge: Bool, tls: NIOSSLContext?, endpoint: String? = nil) -> ServerBootstrap {
        let responder = self.responder
        let maxBody = self.maxBodyBytes
        let smallBody = self.untrustedBodyBytes
        let logger = self.logger
        return ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            // A TCP-level option: `.socketOption` would set SOL_SOCKET option 1 (SO_DEBUG), refused without CAP_NET_ADMIN.
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                    // NIO's own error handling answers a request it cannot parse with an empty 400; ours says why.
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: false)
                    try channel.pipeline.syncOperations.addHandler(HTTPParseErrorResponder())
                    let arrival = edge ? channel.localAddress?.ipAddress.map { EdgeArrival(address: $0, secure: tls != nil, endpoint: endpoint) } : nil
                    try channel.pipeline.syncOperations.addHandler(
                        HTTPRequestHandler(responder: responder, maxBodyBytes: maxBody, untrustedBodyBytes: smallBody,
                                           edge: arrival, logger: logger))
                }
            }
    }

    public func shutdown() async {
        if ownsGroup { try? await group.shutdownGracefully() }
    }
}

/// Collects one request (head + body), hands it to the responder off the event loop, writes the answer. A body
/// longer than the request's limit is never kept: the limit is the server's, or the small one when the responder
/// does not trust the head, whose refusal is then sent as soon as the body is known to be too long.
final class HTTPRequestHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// How long a refused connection may keep sending what is left of its request (read and dropped) before it is
    /// closed: a client that writes its whole body before reading then sees the refusal rather than a reset.
    static let lingerAfterRefusal = TimeAmount.seconds(5)

    private let responder: any HTTPResponder
    private let maxBodyBytes: Int
    private let untrustedBodyBytes: Int
    private let logger: Logger
    private var head: HTTPRequestHead?
    /// The request being read, as far as its head goes (made once: its headers are converted and lower-cased then).
    private var request: WireRequest?
    /// The connection's peer address as text, made on its first request.
    private var peer: String?
    private var body: [UInt8] = []
    private var limit: Int
    private var tooLarge = false
    /// Set for an untrusted head: the answer to a body past the small limit.
    private var earlyRefusal: WireResponse?
    /// After an early refusal: the rest of the request is dropped and the connection closes at its end.
    private var refused = false
    private var loopExecutor: EventLoopTaskExecutor?
    /// The edge address of the connection, for a connection to the service edge.
    private let edge: EdgeArrival?
    /// The file this request's body is being written to, for a streamed upload.
    private var sink: RequestBodySink?

    init(responder: any HTTPResponder, maxBodyBytes: Int, untrustedBodyBytes: Int, edge: EdgeArrival? = nil, logger: Logger) {
        self.responder = responder
        self.edge = edge
        self.maxBodyBytes = maxBodyBytes
        self.untrustedBodyBytes = untrustedBodyBytes
        self.limit = maxBodyBytes
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if refused {
            if case .end = unwrapInboundIn(data) { context.close(promise: nil) }
            return
        }
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            let bare = bodiless(h, context)
            request = bare
            body.removeAll(keepingCapacity: true)
            tooLarge = false
            limit = maxBodyBytes
            earlyRefusal = nil
            sink?.abort()
            sink = nil
            if h.method == .PUT, let streaming = responder.bodySink(bare) {
                sink = streaming
                continueIfExpected(context, h)
                return
            }
            let declared = h.headers.first(name: "content-length").flatMap(Int.init)
            // Only a body that could pass the small limit needs the head judged; the common small request skips it.
            if declared.map({ $0 > untrustedBodyBytes }) ?? h.headers.contains(name: "transfer-encoding") {
                if case .untrusted(let refusal) = responder.bodyAllowance(bare) {
                    limit = untrustedBodyBytes
                    earlyRefusal = refusal
                }
            }
            if let declared, declared > limit {
                if let refusal = earlyRefusal { refuse(context: context, with: refusal, version: h.version); return }
                tooLarge = true
            }
            if !tooLarge { continueIfExpected(context, h) }
        case .body(var buf):
            if let sink {
                buf.withUnsafeReadableBytes { sink.write($0) }
                return
            }
            if tooLarge { return }
            if body.count + buf.readableBytes > limit {
                body = []
                if let refusal = earlyRefusal, let h = head { refuse(context: context, with: refusal, version: h.version); return }
                tooLarge = true
                return
            }
            body.append(contentsOf: buf.readBytes(length: buf.readableBytes) ?? [])
        case .end:
            guard let head, var request = self.request else { return }
            self.head = nil
            self.request = nil
            let keepAlive = head.isKeepAlive
            if tooLarge {
                write(context: context, response: responder.payloadTooLarge(request, limit: limit), keepAlive: false,
                      version: head.version)
                return
            }
            request.body = body
            body = []
            var streamedPath: String?
            if let sink {
                let streamed = sink.finish()
                request.streamed = streamed
                // A body held in memory has no file to clean up.
                streamedPath = streamed.bytes == nil ? sink.path : nil
                self.sink = nil
            }
            let loop = context.eventLoop
            let version = head.version
            if let immediate = responder.respondImmediately(to: request) {
                if let streamedPath { unlink(streamedPath) }
                if let later = immediate.deferred {
                    let boxed = NIOLoopBound((self, context), eventLoop: loop)
                    later.start { response in
                        loop.execute {
                            let (handler, ctx) = boxed.value
                            handler.write(context: ctx, response: response, keepAlive: keepAlive, version: version)
                        }
                    }
                    return
                }
                write(context: context, response: immediate, keepAlive: keepAlive, version: head.version)
                return
            }
            let responder = self.responder
            let boxed = NIOLoopBound((self, context), eventLoop: loop)
            let onLoop: EventLoopTaskExecutor?
            if responder.runsOnEventLoop(request) {
                let executor = loopExecutor ?? EventLoopTaskExecutor(loop: loop)
                loopExecutor = executor
                onLoop = executor
            } else {
                onLoop = nil
            }
            // nil: the concurrency pool, as any task.
            Task(executorPreference: onLoop) {
                let response = await responder.respond(to: request)
                // A streamed body the responder did not keep (refused, or an error) is not left behind.
                if let streamedPath { unlink(streamedPath) }
                if loop.inEventLoop {
                    let (handler, ctx) = boxed.value
                    handler.write(context: ctx, response: response, keepAlive: keepAlive, version: version)
                } else {
                    loop.execute {
                        let (handler, ctx) = boxed.value
                        handler.write(context: ctx, response: response, keepAlive: keepAlive, version: version)
                    }
                }
            }
        }
    }

    /// The request as far as its head goes.
    private func bodiless(_ h: HTTPRequestHead, _ context: ChannelHandlerContext) -> WireRequest {
        let (path, query) = Self.split(h.uri)
        let source: String
        if let peer { source = peer } else {
            source = context.remoteAddress?.ipAddress ?? "127.0.0.1"
            peer = source
        }
        var r = WireRequest(method: h.method.rawValue, rawPath: path, rawQuery: query, headers: h.headers.map { ($0.name, $0.value) },
                            sourceIP: source)
        r.edge = edge
        return r
    }

    /// Answers before the body is read, then closes the output; what the client still sends of this request is
    /// dropped unread until its end (or the linger time), when the connection closes.
    private func refuse(context: ChannelHandlerContext, with response: WireResponse, version: HTTPVersion) {
        refused = true
        head = nil
        request = nil
        body = []
        write(context: context, response: response, keepAlive: false, version: version, closing: false)
        let channel = context.channel
        context.close(mode: .output, promise: nil)
        channel.eventLoop.scheduleTask(in: Self.lingerAfterRefusal) { channel.close(promise: nil) }
    }

    /// `Expect: 100-continue` (botocore sends it with every S3 upload over 1 MB): the body is wanted, so say so at
    /// once rather than leave the client waiting out its timeout.
    private func continueIfExpected(_ context: ChannelHandlerContext, _ h: HTTPRequestHead) {
        guard let expect = h.headers.first(name: "expect"), expect.lowercased() == "100-continue" else { return }
        context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: h.version, status: .continue))), promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        // A connection gone mid-upload leaves no partial file.
        sink?.abort()
        sink = nil
        context.fireChannelInactive()
    }

    private func write(context: ChannelHandlerContext, response: WireResponse, keepAlive: Bool, version: HTTPVersion,
                       closing: Bool = true) {
        var headers = HTTPHeaders()
        for (k, v) in response.headers { headers.add(name: k, value: v) }
        let length = response.file.map { $0.length } ?? (response.body.isEmpty ? response.declaredLength ?? 0 : Int64(response.body.count))
        headers.replaceOrAdd(name: "Content-Length", value: String(length))
        headers.replaceOrAdd(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        let head = HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if !response.body.isEmpty {
            var buf = context.channel.allocator.buffer(capacity: response.body.count)
            buf.writeBytes(response.body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buf))), promise: nil)
        }
        var fileHandle: NIOFileHandle?
        if let file = response.file, case let fd = file.takeDescriptor(), fd >= 0 {
            let handle = NIOFileHandle(_deprecatedTakingOwnershipOfDescriptor: fd)
            fileHandle = handle
            if file.length > 0 {
                let region = FileRegion(fileHandle: handle, readerIndex: Int(file.offset), endIndex: Int(file.offset + file.length))
                context.write(wrapOutboundOut(.body(.fileRegion(region))), promise: nil)
            }
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if let fileHandle { done.whenComplete { _ in try? fileHandle.close() } }
        if !keepAlive && closing {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("connection error: \(error)")
        context.close(promise: nil)
    }

    static func split(_ uri: String) -> (String, String) {
        guard let q = uri.firstIndex(of: "?") else { return (uri, "") }
        return (String(uri[uri.startIndex..<q]), String(uri[uri.index(after: q)...]))
    }
}
