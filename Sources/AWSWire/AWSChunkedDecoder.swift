/// Reads S3's `aws-chunked` body encoding incrementally: `HEX[;chunk-signature=SIG]\r\nDATA\r\n`... then a zero chunk
/// and, for the trailer forms, `name:value\r\n` trailers and an empty line. Payload bytes are handed on as they arrive;
/// nothing but a header line (capped) is buffered.
public struct AWSChunkedDecoder: Sendable {
    /// One chunk's header as sent.
    public struct ChunkHeader: Sendable, Equatable {
        public var size: Int
        public var signature: String?
    }

    enum State: Sendable, Equatable {
        case header
        case data(remaining: Int)
        case dataEnd(seen: Int)
        case trailers
        case done
        case failed(String)
    }

    /// A header or trailer line longer than this is not aws-chunked.
    static let maxLine = 4096
    /// S3 refuses chunks above 16 MiB... no limit is documented for the encoding itself; this bounds a lying header.
    static let maxChunk = 1 << 40

    private(set) var state: State = .header
    private var line: [UInt8] = []
    public private(set) var trailers: [(name: String, value: String)] = []

    public init() {}

    public var isDone: Bool { state == .done }
    public var failure: String? { if case .failed(let why) = state { return why } else { return nil } }

    /// Feeds bytes; `payload` receives data bytes, `chunkEnd` each chunk's header once its data has passed
    /// (the final zero chunk included, with no data).
    public mutating func feed(_ bytes: UnsafeRawBufferPointer, payload: (UnsafeRawBufferPointer) -> Void,
                              chunkEnd: (ChunkHeader) -> Void) {
        var i = 0
        var current: ChunkHeader? = pendingHeader
        defer { pendingHeader = current }
        while i < bytes.count {
            switch state {
            case .done:
                // Bytes after the terminating line: tolerated only as trailing CRLF noise.
                if bytes[i] != 0x0D && bytes[i] != 0x0A { state = .failed("data after the final chunk") }
                i += 1
            case .failed:
                return
            case .header, .trailers:
                let b = bytes[i]
                i += 1
                if b == 0x0A {
                    if line.last == 0x0D { line.removeLast() }
                    let text = String(decoding: line, as: UTF8.self)
                    line.removeAll(keepingCapacity: true)
                    if state == .header {
                        guard let h = Self.parseHeader(text) else { state = .failed("malformed chunk header"); return }
                        current = h
                        if h.size == 0 {
                            chunkEnd(h)
                            current = nil
                            state = .trailers
                        } else {
                            state = .data(remaining: h.size)
                        }
                    } else if text.isEmpty {
                        state = .done
                    } else {
                        guard let colon = text.firstIndex(of: ":") else { state = .failed("malformed trailer"); return }
                        trailers.append((String(text[..<colon]).lowercased(),
                                         String(text[text.index(after: colon)...]).trimmingSpaces))
                    }
                } else {
                    line.append(b)
                    if line.count > Self.maxLine { state = .failed("chunk header too long"); return }
                }
            case .data(let remaining):
                let n = min(remaining, bytes.count - i)
                payload(UnsafeRawBufferPointer(rebasing: bytes[i..<(i + n)]))
                i += n
                state = remaining - n == 0 ? .dataEnd(seen: 0) : .data(remaining: remaining - n)
            case .dataEnd(let seen):
                let expected: UInt8 = seen == 0 ? 0x0D : 0x0A
                guard bytes[i] == expected else { state = .failed("chunk data longer than its declared size"); return }
                i += 1
                if seen == 1 {
                    if let h = current { chunkEnd(h) }
                    current = nil
                    state = .header
                } else {
                    state = .dataEnd(seen: 1)
                }
            }
        }
    }

    private var pendingHeader: ChunkHeader?

    /// Marks the end of the input: anything short of the final line is an error.
    public mutating func finish() {
        switch state {
        case .done, .failed: return
        case .trailers where line.isEmpty && trailers.isEmpty:
            // Some encoders end after the zero chunk's line without the empty line.
            state = .done
        default: state = .failed("the body ended inside a chunk")
        }
    }

    static func parseHeader(_ text: String) -> ChunkHeader? {
        let parts = text.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)
        let hex = parts[0].trimmingSpaces
        guard !hex.isEmpty, hex.utf8.count <= 10, let size = Int(hex, radix: 16), size >= 0, size <= maxChunk else { return nil }
        var signature: String?
        if parts.count == 2 {
            let ext = parts[1].trimmingSpaces
            guard ext.hasPrefix("chunk-signature=") else { return nil }
            signature = String(ext.dropFirst("chunk-signature=".count))
        }
        return ChunkHeader(size: size, signature: signature)
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return String(s)
    }
}
