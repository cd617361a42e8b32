import Crypto
#if canImport(Glibc)
import Glibc
#endif

/// The chain of chunk signatures of a `STREAMING-AWS4-HMAC-SHA256-PAYLOAD` body: each chunk is signed over the
/// previous signature (the seed is the request's own), the request time and scope, and the chunk's SHA-256.
public struct ChunkSignatureChain: Sendable {
    let mac: SigV4SigningMAC
    let timestamp: String
    let scope: String
    var previous: String

    public init(secretAccessKey: String, authorization a: SigV4Authorization, timestamp: String) {
        mac = SigningKeyCache.shared.mac(secretAccessKey: secretAccessKey, dateStamp: a.scopeDate, region: a.region, service: a.service)
        self.timestamp = timestamp
        scope = SigV4Crypto.credentialScope(dateStamp: a.scopeDate, region: a.region, service: a.service)
        previous = a.signature
    }

    /// Checks one chunk's signature and advances the chain.
    mutating func accept(signature: String?, chunkSHA256Hex: String) -> Bool {
        guard let signature else { return false }
        var w = ByteWriter(capacity: 256)
        w.append("AWS4-HMAC-SHA256-PAYLOAD\n" + timestamp + "\n" + scope + "\n" + previous + "\n"
                 + SigV4Crypto.emptyPayloadHash + "\n" + chunkSHA256Hex)
        let ok = mac.authenticate(w) { SigV4Crypto.isHex(of: $0, signature) }
        previous = signature
        return ok
    }
}

/// Takes a request body as it arrives, decoding aws-chunked and computing digests on the way: a small body stays in
/// memory, a larger one goes to a file (created once the body outgrows `memoryLimit`). Used by one connection on its
/// event loop only (hence unchecked Sendable).
public final class RequestBodySink: @unchecked Sendable {
    /// What to compute and how to read the body.
    public struct Plan: Sendable {
        public var chunked: Bool
        public var chain: ChunkSignatureChain?
        public var sha256: Bool
        /// `CRC32`, `CRC32C`, `CRC64NVME`, `SHA1`, `SHA256`.
        public var checksums: Set<String>

        public init(chunked: Bool, chain: ChunkSignatureChain? = nil, sha256: Bool = false, checksums: Set<String> = []) {
            self.chunked = chunked
            self.chain = chain
            self.sha256 = sha256
            self.checksums = checksums
        }
    }

    /// The file's path, drawn when first needed: a body that stays in memory never names one.
    public private(set) lazy var path: String = makePath()
    private let makePath: () -> String
    /// -1 while the body is held in memory.
    private var fd: Int32 = -1
    private var held: [UInt8] = []
    private let memoryLimit: Int
    private var plan: Plan
    private var decoder = AWSChunkedDecoder()
    private var length: Int64 = 0
    private var md5 = Insecure.MD5()
    private var sha256: SHA256?
    private var chunkSHA: SHA256?
    private var sha1: Insecure.SHA1?
    private var crc32: CRC32?
    private var crc32c: CRC32?
    private var crc64: CRC64NVME?
    private var checksumSHA256: SHA256?
    private var failure: StreamedBodyFailure?

    /// `path` (which must not exist) is created once more than `memoryLimit` bytes arrived.
    public convenience init(path: String, plan: Plan, memoryLimit: Int = 64 * 1024) throws(StreamedBodyFailure) {
        try self.init(makePath: { path }, plan: plan, memoryLimit: memoryLimit)
    }

