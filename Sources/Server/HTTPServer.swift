import AWSWire
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// Something that answers a fully read HTTP request.
public protocol HTTPResponder: Sendable {
    func respond(to request: WireRequest) async -> WireResponse
    /// An answer that needs no waiting (a read from memory), given on the event loop itself; nil sends the request
    /// to `respond(to:)` on a task. Saves the hop between the event loop and the task pool on the hot read paths.
    func respondImmediately(to request: WireRequest) -> WireResponse?
    /// True when `respond(to:)` mostly waits on work that lives on event loops (an invocation) and blocks only briefly:
    /// its task then runs on the connection's event loop instead of the concurrency pool.
    func runsOnEventLoop(_ request: WireRequest) -> Bool
    /// The answer to a request whose body exceeds `limit` bytes (`request` carries its head only), in the format of
    /// the protocol it speaks.
    func payloadTooLarge(_ request: WireRequest, limit: Int) -> WireResponse
}

extension HTTPResponder {
    public func respondImmediately(to request: WireRequest) -> WireResponse? { nil }
    public func runsOnEventLoop(_ request: WireRequest) -> Bool { false }
    public func payloadTooLarge(_ request: WireRequest, limit: Int) -> WireResponse {
        ErrorEnvelope.restJSON(AWSError(code: "RequestEntityTooLargeException",
                                        message: "Request must be smaller than \(limit) bytes for the operation", httpStatus: 413),
                               requestID: newRequestID())
    }
}

/// A small HTTP/1.1 server on SwiftNIO: keep-alive, pipelining, a body size cap, one responder.
public final class HTTPServer: Sendable {
    public let maxBodyBytes: Int
    private let group: MultiThreadedEventLoopGroup
    private let ownsGroup: Bool
    private let responder: any HTTPResponder
    private let logger: Logger

    /// `group`: loops shared with others (the sandbox's environments), shut down by their owner; nil makes its own.
    public init(responder: any HTTPResponder, maxBodyBytes: Int, threads: Int = System.coreCount,
                group: MultiThreadedEventLoopGroup? = nil, logger: Logger) {
        self.responder = responder
        self.maxBodyBytes = maxBodyBytes
        self.group = group ?? MultiThreadedEventLoopGroup(numberOfThreads: max(1, threads))
        self.ownsGroup = group == nil
        self.logger = logger
    }

    /// Binds and starts accepting; returns the bound channel (its localAddress has the real port).
    public func start(host: String, port: Int) async throws -> any Channel {
        let responder = self.responder
        let maxBody = self.maxBodyBytes
        let logger = self.logger
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            // A TCP-level option: `.socketOption` would set SOL_SOCKET option 1 (SO_DEBUG), refused without CAP_NET_ADMIN.
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(
                        HTTPRequestHandler(responder: responder, maxBodyBytes: maxBody, logger: logger))
                }
            }
        return try await bootstrap.bind(host: host, port: port).get()
    }

    public func shutdown() async {
        if ownsGroup { try? await group.shutdownGracefully() }
    }
}

/// Collects one request (head + body), hands it to the responder off the event loop, writes the answer.
final class HTTPRequestHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let responder: any HTTPResponder
    private let maxBodyBytes: Int
    private let logger: Logger
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var tooLarge = false
    private var loopExecutor: EventLoopTaskExecutor?

    init(responder: any HTTPResponder, maxBodyBytes: Int, logger: Logger) {
        self.responder = responder
        self.maxBodyBytes = maxBodyBytes
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body.removeAll(keepingCapacity: true)
            tooLarge = false
            if let len = h.headers.first(name: "content-length").flatMap(Int.init), len > maxBodyBytes { tooLarge = true }
        case .body(var buf):
            if tooLarge { return }
            if body.count + buf.readableBytes > maxBodyBytes { tooLarge = true; body = []; return }
            body.append(contentsOf: buf.readBytes(length: buf.readableBytes) ?? [])
        case .end:
            guard let head else { return }
            self.head = nil
            let keepAlive = head.isKeepAlive
            let (path, query) = Self.split(head.uri)
            let peer = context.remoteAddress?.ipAddress ?? "127.0.0.1"
            if tooLarge {
                let bodiless = WireRequest(method: head.method.rawValue, rawPath: path, rawQuery: query,
                                           headers: head.headers.map { ($0.name, $0.value) }, sourceIP: peer)
                write(context: context, response: responder.payloadTooLarge(bodiless, limit: maxBodyBytes), keepAlive: false,
                      version: head.version)
                return
            }
            let request = WireRequest(method: head.method.rawValue, rawPath: path, rawQuery: query,
                                      headers: head.headers.map { ($0.name, $0.value) }, body: body, sourceIP: peer)
            body = []
            if let immediate = responder.respondImmediately(to: request) {
                write(context: context, response: immediate, keepAlive: keepAlive, version: head.version)
                return
            }
            let responder = self.responder
            let loop = context.eventLoop
            let boxed = NIOLoopBound((self, context), eventLoop: loop)
            let version = head.version
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

    private func write(context: ChannelHandlerContext, response: WireResponse, keepAlive: Bool, version: HTTPVersion) {
        var headers = HTTPHeaders()
        for (k, v) in response.headers { headers.add(name: k, value: v) }
        headers.replaceOrAdd(name: "Content-Length", value: String(response.body.count))
        headers.replaceOrAdd(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        let head = HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if !response.body.isEmpty {
            var buf = context.channel.allocator.buffer(capacity: response.body.count)
            buf.writeBytes(response.body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buf))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
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
