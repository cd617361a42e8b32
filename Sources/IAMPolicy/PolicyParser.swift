/// Turns policy JSON into a `PolicyDocument`, refusing what IAM refuses with IAM's message.
struct PolicyParser {
    let kind: PolicyKind

    static let topLevelKeys: Set<String> = ["Version", "Id", "Statement"]
    static let statementKeys: Set<String> = [
        "Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal", "NotPrincipal", "Condition",
    ]
    static let principalTypes: Set<String> = ["AWS", "Service", "Federated", "CanonicalUser"]

    func parse(_ text: String) throws(PolicyError) -> PolicyDocument {
        let root: PolicyJSONNode
        do { root = try PolicyJSONReader.parse(text) } catch { throw PolicyError(PolicyMessages.invalidJSON) }
        guard case .object(let members) = root.value else { throw PolicyError(PolicyMessages.syntaxErrors) }
        var version: PolicyVersion?
        var id: String?
        var statementNode: PolicyJSONNode?
        for (k, v) in members {
            guard Self.topLevelKeys.contains(k) else { throw PolicyError(PolicyMessages.syntaxErrors) }
            switch k {
            case "Version":
                guard case .string(let s) = v.value, let ver = PolicyVersion(rawValue: s) else {
                    throw PolicyError(PolicyMessages.invalidVersion)
                }
                version = ver
            case "Id":
                guard case .string(let s) = v.value else { throw PolicyError(PolicyMessages.syntaxErrors) }
                id = s
            default:
                statementNode = v
            }
        }
        guard let statementNode else { throw PolicyError(PolicyMessages.missingStatement) }
        let nodes: [PolicyJSONNode]
        switch statementNode.value {
        case .object: nodes = [statementNode]
        case .array(let items): nodes = items
        default: throw PolicyError(PolicyMessages.syntaxErrors)
        }
        guard !nodes.isEmpty else { throw PolicyError(PolicyMessages.emptyStatement) }
        var statements: [PolicyStatement] = []
        var sids: Set<String> = []
        for n in nodes {
            let st = try statement(n)
            if let sid = st.sid, !sid.isEmpty {
                guard sids.insert(sid).inserted else { throw PolicyError(PolicyMessages.duplicateSid) }
            }
            statements.append(st)
        }
        return PolicyDocument(version: version, id: id, statements: statements)
    }

    private func statement(_ node: PolicyJSONNode) throws(PolicyError) -> PolicyStatement {
        guard case .object(let members) = node.value else { throw PolicyError(PolicyMessages.syntaxErrors) }
        var fields: [String: PolicyJSONNode] = [:]
        for (k, v) in members {
            guard Self.statementKeys.contains(k) else { throw PolicyError(PolicyMessages.syntaxErrors) }
            fields[k] = v
        }
        var sid: String?
        if let s = fields["Sid"] {
            guard case .string(let text) = s.value else { throw PolicyError(PolicyMessages.syntaxErrors) }
            if kind == .identity {
                guard text.utf8.allSatisfy({ isAlnum($0) }) else { throw PolicyError(PolicyMessages.sidAlphanumeric) }
            }
            sid = text
        }
        guard let effectNode = fields["Effect"] else { throw PolicyError(PolicyMessages.missingEffect) }
        guard case .string(let effectText) = effectNode.value, let effect = PolicyEffect(rawValue: effectText) else {
            throw PolicyError(PolicyMessages.invalidEffect)
        }
        let action = try actionList(fields)
        let resource = try resourceList(fields)
        let (principal, principals) = try principalList(fields)
        let conditions = try conditionList(fields["Condition"])
        return PolicyStatement(sid: sid, effect: effect, action: action, resource: resource, principal: principal,
                               principals: principals, conditions: conditions, start: node.start, end: node.end)
    }

    private func isAlnum(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
    }

    private func actionList(_ f: [String: PolicyJSONNode]) throws(PolicyError) -> PolicyList {
        if f["Action"] != nil && f["NotAction"] != nil { throw PolicyError(PolicyMessages.syntaxErrors) }
        guard let node = f["Action"] ?? f["NotAction"] else { throw PolicyError(PolicyMessages.mustContainActions) }
        let values = try strings(node)
        guard !values.isEmpty else { throw PolicyError(PolicyMessages.mustContainActions) }
        for a in values where a != "*" {
            let colons = a.utf8.reduce(0) { $0 + ($1 == UInt8(ascii: ":") ? 1 : 0) }
            if colons == 0 { throw PolicyError(PolicyMessages.vendorPrefix) }
            if colons > 1 { throw PolicyError(PolicyMessages.oneColon) }
            if a.hasPrefix(":") { throw PolicyError(PolicyMessages.vendorPrefix) }
        }
        return PolicyList(negated: f["NotAction"] != nil, values: values)
    }

