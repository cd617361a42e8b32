/// The canonical request of AWS Signature Version 4, as every service except S3 computes it.
/// Built byte by byte into one `ByteWriter`: verification runs on every enforced request, and String building
/// (then per-byte Array appends) was most of its cost.
public enum SigV4Canonical {
    /// The query parameter of the presigned form that carries the signature, so is not signed itself.
    public static let signatureParameter = "X-Amz-Signature"

    /// The full canonical request: method, URI, query, headers, signed-header list and payload hash,
    /// one per line (the header block ends with its own newline, hence the blank line after it).
    public static func request(method: String, rawPath: String, rawQuery: String,
                               headers: [(name: String, value: String)], signedHeaders: [String],
                               payloadHash: String, presigned: Bool, plusIsSpace: Bool = false) -> String {
        var out = ByteWriter(capacity: 256)
        appendRequest(method: method, rawPath: rawPath, rawQuery: rawQuery, headers: headers, signedHeaders: signedHeaders,
                      payloadHash: payloadHash, presigned: presigned, plusIsSpace: plusIsSpace, to: &out)
        return out.text
    }

    /// The canonical request of a `WireRequest`.
    public static func request(_ r: WireRequest, signedHeaders: [String], payloadHash: String, presigned: Bool,
                               plusIsSpace: Bool = false) -> String {
        request(method: r.method, rawPath: r.rawPath, rawQuery: r.rawQuery, headers: r.headers,
                signedHeaders: signedHeaders, payloadHash: payloadHash, presigned: presigned, plusIsSpace: plusIsSpace)
    }

    /// `request(...)` appended to `out` as UTF-8.
    static func appendRequest(method: String, rawPath: String, rawQuery: String,
                              headers: [(name: String, value: String)], signedHeaders: [String],
                              payloadHash: String, presigned: Bool, plusIsSpace: Bool, to out: inout ByteWriter) {
        let newline = UInt8(ascii: "\n")
        out.append(method)
        out.append(newline)
        appendURI(rawPath: rawPath, to: &out)
        out.append(newline)
        appendQueryString(rawQuery: rawQuery, excludingSignature: presigned, plusIsSpace: plusIsSpace, to: &out)
        out.append(newline)
        appendHeaders(headers, signedHeaders: signedHeaders, to: &out)
        out.append(newline)
        appendSignedHeaderList(signedHeaders, to: &out)
        out.append(newline)
        out.append(payloadHash)
    }

    /// The path as sent, with empty and dot segments removed, then URI-encoded once more: non-S3 services
    /// sign the already-encoded path, so an escape such as `%3A` appears as `%253A`.
    public static func uri(rawPath: String) -> String {
        var out = ByteWriter(capacity: rawPath.utf8.count * 3 + 2)
        appendURI(rawPath: rawPath, to: &out)
        return out.text
    }

    static func appendURI(rawPath: String, to out: inout ByteWriter) {
        var path = rawPath
        path.withUTF8 { b in
            var hasDot = false
            for byte in b {
                if byte >= 0x80 { out.append(unicodeURI(rawPath: rawPath)); return }
                if byte == UInt8(ascii: ".") { hasDot = true }
            }
            let slash = UInt8(ascii: "/")
            // Each byte is written at most as three; the final slash is one more.
            out.reserve(b.count * 3 + 1)
            // The common path has no `.` or `..` segment, so its segments can be written as they are found.
            var hasDotSegment = false
            var start = 0
            if hasDot {
                for k in 0...b.count where k == b.count || b[k] == slash {
                    if isDotSegment(b, start..<k) { hasDotSegment = true; break }
                    start = k + 1
                }
            }
            var kept: [Range<Int>] = []
            var written = 0
            start = 0
            for k in 0...b.count where k == b.count || b[k] == slash {
                let segment = start..<k
                start = k + 1
                if segment.isEmpty { continue }
                if hasDotSegment {
                    if isDotSegment(b, segment) {
                        if segment.count == 2, !kept.isEmpty { kept.removeLast() }
                        continue
                    }
                    kept.append(segment)
                } else {
                    out.put(slash)
                    putEncoded(b, segment, to: &out)
                    written += 1
                }
            }
            for segment in kept {
                out.put(slash)
                putEncoded(b, segment, to: &out)
                written += 1
            }
            if written == 0 || b.last == slash { out.put(slash) }
        }
    }

