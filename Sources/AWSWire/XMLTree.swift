/// A small XML reader for the request documents of REST-XML services (S3's `<Delete>`, `<CompleteMultipartUpload>`,
/// `<CreateBucketConfiguration>`, `<Tagging>`, ...): elements, text, the five predefined entities and numeric
/// references; namespaces are kept as written in names and ignored by lookups; no DTDs. Returns nil for anything
/// not well formed.
public struct XMLElement: Sendable, Equatable {
    public var name: String
    public var text: String
    public var children: [XMLElement]

    /// The local name (without a namespace prefix).
    public var localName: String { name.split(separator: ":").last.map(String.init) ?? name }

    public func child(_ local: String) -> XMLElement? { children.first { $0.localName == local } }
    public func all(_ local: String) -> [XMLElement] { children.filter { $0.localName == local } }
    /// The text of a direct child, trimmed of surrounding whitespace.
    public func value(_ local: String) -> String? { child(local).map { $0.text.trimmingXMLSpace } }

    /// Parses a document; nil when it is not well formed (or nests deeper than 64).
    public static func parse(_ bytes: [UInt8]) -> XMLElement? {
        var p = XMLParserState(bytes: bytes)
        p.skipProlog()
        guard let root = p.element(depth: 0) else { return nil }
        p.skipMisc()
        return p.i == bytes.count ? root : nil
    }
}

struct XMLParserState {
    let bytes: [UInt8]
    var i = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func skipSpace() { while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 } }

    func starts(_ s: String) -> Bool {
        let u = Array(s.utf8)
        return i + u.count <= bytes.count && Array(bytes[i..<(i + u.count)]) == u
    }

    mutating func skipPast(_ s: String) -> Bool {
        let u = Array(s.utf8)
        while i + u.count <= bytes.count {
            if Array(bytes[i..<(i + u.count)]) == u { i += u.count; return true }
            i += 1
        }
        i = bytes.count
        return false
    }

    mutating func skipProlog() {
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { i = 3 }
        skipMisc()
    }

    /// Whitespace, comments and processing instructions.
    mutating func skipMisc() {
        while true {
            skipSpace()
            if starts("<?") { _ = skipPast("?>") } else if starts("<!--") { _ = skipPast("-->") } else { return }
        }
    }

    mutating func name() -> String? {
        let start = i
        while i < bytes.count {
            let c = bytes[i]
            if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == UInt8(ascii: ">") || c == UInt8(ascii: "/")
                || c == UInt8(ascii: "=") || c == UInt8(ascii: "<") { break }
            i += 1
        }
        return i > start ? String(decoding: bytes[start..<i], as: UTF8.self) : nil
    }

    mutating func element(depth: Int) -> XMLElement? {
        guard depth < 64, i < bytes.count, bytes[i] == UInt8(ascii: "<") else { return nil }
        i += 1
        guard let n = name() else { return nil }
        // Attributes are read past and not kept (xmlns only, in S3's documents).
        while true {
            skipSpace()
            guard i < bytes.count else { return nil }
            if bytes[i] == UInt8(ascii: "/") {
                guard i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: ">") else { return nil }
                i += 2
                return XMLElement(name: n, text: "", children: [])
            }
            if bytes[i] == UInt8(ascii: ">") { i += 1; break }
            guard name() != nil else { return nil }
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "=") else { return nil }
            i += 1
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") || bytes[i] == UInt8(ascii: "'") else { return nil }
            let quote = bytes[i]
            i += 1
            while i < bytes.count && bytes[i] != quote { i += 1 }
            guard i < bytes.count else { return nil }
            i += 1
        }
        var text = [UInt8]()
        var children: [XMLElement] = []
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "<") {
                if starts("</") {
                    i += 2
                    guard name() == n else { return nil }
                    skipSpace()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: ">") else { return nil }
                    i += 1
                    return XMLElement(name: n, text: String(decoding: text, as: UTF8.self), children: children)
                }
                if starts("<!--") { guard skipPast("-->") else { return nil }; continue }
                if starts("<![CDATA[") {
                    i += 9
                    let start = i
                    guard skipPast("]]>") else { return nil }
                    text += bytes[start..<(i - 3)]
                    continue
                }
                if starts("<?") { guard skipPast("?>") else { return nil }; continue }
                if starts("<!") { return nil }
                guard let child = element(depth: depth + 1) else { return nil }
                children.append(child)
            } else if bytes[i] == UInt8(ascii: "&") {
                guard let decoded = entity() else { return nil }
                text += Array(decoded.utf8)
            } else {
                text.append(bytes[i])
                i += 1
            }
        }
        return nil
    }

    mutating func entity() -> String? {
        let start = i
        while i < bytes.count && bytes[i] != UInt8(ascii: ";") && i - start < 12 { i += 1 }
        guard i < bytes.count, bytes[i] == UInt8(ascii: ";") else { return nil }
        let body = String(decoding: bytes[(start + 1)..<i], as: UTF8.self)
        i += 1
        switch body {
        case "amp": return "&"
        case "lt": return "<"
        case "gt": return ">"
        case "quot": return "\""
        case "apos": return "'"
        default:
            let code: UInt32?
            if body.hasPrefix("#x") { code = UInt32(body.dropFirst(2), radix: 16) } else if body.hasPrefix("#") { code = UInt32(body.dropFirst()) } else { code = nil }
            guard let code, let scalar = Unicode.Scalar(code) else { return nil }
            return String(Character(scalar))
        }
    }
}

extension String {
    var trimmingXMLSpace: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\n" || f == "\t" || f == "\r" || f == "\r\n" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\n" || l == "\t" || l == "\r" || l == "\r\n" { s = s.dropLast() }
        return String(s)
    }
}
