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
    static func make(_ length: Int) -> String {
        var g = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef")
        return String((0..<length).map { _ in digits[Int(g.next() % 16)] })
    }
}
