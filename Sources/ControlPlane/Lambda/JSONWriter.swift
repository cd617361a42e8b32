import Foundation

/// Writes JSON bytes in one pass: the Lambda hot paths (GetFunction, ListFunctions) encode through it
/// instead of building dictionaries for JSONSerialization.
public struct JSONWriter: Sendable {
    public private(set) var bytes: [UInt8] = []
    /// Whether the next member/element needs a comma before it, per nesting level.
    private var needsComma: [Bool] = [false]

    public init(capacity: Int = 1024) { bytes.reserveCapacity(capacity) }

    public mutating func beginObject() { separate(); bytes.append(0x7B); needsComma.append(false) }
    public mutating func endObject() { bytes.append(0x7D); needsComma.removeLast() }
    public mutating func beginArray() { separate(); bytes.append(0x5B); needsComma.append(false) }
    public mutating func endArray() { bytes.append(0x5D); needsComma.removeLast() }

    /// A member name; the value written next belongs to it.
    public mutating func key(_ k: String) {
        separate()
        appendString(k)
        bytes.append(0x3A)
        needsComma[needsComma.count - 1] = false
    }

    public mutating func string(_ s: String) { separate(); appendString(s) }
    public mutating func int(_ v: Int) { separate(); bytes.append(contentsOf: String(v).utf8) }
    public mutating func bool(_ v: Bool) { separate(); bytes.append(contentsOf: (v ? "true" : "false").utf8) }
    public mutating func double(_ v: Double) {
        separate()
        if v == v.rounded(), abs(v) < 1e15 { bytes.append(contentsOf: String(Int(v)).utf8); bytes.append(contentsOf: ".0".utf8) }
        else { bytes.append(contentsOf: String(v).utf8) }
    }

    /// A complete JSON value already encoded (from the configuration cache).
    public mutating func raw(_ value: [UInt8]) { separate(); bytes.append(contentsOf: value) }

    /// `"k": "v"`, skipped when v is nil (how Lambda leaves out absent members).
    public mutating func member(_ k: String, _ v: String?) { if let v { key(k); string(v) } }
    public mutating func member(_ k: String, _ v: Int?) { if let v { key(k); int(v) } }
    public mutating func member(_ k: String, _ v: Bool?) { if let v { key(k); bool(v) } }
    public mutating func member(_ k: String, strings: [String]) {
        key(k); beginArray(); for s in strings { string(s) }; endArray()
    }
    public mutating func member(_ k: String, map: [String: String]) {
        key(k); beginObject()
        for name in map.keys.sorted() { key(name); string(map[name]!) }
        endObject()
    }
    public mutating func object(_ k: String, _ body: (inout JSONWriter) -> Void) { key(k); beginObject(); body(&self); endObject() }

    private mutating func separate() {
        let i = needsComma.count - 1
        if needsComma[i] { bytes.append(0x2C) } else { needsComma[i] = true }
    }

    private mutating func appendString(_ s: String) {
        bytes.append(0x22)
        for b in s.utf8 {
            switch b {
            case 0x22: bytes.append(0x5C); bytes.append(0x22)
            case 0x5C: bytes.append(0x5C); bytes.append(0x5C)
            case 0x0A: bytes.append(0x5C); bytes.append(0x6E)
            case 0x0D: bytes.append(0x5C); bytes.append(0x72)
            case 0x09: bytes.append(0x5C); bytes.append(0x74)
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: "\\u00".utf8); bytes.append(hex[Int(b >> 4)]); bytes.append(hex[Int(b & 0xF)])
            default: bytes.append(b)
            }
        }
        bytes.append(0x22)
    }
}
