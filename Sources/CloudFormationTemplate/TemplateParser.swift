import Foundation
import Yams

/// Reads a template body (JSON or YAML) into a `TemplateValue`, turning YAML's short forms into long ones.
public enum TemplateParser {
    /// The short-form tags and the long form each one stands for.
    static let shortForms: [String: String] = [
        "!Ref": "Ref", "!Condition": "Condition",
        "!Sub": "Fn::Sub", "!GetAtt": "Fn::GetAtt", "!Join": "Fn::Join", "!Select": "Fn::Select", "!Split": "Fn::Split",
        "!GetAZs": "Fn::GetAZs", "!FindInMap": "Fn::FindInMap", "!If": "Fn::If", "!Equals": "Fn::Equals",
        "!And": "Fn::And", "!Or": "Fn::Or", "!Not": "Fn::Not", "!Base64": "Fn::Base64", "!Cidr": "Fn::Cidr",
        "!ImportValue": "Fn::ImportValue", "!Transform": "Fn::Transform", "!Length": "Fn::Length",
        "!ToJsonString": "Fn::ToJsonString",
    ]

    /// Parses `body`; JSON when it starts with `{`, YAML otherwise (as CloudFormation decides).
    public static func parse(_ body: String) throws(TemplateError) -> TemplateValue {
        let trimmed = body.drop { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" || $0 == "\u{FEFF}" }
        let value: TemplateValue
        if trimmed.first == "{" {
            do { value = try JSONDecoder().decode(TemplateValue.self, from: Data(body.utf8)) } catch {
                // JSON with YAML's leniencies (comments, trailing text) is still read by the YAML parser, as AWS does.
                if let y = try? parseYAML(body) { value = y } else { throw .format("JSON not well-formed.") }
            }
        } else {
            value = try parseYAML(body)
        }
        guard case .object = value else { throw .format("not a valid template: the document must be a JSON object or YAML mapping.") }
        return value
    }

    static func parseYAML(_ body: String) throws(TemplateError) -> TemplateValue {
        let node: Node?
        do { node = try Yams.compose(yaml: body) } catch let e as YamlError {
            throw .format("YAML not well-formed. \(Self.position(e))")
        } catch {
            throw .format("YAML not well-formed.")
        }
        guard let node else { throw .format("YAML not well-formed.") }
        return try convert(node)
    }

    static func position(_ e: YamlError) -> String {
        switch e {
        case .scanner(_, _, let m, _), .parser(_, _, let m, _), .composer(_, _, let m, _):
            return "(line \(m.line), column \(m.column))"
        default: return ""
        }
    }

    static func convert(_ node: Node) throws(TemplateError) -> TemplateValue {
        let tagName = tag(of: node)
        let plain: TemplateValue
        switch node {
        case .scalar(let s):
            if tagName.hasPrefix("!") {
                plain = .string(s.string)
            } else if tagName == Tag.Name.str.rawValue || s.style != .plain {
                plain = .string(s.string)
            } else {
                plain = resolvePlain(s.string)
            }
        case .mapping(let m):
            var o: [String: TemplateValue] = [:]
            for (k, v) in m {
                guard case .scalar(let ks) = k else { throw .format("YAML not well-formed: a mapping key must be a scalar.") }
                o[ks.string] = try convert(v)
            }
            plain = .object(o)
        case .sequence(let seq):
            var l: [TemplateValue] = []
            for n in seq { l.append(try convert(n)) }
            plain = .list(l)
        }
        guard tagName.hasPrefix("!"), !tagName.hasPrefix("!!") else { return plain }
        guard let long = shortForms[tagName] else { throw .format("YAML not well-formed. Unknown tag \(tagName)") }
        if long == "Fn::GetAtt", case .string(let dotted) = plain {
            // `!GetAtt Res.Attr` (the attribute may itself contain dots, as in `Endpoint.Address`).
            guard let dot = dotted.firstIndex(of: ".") else {
                throw .template("every Fn::GetAtt object requires two non-empty parameters.")
            }
            return .object([long: .list([.string(String(dotted[..<dot])), .string(String(dotted[dotted.index(after: dot)...]))])])
        }
        return .object([long: plain])
    }

    static func tag(of node: Node) -> String {
        switch node {
        case .scalar(let s): return s.tag.description
        case .mapping(let m): return m.tag.description
        case .sequence(let s): return s.tag.description
        }
    }

    /// YAML 1.1's plain-scalar types as CloudFormation reads them; dates (`2010-09-09`) stay strings.
    static func resolvePlain(_ s: String) -> TemplateValue {
        switch s {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        default: break
        }
        if s.range(of: #"^[-+]?(0|[1-9][0-9_]*)$"#, options: .regularExpression) != nil {
            return .number(s.hasPrefix("+") ? String(s.dropFirst()) : s)
        }
        if s.range(of: #"^[-+]?([0-9][0-9_]*)?\.[0-9]+([eE][-+]?[0-9]+)?$|^[-+]?[0-9]+[eE][-+]?[0-9]+$"#, options: .regularExpression) != nil {
            return .number(s)
        }
        return .string(s)
    }
}
