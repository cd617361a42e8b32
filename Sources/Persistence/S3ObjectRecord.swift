import CloudModel
import Foundation

/// An object version's row body, written by hand in the JSON that `S3Object`'s `Codable` conformance reads (the
/// same keys, nil fields left out): every small PUT encodes one, and JSONEncoder's generic path was a sixth of the
/// event loop's work per PUT. Rows are still read with JSONDecoder.
enum S3ObjectRecord {
    static func encode(_ o: S3Object) -> Data {
        var out: [UInt8] = []
        out.reserveCapacity(256 + o.key.utf8.count + o.headers.count * 48 + o.metadata.count * 48)
        out.append(UInt8(ascii: "{"))
        field(&out, "bucket", first: true); string(&out, o.bucket)
        field(&out, "key"); string(&out, o.key)
        field(&out, "versionId"); string(&out, o.versionId)
        field(&out, "isDeleteMarker"); literal(&out, o.isDeleteMarker ? "true" : "false")
        field(&out, "size"); out.append(contentsOf: String(o.size).utf8)
        field(&out, "etag"); string(&out, o.etag)
        field(&out, "lastModified"); out.append(contentsOf: number(o.lastModified).utf8)
        field(&out, "headers"); dictionary(&out, o.headers)
        field(&out, "metadata"); dictionary(&out, o.metadata)
        field(&out, "checksums"); dictionary(&out, o.checksums)
        field(&out, "tags")
        out.append(UInt8(ascii: "["))
        for (i, t) in o.tags.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "{"))
            field(&out, "key", first: true); string(&out, t.key)
            field(&out, "value"); string(&out, t.value)
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "]"))
        if let blob = o.blob { field(&out, "blob"); string(&out, blob) }
        if let n = o.partsCount { field(&out, "partsCount"); out.append(contentsOf: String(n).utf8) }
        if let t = o.checksumType { field(&out, "checksumType"); string(&out, t) }
        out.append(UInt8(ascii: "}"))
        return Data(out)
    }

    private static func field(_ out: inout [UInt8], _ name: StaticString, first: Bool = false) {
        if !first { out.append(UInt8(ascii: ",")) }
        out.append(UInt8(ascii: "\""))
        literal(&out, name)
        out.append(UInt8(ascii: "\""))
        out.append(UInt8(ascii: ":"))
    }

    private static func literal(_ out: inout [UInt8], _ text: StaticString) {
        text.withUTF8Buffer { out.append(contentsOf: $0) }
    }

    private static func dictionary(_ out: inout [UInt8], _ d: [String: String]) {
        out.append(UInt8(ascii: "{"))
        var first = true
        for (k, v) in d {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            string(&out, k)
            out.append(UInt8(ascii: ":"))
            string(&out, v)
        }
        out.append(UInt8(ascii: "}"))
    }

    private static let hex = Array("0123456789abcdef".utf8)

    /// A JSON string: quotes, backslashes and control characters escaped, everything else as its UTF-8.
    static func string(_ out: inout [UInt8], _ s: String) {
        out.append(UInt8(ascii: "\""))
        // Nearly every string needs no escape: copied whole.
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            out.append(contentsOf: s.utf8)
            out.append(UInt8(ascii: "\""))
            return
        }
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0..<0x20:
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                        hex[Int(b >> 4)], hex[Int(b & 0xF)]])
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// A finite Double in a form JSON reads back to the same value (Swift's shortest round-trip text).
    static func number(_ d: Double) -> String {
        guard d.isFinite else { return "0" }
        return d.description
    }
}
