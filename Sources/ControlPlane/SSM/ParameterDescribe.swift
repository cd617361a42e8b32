import AWSWire
import CloudModel

/// DescribeParameters: the account's own parameters (never the public ones), metadata only, sorted by name.
extension SSMService {
    func describeParameters(_ i: SSMInput, _ ctx: RequestContext) throws -> [String: Any] {
        let filters = try ParameterFilter.parse(i, byPath: false)
        let limit = try Self.maxResults(i, limit: 50)
        let after = try Self.name(fromToken: try i.string("NextToken"))
        let matching = store.snapshot().ssmParameters.values
            .filter { p in (after.map { p.name > $0 } ?? true) && filters.allSatisfy { $0.matches(p) } }
            .sorted { $0.name < $1.name }
        let page = matching.prefix(limit)
        var out: [String: Any] = ["Parameters": page.map { metadataJSON($0.name, $0.latest, ctx) }]
        if matching.count > page.count, let last = page.last { out["NextToken"] = Self.token(after: last.name) }
        return out
    }
}
