import Foundation
import Synchronization

/// How a request reached the service edge: the edge address the caller connected to (which names the service and
/// region it asked for) and whether over TLS.
public struct EdgeArrival: Sendable, Equatable {
    public var address: String
    public var secure: Bool
    /// The interface VPC endpoint (`vpce-…`) whose network interface the request came to, nil at the edge itself.
    public var endpoint: String?
    public init(address: String, secure: Bool, endpoint: String? = nil) {
        self.address = address; self.secure = secure; self.endpoint = endpoint
    }
}

/// An HTTP request as the wire layer sees it: already fully read, headers with lower-cased names.
public struct WireRequest: Sendable {
    public var method: String
    /// The path without the query string, still percent-encoded as sent.
    public var rawPath: String
    /// The query string without the leading `?`, still percent-encoded.
    public var rawQuery: String
    /// Header names lower-cased; repeated headers keep their order.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// The peer's IP address, for `aws:SourceIp`.
    public var sourceIP: String
    /// Set when the request came through the service edge rather than the host endpoint.
    public var edge: EdgeArrival?
    /// Set instead of `body` when the server wrote the body to a file as it arrived (S3 uploads).
    public var streamed: StreamedBody?

    public init(method: String, rawPath: String, rawQuery: String = "", headers: [(name: String, value: String)] = [],
                body: [UInt8] = [], sourceIP: String = "127.0.0.1") {
        self.method = method
        self.rawPath = rawPath
        self.rawQuery = rawQuery
        self.headers = headers.map { (Self.lowercasedName($0.name), $0.value) }
        self.body = body
        self.sourceIP = sourceIP
    }

    /// The first value of a header, by case-insensitive name.
    public func header(_ name: String) -> String? {
        // Callers name headers in lower case nearly always; only others pay for lower-casing.
        let lower = Self.lowercasedName(name)
        let count = lower.utf8.count
        for h in headers where h.name.utf8.count == count && h.name == lower { return h.value }
        return nil
    }

    /// A header name in lower case: ASCII names (all of them, in practice) without Unicode's case mapping, and without
    /// a new string when the name is already lower case (HTTP/2 clients, and most of ours).
    static func lowercasedName(_ name: String) -> String {
        if isLowercaseASCII(name) { return name }
        var ascii = true
        let bytes = name.utf8.map { c -> UInt8 in
            if c >= 0x80 { ascii = false }
            return c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z") ? c + 32 : c
        }
        return ascii ? String(decoding: bytes, as: UTF8.self) : name.lowercased()
    }

    static func isLowercaseASCII(_ s: String) -> Bool {
        s.utf8.withContiguousStorageIfAvailable { b in
            for c in b where c >= 0x80 || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z")) { return false }
            return true
        } ?? false
    }

    /// The path with percent-escapes decoded.
    public var path: String { rawPath.removingPercentEncoding ?? rawPath }

    /// Query string parameters, decoded (`+` is a space only in form bodies, not here).
    public var queryItems: [(String, String)] { FormDecoding.pairs(rawQuery, plusIsSpace: false) }
}

/// An HTTP response produced by a service, before the transport writes it.
public struct WireResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]
    /// A body sent from a file instead of `body` (S3 object reads), by the transport without copying it through memory.
    public var file: ResponseFile?
    /// The `Content-Length` to declare when there is no body to send (HEAD): else the body's (or file's) length.
    public var declaredLength: Int64?
    /// Set when this response stands for one that comes later: the transport waits for that one instead.
    public var deferred: DeferredResponse?

    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public static func xml(_ status: Int = 200, _ text: String, requestID: String) -> WireResponse {
        WireResponse(status: status, headers: [("Content-Type", "text/xml;charset=UTF-8"), ("x-amzn-RequestId", requestID)],
                     body: Array(text.utf8))
    }

    public static func json(_ status: Int = 200, _ bytes: [UInt8], requestID: String,
                            extraHeaders: [(String, String)] = []) -> WireResponse {
        WireResponse(status: status,
                     headers: [("Content-Type", "application/json"), ("x-amzn-RequestId", requestID)] + extraHeaders,
                     body: bytes)
    }
}

/// A fresh request id in the form AWS uses (a lower-case random UUID, version 4). Formatted by hand: Foundation's
/// `uuidString` goes through printf and is a measurable part of a small request. Ids need to be unique, not secret:
/// their bits come from a SplitMix64 sequence seeded once from the system's generator (not two `getrandom` calls).
public func newRequestID() -> String {
    let r1 = RequestIDSequence.next(), r2 = RequestIDSequence.next()
    let hi = (r1 & ~UInt64(0xF000)) | 0x4000                 // version 4
    let lo = (r2 & ~(UInt64(0xC) << 60)) | (UInt64(0x8) << 60)  // RFC 4122 variant
    let hex = Array("0123456789abcdef".utf8)
    var out = [UInt8]()
    out.reserveCapacity(36)
    for (index, word) in [hi, lo].enumerated() {
        for k in 0..<16 {
            let position = index * 16 + k
            if position == 8 || position == 12 || position == 16 || position == 20 { out.append(UInt8(ascii: "-")) }
            out.append(hex[Int((word >> UInt64(60 - 4 * k)) & 0xF)])
        }
    }
    return String(decoding: out, as: UTF8.self)
}

/// An open file range a response sends as its body. The transport takes the descriptor (and closes it when sent);
/// a response dropped unsent closes it here.
public final class ResponseFile: @unchecked Sendable {
    private var fd: Int32
    public let offset: Int64
    public let length: Int64
    private let lock = NSLock()

    public init(descriptor: Int32, offset: Int64, length: Int64) {
        fd = descriptor
        self.offset = offset
        self.length = length
    }

    /// The descriptor, now the caller's to close; -1 if already taken.
    public func takeDescriptor() -> Int32 {
        lock.lock(); defer { lock.unlock() }
        let d = fd
        fd = -1
        return d
    }

    deinit { if fd >= 0 { close(fd) } }
}

/// A shared SplitMix64 sequence: each call advances one atomic counter and mixes its value.
private enum RequestIDSequence {
    static let state = Atomic<UInt64>({ var g = SystemRandomNumberGenerator(); return g.next() }())

    static func next() -> UInt64 {
        var z = state.wrappingAdd(0x9E37_79B9_7F4A_7C15, ordering: .relaxed).newValue
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