    private func resourceList(_ f: [String: PolicyJSONNode]) throws(PolicyError) -> PolicyList? {
        let node = f["Resource"] ?? f["NotResource"]
        if kind == .trust {
            if node != nil { throw PolicyError(PolicyMessages.prohibitedResource) }
            return nil
        }
        if f["Resource"] != nil && f["NotResource"] != nil { throw PolicyError(PolicyMessages.syntaxErrors) }
        guard let node else { throw PolicyError(PolicyMessages.mustContainResources) }
        let values = try strings(node)
        guard !values.isEmpty else { throw PolicyError(PolicyMessages.mustContainResources) }
        return PolicyList(negated: f["NotResource"] != nil, values: values)
    }

    private func principalList(_ f: [String: PolicyJSONNode]) throws(PolicyError) -> (PolicyList?, [PolicyPrincipal]) {
        let node = f["Principal"] ?? f["NotPrincipal"]
        if kind == .identity {
            if node != nil { throw PolicyError(PolicyMessages.shouldNotSpecifyPrincipal) }
            return (nil, [])
        }
        if f["Principal"] != nil && f["NotPrincipal"] != nil { throw PolicyError(PolicyMessages.syntaxErrors) }
        guard let node else { throw PolicyError(PolicyMessages.missingPrincipal) }
        var entries: [PolicyPrincipal] = []
        switch node.value {
        case .string("*"):
            entries = [PolicyPrincipal(type: "AWS", identifier: "*")]
        case .object(let members):
            for (type, v) in members {
                guard Self.principalTypes.contains(type) else { throw PolicyError(PolicyMessages.syntaxErrors) }
                for id in try strings(v) {
                    if type == "AWS" && !Self.validAWSPrincipal(id) {
                        throw PolicyError(PolicyMessages.invalidPrincipal(type, id))
                    }
                    entries.append(PolicyPrincipal(type: type, identifier: id))
                }
            }
        default:
            throw PolicyError(PolicyMessages.syntaxErrors)
        }
        guard !entries.isEmpty else { throw PolicyError(PolicyMessages.syntaxErrors) }
        return (PolicyList(negated: f["NotPrincipal"] != nil, values: entries.map { "\($0.type):\($0.identifier)" }), entries)
    }

    /// `*`, a 12-digit account id or an IAM ARN (`arn:aws:iam::123456789012:root|user/..|role/..`).
    static func validAWSPrincipal(_ id: String) -> Bool {
        if id == "*" { return true }
        if id.count == 12, id.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) { return true }
        let parts = id.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        return parts.count == 6 && parts[0] == "arn" && parts[2] == "iam" && parts[3].isEmpty && !parts[5].isEmpty
    }

    private func conditionList(_ node: PolicyJSONNode?) throws(PolicyError) -> [PolicyCondition] {
        guard let node else { return [] }
        guard case .object(let ops) = node.value else { throw PolicyError(PolicyMessages.syntaxErrors) }
        var out: [PolicyCondition] = []
        for (opName, block) in ops {
            guard let op = ConditionOperator(opName) else { throw PolicyError(PolicyMessages.invalidConditionOperator) }
            guard case .object(let keys) = block.value else { throw PolicyError(PolicyMessages.syntaxErrors) }
            for (key, valueNode) in keys {
                guard let colon = key.firstIndex(of: ":"), colon != key.startIndex else {
                    throw PolicyError(PolicyMessages.vendorPrefix)
                }
                let values = try scalars(valueNode)
                guard !values.isEmpty else { throw PolicyError(PolicyMessages.syntaxErrors) }
                out.append(PolicyCondition(op: op, key: key, values: values))
            }
        }
        return out
    }

    /// A string or an array of strings.
    private func strings(_ node: PolicyJSONNode) throws(PolicyError) -> [String] {
        switch node.value {
        case .string(let s): return [s]
        case .array(let items):
            var out: [String] = []
            for item in items {
                guard case .string(let s) = item.value else { throw PolicyError(PolicyMessages.syntaxErrors) }
                out.append(s)
            }
            return out
        default: throw PolicyError(PolicyMessages.syntaxErrors)
        }
    }

    /// Condition values: strings, numbers and booleans (as their text), alone or in an array.
    private func scalars(_ node: PolicyJSONNode) throws(PolicyError) -> [String] {
        func one(_ v: PolicyJSONValue) throws(PolicyError) -> String {
            switch v {
            case .string(let s), .number(let s): return s
            case .bool(let b): return b ? "true" : "false"
            default: throw PolicyError(PolicyMessages.syntaxErrors)
            }
        }
        if case .array(let items) = node.value {
            var out: [String] = []
            for item in items { out.append(try one(item.value)) }
            return out
        }
        return [try one(node.value)]
    }
}
