import Crypto

/// HMAC-SHA256 (RFC 2104) under one signing key, with the key's inner and outer pad blocks already hashed:
/// checking a signature then costs the string to sign's hashing and one more block, nothing else.
/// Unchecked Sendable: SHA256 states are copy-on-write values; each request works on its own copies and the
/// cached pair is never written.
struct SigV4SigningMAC: @unchecked Sendable {
    private let inner: SHA256
    private let outer: SHA256

    /// `key` is a derived signing key (32 bytes, shorter than SHA-256's 64-byte block, so used as is).
    init(key: [UInt8]) {
        var ipad = [UInt8](repeating: 0x36, count: 64)
        var opad = [UInt8](repeating: 0x5c, count: 64)
        for (i, b) in key.enumerated() {
            ipad[i] ^= b
            opad[i] ^= b
        }
        var i = SHA256(), o = SHA256()
        ipad.withUnsafeBytes { i.update(bufferPointer: $0) }
        opad.withUnsafeBytes { o.update(bufferPointer: $0) }
        inner = i
        outer = o
    }

    /// The MAC of `message`, as 32 bytes handed to `body`.
    func authenticate<R>(_ message: borrowing ByteWriter, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        var i = inner
        message.withUnsafeBytes { i.update(bufferPointer: $0) }
        let innerDigest = i.finalize()
        var o = outer
        innerDigest.withUnsafeBytes { o.update(bufferPointer: $0) }
        return o.finalize().withUnsafeBytes(body)
    }
}
