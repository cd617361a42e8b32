/// The parameters of a Query-protocol request (EC2, IAM, STS), with the flattened-list conventions
/// (`SubnetId.1`, `Filter.1.Value.2`, `IpPermissions.1.Groups.1.GroupId`) made easy to read.
public struct QueryParameters: Sendable {
    public private(set) var values: [String: String]

    public init(_ values: [String: String]) { self.values = values }

    /// Parses a form body merged over the URL query (the body wins, as AWS reads POST bodies).
    /// The query is read form-style too (`+` is a space): the Query protocol is a form either way, and SDKs
    /// always escape a real plus as `%2B`.
    public init(request: WireRequest) {
        var v: [String: String] = [:]
        for (k, val) in FormDecoding.pairs(request.rawQuery, plusIsSpace: true) { v[k] = val }
        let ct = request.header("content-type") ?? ""
        if request.method != "GET", ct.isEmpty || ct.lowercased().hasPrefix("application/x-www-form-urlencoded") {
            for (k, val) in FormDecoding.pairs(String(decoding: request.body, as: UTF8.self), plusIsSpace: true) { v[k] = val }
        }
        self.values = v
    }

    public subscript(_ key: String) -> String? { values[key] }

    /// Members `Prefix.1`, `Prefix.2`, ... in index order; stops at the first gap as botocore never leaves one.
    public func list(_ prefix: String) -> [String] {
        var out: [String] = []
        var i = 1
        while let v = values["\(prefix).\(i)"] { out.append(v); i += 1 }
        return out
    }

    /// Structures `Prefix.N.*` as nested parameter sets (`Prefix.1.Name` becomes `Name` in the first).
    public func structures(_ prefix: String) -> [QueryParameters] {
        var byIndex: [Int: [String: String]] = [:]
        let p = prefix + "."
        for (k, v) in values where k.hasPrefix(p) {
            let rest = k.dropFirst(p.count)
            guard let dot = rest.firstIndex(of: "."), let idx = Int(rest[rest.startIndex..<dot]) else { continue }
            byIndex[idx, default: [:]][String(rest[rest.index(after: dot)...])] = v
        }
        return byIndex.keys.sorted().map { QueryParameters(byIndex[$0]!) }
    }

    /// The members of one (unindexed) structure `Prefix.*` (`Prefix.Name` becomes `Name`).
    public func structure(_ prefix: String) -> QueryParameters {
        let p = prefix + "."
        var out: [String: String] = [:]
        for (k, v) in values where k.hasPrefix(p) { out[String(k.dropFirst(p.count))] = v }
        return QueryParameters(out)
    }

    /// `Filter.N.Name` / `Filter.N.Value.M`.
    public func filters() -> [(name: String, values: [String])] {
        structures("Filter").compactMap { s in s["Name"].map { ($0, s.list("Value")) } }
    }

    /// True when any parameter starts with `prefix.` (to tell "absent" from "empty").
    public func has(prefix: String) -> Bool {
        let p = prefix + "."
        return values.keys.contains { $0 == prefix || $0.hasPrefix(p) }
    }
}