    private static func isDotSegment(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Bool {
        guard r.count == 1 || r.count == 2 else { return false }
        for k in r where b[k] != UInt8(ascii: ".") { return false }
        return true
    }

    /// A path with bytes beyond ASCII, segmented by Characters as Swift's String compares them (a combining mark
    /// after `/` or `.` makes another character); clients percent-encode such bytes, so this path is rare.
    static func unicodeURI(rawPath: String) -> String {
        var segments: [Substring] = []
        for segment in rawPath.split(separator: "/", omittingEmptySubsequences: true) {
            switch segment {
            case ".": continue
            case "..": if !segments.isEmpty { segments.removeLast() }
            default: segments.append(segment)
            }
        }
        var normalized = "/"
        normalized += segments.joined(separator: "/")
        if rawPath.hasSuffix("/") && !segments.isEmpty { normalized += "/" }
        return FormDecoding.encode(normalized, keepSlash: true)
    }

    /// Percent-encodes with SigV4's unreserved set (A-Z a-z 0-9 - _ . ~), upper-case hex, as `FormDecoding.encode`,
    /// into room already reserved (three bytes per input byte).
    private static func putEncoded(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>, to out: inout ByteWriter) {
        for k in r {
            let c = b[k]
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.put(c)
            default:
                out.put(UInt8(ascii: "%"))
                out.put(upperHex[Int(c >> 4)])
                out.put(upperHex[Int(c & 0xF)])
            }
        }
    }

    private static let upperHex: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// Parameters decoded then re-encoded with SigV4's unreserved set, sorted by encoded name then value,
    /// a parameter without `=` counting as an empty value. `plusIsSpace` reads a raw `+` as form encoders
    /// write a space (SDKs always send a real plus as `%2B`).
    public static func queryString(rawQuery: String, excludingSignature: Bool, plusIsSpace: Bool = false) -> String {
        var out = ByteWriter(capacity: rawQuery.utf8.count + 16)
        appendQueryString(rawQuery: rawQuery, excludingSignature: excludingSignature, plusIsSpace: plusIsSpace, to: &out)
        return out.text
    }

