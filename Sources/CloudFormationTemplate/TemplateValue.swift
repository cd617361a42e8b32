import Foundation

/// One value of a template, after JSON or YAML parsing: short-form tags are already their long form
/// (`!Ref X` is `{"Ref": "X"}`), so every later step sees one shape.
public enum TemplateValue: Sendable, Equatable, Hashable {
    case null
    case bool(Bool)
    /// A number as written: CloudFormation passes numbers on as text, so `1.50` stays `1.50`.
    case number(String)
    case string(String)
    case list([TemplateValue])
    case object([String: TemplateValue])

    public var stringValue: String? { if case .string(let s) = self { return s }; return nil }
    public var listValue: [TemplateValue]? { if case .list(let l) = self { return l }; return nil }
    public var objectValue: [String: TemplateValue]? { if case .object(let o) = self { return o }; return nil }

    /// A scalar as the text a service receives (`true`, `5`, `abc`); nil for lists, objects and null.
    public var scalarText: String? {
        switch self {
        case .string(let s), .number(let s): return s
        case .bool(let b): return b ? "true" : "false"
        default: return nil
        }
    }

    public subscript(_ key: String) -> TemplateValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    /// The intrinsic function this value calls, when it is a one-member object named like one.
    public var intrinsic: (name: String, argument: TemplateValue)? {
        guard case .object(let o) = self, o.count == 1, let (k, v) = o.first else { return nil }
        guard k == "Ref" || k == "Condition" || k.hasPrefix("Fn::") else { return nil }
        return (k, v)
    }

    /// JSON text (keys sorted, so equal values print equal).
    public func jsonText(pretty: Bool = false) -> String {
        var out = ""
        write(into: &out, pretty: pretty, indent: 0)
        return out
    }

    private func write(into out: inout String, pretty: Bool, indent: Int) {
        let nl = pretty ? "\n" : ""
        let pad = { (n: Int) in pretty ? String(repeating: "  ", count: n) : "" }
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n): out += Self.jsonNumber(n)
        case .string(let s): Self.writeString(s, into: &out)
        case .list(let l):
            if l.isEmpty { out += "[]"; return }
            out += "[" + nl
            for (i, v) in l.enumerated() {
                out += pad(indent + 1)
                v.write(into: &out, pretty: pretty, indent: indent + 1)
                out += (i == l.count - 1 ? "" : ",") + nl
            }
            out += pad(indent) + "]"
        case .object(let o):
            if o.isEmpty { out += "{}"; return }
            out += "{" + nl
            let keys = o.keys.sorted()
            for (i, k) in keys.enumerated() {
                out += pad(indent + 1)
                Self.writeString(k, into: &out)
                out += pretty ? ": " : ":"
                o[k]!.write(into: &out, pretty: pretty, indent: indent + 1)
                out += (i == keys.count - 1 ? "" : ",") + nl
            }
            out += pad(indent) + "}"
        }
    }

    /// YAML allows numbers JSON does not (`0x1F`, `.5`, `+1`); those print as strings.
    static func jsonNumber(_ n: String) -> String {
        let valid = n.range(of: #"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$"#, options: .regularExpression) != nil
        if valid { return n }
        var s = ""
        writeString(n, into: &s)
        return s
    }

    static func writeString(_ s: String, into out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        out += "\""
    }
}

extension TemplateValue: Decodable {
    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        if let keyed = try? decoder.container(keyedBy: Key.self) {
            var o: [String: TemplateValue] = [:]
            for k in keyed.allKeys { o[k.stringValue] = try keyed.decode(TemplateValue.self, forKey: k) }
            self = .object(o)
            return
        }
        if var un = try? decoder.unkeyedContainer() {
            var l: [TemplateValue] = []
            while !un.isAtEnd { l.append(try un.decode(TemplateValue.self)) }
            self = .list(l)
            return
        }
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null; return }
        if let b = try? c.decode(Bool.self) { self = .bool(b); return }
        if let i = try? c.decode(Int.self) { self = .number(String(i)); return }
        if let d = try? c.decode(Double.self) {
            self = .number(d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d))
            return
        }
        self = .string(try c.decode(String.self))
    }
}