    /// `makePath` names the file (which must not exist) when more than `memoryLimit` bytes arrived.
    public init(makePath: @escaping () -> String, plan: Plan, memoryLimit: Int = 64 * 1024) throws(StreamedBodyFailure) {
        self.makePath = makePath
        self.plan = plan
        self.memoryLimit = memoryLimit
        if plan.sha256 { sha256 = SHA256() }
        if plan.chain != nil { chunkSHA = SHA256() }
        if plan.checksums.contains("SHA1") { sha1 = Insecure.SHA1() }
        if plan.checksums.contains("CRC32") { crc32 = CRC32() }
        if plan.checksums.contains("CRC32C") { crc32c = CRC32(castagnoli: true) }
        if plan.checksums.contains("CRC64NVME") { crc64 = CRC64NVME() }
        if plan.checksums.contains("SHA256") { checksumSHA256 = SHA256() }
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Takes the next bytes of the body as sent.
    public func write(_ bytes: UnsafeRawBufferPointer) {
        guard failure == nil else { return }
        if !plan.chunked { consume(bytes); return }
        decoder.feed(bytes, payload: { consume($0) }, chunkEnd: { header in
            guard plan.chain != nil else { return }
            let digest = SigV4Crypto.hex(chunkSHA!.finalize())
            chunkSHA = SHA256()
            if !plan.chain!.accept(signature: header.signature, chunkSHA256Hex: digest) { failure = .chunkSignature }
        })
        if let why = decoder.failure, failure == nil { failure = .encoding(why) }
    }

    private func consume(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        md5.update(bufferPointer: bytes)
        sha256?.update(bufferPointer: bytes)
        chunkSHA?.update(bufferPointer: bytes)
        sha1?.update(bufferPointer: bytes)
        crc32?.update(bytes)
        crc32c?.update(bytes)
        crc64?.update(bytes)
        checksumSHA256?.update(bufferPointer: bytes)
        length += Int64(bytes.count)
        if fd < 0 {
            if held.count + bytes.count <= memoryLimit {
                held.append(contentsOf: bytes)
                return
            }
            // The body outgrew memory: from here on it goes to the file, starting with what was held.
            fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard fd >= 0 else {
                failure = .io("cannot create \(path): errno \(errno)")
                return
            }
            let first = held
            held = []
            first.withUnsafeBytes { writeOut($0) }
        }
        writeOut(bytes)
    }

    private func writeOut(_ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                failure = .io("write failed: errno \(errno)")
                return
            }
            offset += n
        }
    }

    /// Closes the file (not yet synced: the service syncs what it keeps) and says what arrived: the bytes themselves
    /// when they stayed in memory (no file exists then).
    public func finish() -> StreamedBody {
        if plan.chunked && failure == nil {
            decoder.finish()
            if let why = decoder.failure { failure = .encoding(why) }
        }
        let inMemory = fd < 0
        if fd >= 0 { close(fd); fd = -1 }
        var sums: [String: String] = [:]
        if let c = crc32 { sums["CRC32"] = Base64.encode(c.bigEndianBytes) }
        if let c = crc32c { sums["CRC32C"] = Base64.encode(c.bigEndianBytes) }
        if let c = crc64 { sums["CRC64NVME"] = Base64.encode(c.bigEndianBytes) }
        if let s = sha1 { sums["SHA1"] = Base64.encode(Array(s.finalize())) }
        if let s = checksumSHA256 { sums["SHA256"] = Base64.encode(Array(s.finalize())) }
        var trailers: [String: String] = [:]
        for t in decoder.trailers { trailers[t.name] = t.value }
        return StreamedBody(path: inMemory ? "" : path, length: length, md5: Array(md5.finalize()), sha256Hex: sha256.map { SigV4Crypto.hex($0.finalize()) },
                            checksums: sums, trailers: trailers, failure: failure, bytes: inMemory ? held : nil)
    }

    /// Drops the body: the connection ended before it did.
    public func abort() {
        held = []
        if fd >= 0 {
            close(fd)
            fd = -1
            unlink(path)
        }
    }
}

/// Standard base64 without Foundation's `Data` round trip.
public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    public static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i + 3 <= bytes.count {
            let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out += [alphabet[Int(v >> 18)], alphabet[Int((v >> 12) & 63)], alphabet[Int((v >> 6) & 63)], alphabet[Int(v & 63)]]
            i += 3
        }
        let rest = bytes.count - i
        if rest == 1 {
            let v = UInt32(bytes[i]) << 16
            out += [alphabet[Int(v >> 18)], alphabet[Int((v >> 12) & 63)], UInt8(ascii: "="), UInt8(ascii: "=")]
        } else if rest == 2 {
            let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
            out += [alphabet[Int(v >> 18)], alphabet[Int((v >> 12) & 63)], alphabet[Int((v >> 6) & 63)], UInt8(ascii: "=")]
        }
        return String(decoding: out, as: UTF8.self)
    }
}