    static func appendQueryString(rawQuery: String, excludingSignature: Bool, plusIsSpace: Bool, to out: inout ByteWriter) {
        if rawQuery.isEmpty { return }
        var pairs: [(name: [UInt8], value: [UInt8])] = []
        for part in rawQuery.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let name: Substring.UTF8View
            let value: Substring.UTF8View
            if let eq = part.firstIndex(of: UInt8(ascii: "=")) {
                name = part[..<eq]
                value = part[part.index(after: eq)...]
            } else {
                name = part
                value = part[part.endIndex...]
            }
            let decodedName = FormDecoding.decodeBytes(name, plusIsSpace: plusIsSpace)
            if excludingSignature && decodedName.elementsEqual(signatureParameter.utf8) { continue }
            pairs.append((FormDecoding.encodeBytes(decodedName),
                          FormDecoding.encodeBytes(FormDecoding.decodeBytes(value, plusIsSpace: plusIsSpace))))
        }
        pairs.sort { a, b in
            a.name == b.name ? a.value.lexicographicallyPrecedes(b.value) : a.name.lexicographicallyPrecedes(b.name)
        }
        for (i, p) in pairs.enumerated() {
            if i > 0 { out.append(UInt8(ascii: "&")) }
            out.append(p.name)
            out.append(UInt8(ascii: "="))
            out.append(p.value)
        }
    }

    /// One `name:value\n` line per signed header, in the signed-header order; repeated headers join
    /// with commas in the order received, values trimmed with inner runs of blanks collapsed.
    public static func headers(_ headers: [(name: String, value: String)], signedHeaders: [String]) -> String {
        var out = ByteWriter(capacity: 256)
        appendHeaders(headers, signedHeaders: signedHeaders, to: &out)
        return out.text
    }

    static func appendHeaders(_ headers: [(name: String, value: String)], signedHeaders: [String], to out: inout ByteWriter) {
        for original in signedHeaders {
            var signed = original
            let matched = signed.withUTF8 { name -> Bool in
                guard ASCIICase.isASCII(name) else { return false }
                ASCIICase.appendLowercased(name, to: &out)
                out.append(UInt8(ascii: ":"))
                var first = true
                // Headers are read in place: iterating copies of the (name, value) pairs retained both strings each time.
                headers.withUnsafeBufferPointer { all in
                    for k in all.indices where all[k].name.utf8.count == name.count {
                        // A header name beyond ASCII keeps the String comparison `sameName` makes.
                        let same = all[k].name.utf8.withContiguousStorageIfAvailable { hb in
                            ASCIICase.isASCII(hb) ? ASCIICase.equalIgnoringCase(hb, name) : ASCIICase.sameName(all[k].name, original)
                        } ?? ASCIICase.sameName(all[k].name, original)
                        guard same else { continue }
                        if !first { out.append(UInt8(ascii: ",")) }
                        first = false
                        appendTrimmed(all[k].value, to: &out)
                    }
                }
                return true
            }
            if !matched {
                // A name beyond ASCII: compared as `lowercased()` compares.
                let name = signed.lowercased()
                out.append(name)
                out.append(UInt8(ascii: ":"))
                var first = true
                for h in headers where ASCIICase.sameName(h.name, name) {
                    if !first { out.append(UInt8(ascii: ",")) }
                    first = false
                    appendTrimmed(h.value, to: &out)
                }
            }
            out.append(UInt8(ascii: "\n"))
        }
    }

    /// `host;x-amz-date`.
    public static func signedHeaderList(_ names: [String]) -> String {
        var out = ByteWriter(capacity: 64)
        appendSignedHeaderList(names, to: &out)
        return out.text
    }

    static func appendSignedHeaderList(_ names: [String], to out: inout ByteWriter) {
        for (i, name) in names.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ";")) }
            var name = name
            let ascii = name.withUTF8 { b -> Bool in
                guard ASCIICase.isASCII(b) else { return false }
                ASCIICase.appendLowercased(b, to: &out)
                return true
            }
            if !ascii { out.append(name.lowercased()) }
        }
    }

    /// Leading and trailing blanks removed and each inner run of spaces or tabs made one space.
    static func trimAll(_ value: String) -> String {
        var out = ByteWriter(capacity: value.utf8.count)
        appendTrimmed(value, to: &out)
        return out.text
    }

    static func appendTrimmed(_ value: String, to out: inout ByteWriter) {
        var value = value
        value.withUTF8 { b in
            // Trimming never lengthens the value.
            out.reserve(b.count)
            var wroteAny = false
            var pendingSpace = false
            for c in b {
                if c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") {
                    pendingSpace = wroteAny
                    continue
                }
                if pendingSpace { out.put(UInt8(ascii: " ")); pendingSpace = false }
                out.put(c)
                wroteAny = true
            }
        }
    }
}

/// ASCII-only case handling for header names, with the full Unicode rules kept for anything else.
enum ASCIICase {
    static func isASCII(_ s: String) -> Bool { s.utf8.allSatisfy { $0 < 0x80 } }

    static func isASCII(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        for c in b where c >= 0x80 { return false }
        return true
    }

    static func lower(_ b: UInt8) -> UInt8 { b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z") ? b | 0x20 : b }

    static func appendLowercased(_ b: UnsafeBufferPointer<UInt8>, to out: inout ByteWriter) {
        out.reserve(b.count)
        for c in b { out.put(lower(c)) }
    }

    /// Two ASCII names' bytes, ignoring case.
    static func equalIgnoringCase(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        for i in 0..<a.count where lower(a[i]) != lower(b[i]) { return false }
        return true
    }

    /// True when `a` and `b` are equal ignoring case (`b` already lower-cased when it is not ASCII).
    static func equalIgnoringCase(_ a: String, _ b: String) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        var sawNonASCII = false
        for (x, y) in zip(a.utf8, b.utf8) {
            if x >= 0x80 || y >= 0x80 { sawNonASCII = true; break }
            if lower(x) != lower(y) { return false }
        }
        return sawNonASCII ? a.lowercased() == b.lowercased() : true
    }

    /// A request header (`name`, normally already lower-case) against a signed name, as `lowercased()` compares them.
    static func sameName(_ header: String, _ signed: String) -> Bool {
        header == signed || (header.utf8.count == signed.utf8.count && equalIgnoringCase(header, signed))
    }
}
