import AWSWire
import CloudModel

/// GetParameter, GetParameters, GetParametersByPath and GetParameterHistory: reads of one snapshot.
extension SSMService {
    func getParameter(_ i: SSMInput, _ ctx: RequestContext) throws -> [String: Any] {
        let ref = ParameterName.reference(try i.required("Name", member: "name"))
        let decrypt = try i.bool("WithDecryption") ?? false
        guard let p = find(ref, in: store.snapshot()) else { throw SSMErrors.parameterNotFound }
        let v = try select(p, ref.selector)
        return ["Parameter": parameterJSON(p.name, v, decrypt: decrypt, selector: ref.selector, ctx)]
    }

    /// Unknown names (and selectors naming no version) come back in `InvalidParameters`, not as an error.
    func getParameters(_ i: SSMInput, _ ctx: RequestContext) throws -> [String: Any] {
        guard let names = try i.strings("Names") else { throw SSMErrors.missing("names") }
        try Self.checkNameList(names)
        let decrypt = try i.bool("WithDecryption") ?? false
        let s = store.snapshot()
        var found: [[String: Any]] = [], invalid: [String] = [], seen: Set<String> = []
        for raw in names where seen.insert(raw).inserted {
            let ref = ParameterName.reference(raw)
            if let p = find(ref, in: s), let v = try? select(p, ref.selector) {
                found.append(parameterJSON(p.name, v, decrypt: decrypt, selector: ref.selector, ctx))
            } else {
                invalid.append(raw)
            }
        }
        return ["Parameters": found, "InvalidParameters": invalid]
    }

    static func checkNameList(_ names: [String]) throws(AWSError) {
        if names.isEmpty || names.count > 10 {
            throw SSMErrors.constraint("names", "[" + names.joined(separator: ", ") + "]",
                                       "Member must have length " + (names.isEmpty ? "greater than or equal to 1" : "less than or equal to 10"))
        }
    }

    func getParametersByPath(_ i: SSMInput, _ ctx: RequestContext) throws -> [String: Any] {
        let path = ParameterName.trimmed(try i.required("Path", member: "path"))
        try ParameterFilter.checkPath(path)
        let recursive = try i.bool("Recursive") ?? false
        let filters = try ParameterFilter.parse(i, byPath: true)
        let decrypt = try i.bool("WithDecryption") ?? false
        let limit = try Self.maxResults(i, limit: 10)
        let after = try Self.name(fromToken: try i.string("NextToken"))
        let prefix = path.hasSuffix("/") ? path : path + "/"
        let candidates = ParameterName.isPublic(prefix) ? PublicParameters.sorted
            : store.snapshot().ssmParameters.values.sorted { $0.name < $1.name }
        let matching = candidates.filter { p in
            p.name.hasPrefix(prefix) && (recursive || !p.name.dropFirst(prefix.count).contains("/"))
                && (after.map { p.name > $0 } ?? true) && filters.allSatisfy { $0.matches(p) }
        }
        let page = matching.prefix(limit)
        var out: [String: Any] = ["Parameters": page.map { parameterJSON($0.name, $0.latest, decrypt: decrypt, selector: nil, ctx) }]
        if matching.count > page.count, let last = page.last { out["NextToken"] = Self.token(after: last.name) }
        return out
    }

    /// Versions oldest first; the token is the next version's index.
    func getParameterHistory(_ i: SSMInput, _ ctx: RequestContext) throws -> [String: Any] {
        let ref = ParameterName.reference(try i.required("Name", member: "name"))
        let decrypt = try i.bool("WithDecryption") ?? false
        let limit = try Self.maxResults(i, limit: 50)
        let token = try i.string("NextToken")
        let start: Int
        if let token {
            guard let n = Int(token), n >= 0 else { throw SSMErrors.invalidNextToken }
            start = n
        } else {
            start = 0
        }
        guard let p = find(ref, in: store.snapshot()) else { throw SSMErrors.parameterNotFound }
        let page = p.versions.dropFirst(start).prefix(limit)
        var out: [String: Any] = ["Parameters": page.map { v -> [String: Any] in
            var d = metadataJSON(p.name, v, ctx)
            d["ARN"] = nil
            d["Value"] = Self.shownValue(p.name, v, decrypt: decrypt)
            d["Labels"] = v.labels
            return d
        }]
        if start + page.count < p.versions.count { out["NextToken"] = String(start + page.count) }
        return out
    }
}
