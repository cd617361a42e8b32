import AWSWire
import NIOCore
import NIOHTTP1

/// Answers bytes that do not parse as an HTTP/1.1 request (a bad request line, a control byte in a header) with a 400
/// that says so, then lets the connection close. No head was read, so no protocol is known: the body is the Query
/// protocols' `<ErrorResponse>` without a namespace, which AWS's XML clients read and any person can.
final class HTTPParseErrorResponder: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// A response already under way cannot be followed by another; the connection just closes.
    private var responseOpen = false

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let parseError = error as? HTTPParserError, !responseOpen {
            let response = Self.response(parseError, requestID: newRequestID())
            var headers = HTTPHeaders(response.headers)
            headers.add(name: "Content-Length", value: String(response.body.count))
            headers.add(name: "Connection", value: "close")
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .badRequest, headers: headers))),
                          promise: nil)
            var buf = context.channel.allocator.buffer(capacity: response.body.count)
            buf.writeBytes(response.body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buf))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
        // The request handler closes the connection.
        context.fireErrorCaught(error)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head) where head.status.code < 200: break
        case .head: responseOpen = true
        case .body: break
        case .end: responseOpen = false
        }
        context.write(data, promise: promise)
    }

    static func response(_ error: HTTPParserError, requestID: String) -> WireResponse {
        var w = XMLWriter()
        w.open("ErrorResponse")
        w.open("Error")
        w.element("Type", "Sender")
        w.element("Code", "BadRequest")
        w.element("Message", "The request is not valid HTTP/1.1 (\(error)).")
        w.close("Error")
        w.element("RequestId", requestID)
        w.close("ErrorResponse")
        return .xml(400, w.text, requestID: requestID)
    }
}
