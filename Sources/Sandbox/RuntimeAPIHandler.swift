import NIOCore
import NIOHTTP1

/// A request the runtime made to its Runtime API, routed by path.
enum RuntimeRequest: Sendable, Equatable {
    case next
    case response(requestId: String)
    case error(requestId: String)
    case initError
    case unknown

    static let prefix = "/2018-06-01/runtime/"

    init(method: HTTPMethod, uri: String) {
        let path = uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? uri
        guard path.hasPrefix(Self.prefix) else { self = .unknown; return }
        let parts = path.dropFirst(Self.prefix.count).split(separator: "/", omittingEmptySubsequences: false)
        switch (method, parts.count) {
        case (.GET, 2) where parts[0] == "invocation" && parts[1] == "next":
            self = .next
        case (.POST, 2) where parts[0] == "init" && parts[1] == "error":
            self = .initError
        case (.POST, 3) where parts[0] == "invocation" && parts[2] == "response" && !parts[1].isEmpty:
            self = .response(requestId: String(parts[1]))
        case (.POST, 3) where parts[0] == "invocation" && parts[2] == "error" && !parts[1].isEmpty:
            self = .error(requestId: String(parts[1]))
        default:
            self = .unknown
        }
    }
}

/// An answer to the runtime: status, headers and body.
struct RuntimeReply: Sendable {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]

    static let accepted = RuntimeReply(status: 202, headers: [("Content-Type", "application/json")],
                                       body: Array(#"{"status":"OK"}"#.utf8))

    static func rejection(_ r: RuntimeAPIRejection) -> RuntimeReply {
        RuntimeReply(status: r.status, headers: [("Content-Type", "application/json")], body: Array(r.body.utf8))
    }
}

/// Where the HTTP handler hands complete requests; implemented by the environment, called on its event loop.
protocol RuntimeAPIEndpoint: AnyObject {
    func handle(_ request: RuntimeRequest, headers: HTTPHeaders, body: [UInt8], bodyTooLarge: Bool,
                reply: @escaping (RuntimeReply) -> Void)
}

/// HTTP/1.1 handler of one environment's Runtime API connection; everything runs on the environment's event loop.
final class RuntimeAPIHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// Largest response a function may return (AWS: 6 MB plus JSON framing).
    static let maxBodyBytes = 6_291_556

    private weak var endpoint: (any RuntimeAPIEndpoint)?
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var tooLarge = false

    init(endpoint: any RuntimeAPIEndpoint) { self.endpoint = endpoint }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body = []
            tooLarge = false
        case .body(var buffer):
            guard !tooLarge else { return }
            if body.count + buffer.readableBytes > Self.maxBodyBytes { tooLarge = true; body = []; return }
            body.append(contentsOf: buffer.readBytes(length: buffer.readableBytes) ?? [])
        case .end:
            guard let head else { return }
            self.head = nil
            let request = RuntimeRequest(method: head.method, uri: head.uri)
            let keepAlive = head.isKeepAlive
            let version = head.version
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            let reply: (RuntimeReply) -> Void = { answer in
                let (handler, ctx) = bound.value
                handler.write(answer, context: ctx, keepAlive: keepAlive, version: version)
            }
            guard let endpoint, request != .unknown else {
                reply(.rejection(.notFound))
                return
            }
            let requestBody = body
            body = []
            endpoint.handle(request, headers: head.headers, body: requestBody, bodyTooLarge: tooLarge, reply: reply)
        }
    }

    private func write(_ reply: RuntimeReply, context: ChannelHandlerContext, keepAlive: Bool, version: HTTPVersion) {
        guard context.channel.isActive else { return }
        var headers = HTTPHeaders()
        for (name, value) in reply.headers { headers.add(name: name, value: value) }
        headers.replaceOrAdd(name: "Content-Length", value: String(reply.body.count))
        if !keepAlive { headers.replaceOrAdd(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: .init(statusCode: reply.status),
                                                             headers: headers))), promise: nil)
        if !reply.body.isEmpty {
            var buffer = context.channel.allocator.buffer(capacity: reply.body.count)
            buffer.writeBytes(reply.body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
