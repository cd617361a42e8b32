import AWSWire
import CloudModel

/// One `ParameterStringFilter` (DescribeParameters, GetParametersByPath) or deprecated `ParametersFilter`, checked as
/// AWS checks them (which keys each operation takes, which options each key takes) and matched against a parameter's
/// latest version.
struct ParameterFilter {
    var key: String
    var option: String
    var values: [String]

    static let describeKeys = "[Path, Name, Type, KeyId, Tier]"
    static let byPathKeys = "[Type, KeyId, Label]"

    static func parse(_ i: SSMInput, byPath: Bool) throws(AWSError) -> [ParameterFilter] {
        var out: [ParameterFilter] = []
        for (n, f) in (try i.objects("ParameterFilters") ?? []).enumerated() {
            let key = try f.required("Key", member: "parameterFilters.\(n + 1).member.key")
            let values = try f.strings("Values") ?? []
            let option = try f.string("Option") ?? (key == "Path" ? "OneLevel" : "Equals")
            let knownKey = key.hasPrefix("tag:") && key.count > 4 || ["Name", "Type", "KeyId", "Path", "Label", "Tier", "DataType"].contains(key)
            if !knownKey || key.count > 132 {
                throw SSMErrors.constraint("parameterFilters.\(n + 1).member.key", key,
                                           "Member must satisfy regular expression pattern: tag:.+|Name|Type|KeyId|Path|Label|Tier|DataType")
            }
            if byPath && !["Type", "KeyId", "Label"].contains(key) {
                throw SSMErrors.invalidFilterKey("The following filter key is not valid: \(key). Valid filter keys include: \(byPathKeys).")
            }
            if !byPath && key == "Label" {
                throw SSMErrors.invalidFilterKey("The following filter key is not valid: Label. Valid filter keys include: \(describeKeys).")
            }
            if out.contains(where: { $0.key == key }) {
                throw SSMErrors.invalidFilterKey("The following filter is duplicated in the request: \(key). A request can contain only one occurrence of a specific filter.")
            }
            if values.isEmpty && !key.hasPrefix("tag:") {
                throw SSMErrors.invalidFilterValue("The following filter values are missing : null for filter key \(key).")
            }
            let options: [String]
            switch key {
            case "Path": options = ["Recursive", "OneLevel"]
            case "Name": options = ["BeginsWith", "Equals", "Contains"]
            case "Label": options = ["Equals"]
            default: options = ["BeginsWith", "Equals"]
            }
            if !options.contains(option) {
                throw SSMErrors.invalidFilterOption("The following filter option is not valid: \(option). Valid options include: [\(options.joined(separator: ", "))].")
            }
            if key == "Type", let bad = values.first(where: { !["String", "StringList", "SecureString"].contains($0) }) {
                throw SSMErrors.invalidFilterValue("The following filter value is not valid: \(bad). Valid values include: [String, StringList, SecureString].")
            }
            if key == "Tier", let bad = values.first(where: { !["Standard", "Advanced", "Intelligent-Tiering"].contains($0) }) {
                throw SSMErrors.invalidFilterValue("The following filter value is not valid: \(bad). Valid values include: [Standard, Advanced, Intelligent-Tiering].")
            }
            if key == "Path" { for v in values { try checkPath(v) } }
            out.append(ParameterFilter(key: key, option: option, values: values))
        }
        if !byPath {
            // The deprecated `Filters`: Name (BeginsWith), Type and KeyId (Equals).
            for f in try i.objects("Filters") ?? [] {
                let key = try f.required("Key", member: "filters.member.key")
                guard ["Name", "Type", "KeyId"].contains(key) else {
                    throw SSMErrors.constraint("filters.1.member.key", key, "Member must satisfy enum value set: [Name, Type, KeyId]")
                }
                out.append(ParameterFilter(key: key, option: key == "Name" ? "BeginsWith" : "Equals", values: try f.strings("Values") ?? []))
            }
        }
        return out
    }

    /// A hierarchy path: starts with `/`, letters, digits, `.-_/`, no empty level.
    static func checkPath(_ path: String) throws(AWSError) {
        let allowed = path.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F || b == 0x2E || b == 0x2D || b == 0x2F
        }
        if !path.hasPrefix("/") || path.contains("//") || !allowed {
            throw SSMErrors.validation("The parameter doesn't meet the parameter name requirements. The parameter name must begin with a "
                + "forward slash \"/\". It can't be prefixed with \"aws\" or \"ssm\" (case-insensitive). It must use only letters, numbers, "
                + "or the following symbols: . (period), - (hyphen), _ (underscore). Special characters are not allowed. All sub-paths, "
                + "if specified, must use the forward slash symbol \"/\". Valid example: /get/parameters2-/by1./path0_.")
        }
        if ParameterName.depth(path) > ParameterName.maxDepth { throw SSMErrors.hierarchyTooDeep }
    }

    func matches(_ p: SSMParameter) -> Bool {
        let v = p.latest
        let subject: String?
        switch key {
        case "Name":
            // Names compare with a leading slash, so `foo` and `/foo` find each other as on AWS.
            let name = "/" + p.name.drop { $0 == "/" }
            let wanted = option == "Contains" ? values : values.map { "/" + $0.drop { $0 == "/" } }
            return wanted.contains { option == "Contains" ? name.contains($0) : option == "Equals" ? name == $0 : name.hasPrefix($0) }
        case "Path":
            let name = "/" + p.name.drop { $0 == "/" }
            return values.contains { value in
                let base = value.hasSuffix("/") ? value : value + "/"
                guard name.hasPrefix(base) else { return false }
                return option == "Recursive" || !name.dropFirst(base.count).contains("/")
            }
        case "Label": return p.versions.contains { !Set($0.labels).isDisjoint(with: values) }
        case "Type": subject = v.type
        case "KeyId": subject = v.keyId
        case "Tier": subject = v.tier
        case "DataType": subject = v.dataType
        default:
            let tag = String(key.dropFirst(4))
            guard let value = p.tags[tag] else { return false }
            return values.isEmpty || values.contains { option == "BeginsWith" ? value.hasPrefix($0) : value == $0 }
        }
        guard let subject else { return false }
        return values.contains { option == "BeginsWith" ? subject.hasPrefix($0) : subject == $0 }
    }
}
