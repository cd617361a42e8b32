import AWSWire

/// Parameter names: the rules PutParameter checks, ARNs, the `name:version` / `name:label` selectors reads accept,
/// and the reserved `/aws/` namespace of public parameters.
enum ParameterName {
    static let maxDepth = 15

    /// AWS drops spaces at either end of a name before anything else.
    static func trimmed(_ raw: String) -> String {
        var s = Substring(raw)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }

    /// True for names under AWS's public namespace (`/aws/service/...`), which no account may write.
    static func isPublic(_ name: String) -> Bool { name.lowercased().hasPrefix("/aws/") }

    /// Checks a name PutParameter (or another write) is given, in AWS's order: the reserved `/aws/` namespace,
    /// the characters, the `aws`/`ssm` prefix, the leading slash of a path, the depth.
    static func validateForWrite(_ name: String) throws(AWSError) {
        if name.count > 2048 {
            throw SSMErrors.constraint("name", name, "Member must have length less than or equal to 2048")
        }
        if isPublic(name) && name.dropFirst().contains("/") { throw SSMErrors.reservedName(name) }
        let allowed = name.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
                || b == 0x5F || b == 0x2E || b == 0x2D || b == 0x2F
        }
        guard allowed, !name.isEmpty else { throw SSMErrors.badName }
        let bare = name.hasPrefix("/") ? name.dropFirst() : Substring(name)
        if bare.lowercased().hasPrefix("aws") || bare.lowercased().hasPrefix("ssm") {
            throw name.contains("/") ? SSMErrors.badName : SSMErrors.reservedPrefix
        }
        if name.contains("/") && !name.hasPrefix("/") { throw SSMErrors.notFullyQualified }
        if name.contains("//") || name.hasSuffix("/") { throw SSMErrors.badName }
        if depth(name) > maxDepth { throw SSMErrors.hierarchyTooDeep }
    }

    /// The number of levels: `/a/b/c` and `a` have 3 and 1.
    static func depth(_ name: String) -> Int { name.split(separator: "/").count }

    /// `arn:aws:ssm:REGION:ACCOUNT:parameter/NAME` (one slash whether or not the name starts with one); public
    /// parameters belong to no account.
    static func arn(_ name: String, region: String, accountId: String) -> String {
        let account = isPublic(name) ? "" : accountId
        return "arn:aws:ssm:\(region):\(account):parameter" + (name.hasPrefix("/") ? name : "/" + name)
    }

    /// A name as a read names it: the plain name (an ARN is reduced to it, tried with and without the leading
    /// slash the ARN drops) and the selector after `:` (a version number or a label), if any.
    struct Reference {
        var candidates: [String]
        var selector: String?
        /// The name as it appears in answers (GetParameters' InvalidParameters repeat the caller's text instead).
        var name: String { candidates[0] }
    }

    static func reference(_ raw: String) -> Reference {
        var text = trimmed(raw)
        let fromArn = text.hasPrefix("arn:")
        if fromArn {
            // arn:PARTITION:ssm:REGION:ACCOUNT:parameter/NAME[:SELECTOR]
            let parts = text.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
            let resource = parts.count == 6 ? String(parts[5]) : ""
            text = resource.hasPrefix("parameter/") ? String(resource.dropFirst("parameter".count)) : resource
        }
        var selector: String?
        if let colon = text.firstIndex(of: ":") {
            selector = String(text[text.index(after: colon)...])
            text = String(text[..<colon])
        }
        return Reference(candidates: fromArn ? [text, String(text.dropFirst())] : [text], selector: selector)
    }
}
