/// The canonical request of AWS Signature Version 4, as every service except S3 computes it.
public enum SigV4Canonical {
    /// The query parameter of the presigned form that carries the signature, so is not signed itself.
    public static let signatureParameter = "X-Amz-Signature"

    /// The full canonical request: method, URI, query, headers, signed-header list and payload hash,
    /// one per line (the header block ends with its own newline, hence the blank line after it).
    public static func request(method: String, rawPath: String, rawQuery: String,
                               headers: [(name: String, value: String)], signedHeaders: [String],
                               payloadHash: String, presigned: Bool, plusIsSpace: Bool = false) -> String {
        var out = method
        out += "\n"
        out += uri(rawPath: rawPath)
        out += "\n"
        out += queryString(rawQuery: rawQuery, excludingSignature: presigned, plusIsSpace: plusIsSpace)
        out += "\n"
        out += self.headers(headers, signedHeaders: signedHeaders)
        out += "\n"
        out += signedHeaderList(signedHeaders)
        out += "\n"
        out += payloadHash
        return out
    }

    /// The canonical request of a `WireRequest`.
    public static func request(_ r: WireRequest, signedHeaders: [String], payloadHash: String, presigned: Bool,
                               plusIsSpace: Bool = false) -> String {
        request(method: r.method, rawPath: r.rawPath, rawQuery: r.rawQuery, headers: r.headers,
                signedHeaders: signedHeaders, payloadHash: payloadHash, presigned: presigned, plusIsSpace: plusIsSpace)
    }

    /// The path as sent, with empty and dot segments removed, then URI-encoded once more: non-S3 services
    /// sign the already-encoded path, so an escape such as `%3A` appears as `%253A`.
    public static func uri(rawPath: String) -> String {
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

    /// Parameters decoded then re-encoded with SigV4's unreserved set, sorted by encoded name then value,
    /// a parameter without `=` counting as an empty value. `plusIsSpace` reads a raw `+` as form encoders
    /// write a space (SDKs always send a real plus as `%2B`).
    public static func queryString(rawQuery: String, excludingSignature: Bool, plusIsSpace: Bool = false) -> String {
        if rawQuery.isEmpty { return "" }
        var pairs: [(name: [UInt8], value: [UInt8])] = []
        let signatureName = Array(signatureParameter.utf8)
        for part in rawQuery.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let name: ArraySlice<UInt8>
            let value: ArraySlice<UInt8>
            let bytes = Array(part)
            if let eq = bytes.firstIndex(of: UInt8(ascii: "=")) {
                name = bytes[..<eq]
                value = bytes[(eq + 1)...]
            } else {
                name = bytes[...]
                value = []
            }
            let decodedName = FormDecoding.decodeBytes(name, plusIsSpace: plusIsSpace)
            if excludingSignature && decodedName == signatureName { continue }
            pairs.append((FormDecoding.encodeBytes(decodedName),
                          FormDecoding.encodeBytes(FormDecoding.decodeBytes(value, plusIsSpace: plusIsSpace))))
        }
        pairs.sort { a, b in
            a.name == b.name ? a.value.lexicographicallyPrecedes(b.value) : a.name.lexicographicallyPrecedes(b.name)
        }
        var out: [UInt8] = []
        for (i, p) in pairs.enumerated() {
            if i > 0 { out.append(UInt8(ascii: "&")) }
            out += p.name
            out.append(UInt8(ascii: "="))
            out += p.value
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// One `name:value\n` line per signed header, in the signed-header order; repeated headers join
    /// with commas in the order received, values trimmed with inner runs of blanks collapsed.
    public static func headers(_ headers: [(name: String, value: String)], signedHeaders: [String]) -> String {
        var out = ""
        for signed in signedHeaders {
            let name = signed.lowercased()
            out += name
            out += ":"
            var first = true
            for h in headers where h.name == name || (h.name.utf8.count == name.utf8.count && h.name.lowercased() == name) {
                if !first { out += "," }
                first = false
                out += trimAll(h.value)
            }
            out += "\n"
        }
        return out
    }

    /// `host;x-amz-date`.
    public static func signedHeaderList(_ names: [String]) -> String {
        names.map { $0.lowercased() }.joined(separator: ";")
    }

    /// Leading and trailing blanks removed and each inner run of spaces or tabs made one space.
    static func trimAll(_ value: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(value.utf8.count)
        var pendingSpace = false
        for b in value.utf8 {
            if b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") {
                pendingSpace = !out.isEmpty
                continue
            }
            if pendingSpace { out.append(UInt8(ascii: " ")); pendingSpace = false }
            out.append(b)
        }
        return String(decoding: out, as: UTF8.self)
    }
}
