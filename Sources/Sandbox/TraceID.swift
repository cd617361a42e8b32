import Foundation

/// X-Ray style trace headers (`Root=1-<8 hex time>-<24 hex>;Parent=<16 hex>;Sampled=0`).
enum TraceID {
    static func make(now: Date = Date()) -> String {
        let seconds = String(UInt32(now.timeIntervalSince1970), radix: 16)
        return "Root=1-\(seconds)-\(RandomHex.make(24));Parent=\(RandomHex.make(16));Sampled=0;Lineage=1:00000000:0"
    }
}

/// Random lowercase hex strings for ids and log stream names.
enum RandomHex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// One 64-bit draw gives 16 digits: every invocation makes a trace id, and a draw per digit (a getrandom call
    /// each) showed up in the invoke profile.
    static func make(_ length: Int) -> String {
        var g = SystemRandomNumberGenerator()
        var bits: UInt64 = 0
        return String(unsafeUninitializedCapacity: length) { buffer in
            for i in 0..<length {
                if i % 16 == 0 { bits = g.next() }
                buffer[i] = digits[Int(bits & 0xf)]
                bits >>= 4
            }
            return length
        }
    }
}
