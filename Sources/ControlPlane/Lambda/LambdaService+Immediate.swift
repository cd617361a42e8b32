import AWSWire

extension LambdaService {
    /// The read operations, answered synchronously from the in-memory state (the router runs them on the event
    /// loop); nil for every other route, which goes through `handle(_:context:)`.
    public func handleImmediately(_ request: WireRequest, context ctx: RequestContext) throws -> WireResponse? {
        guard request.method == "GET", let route = LambdaRoute.match(method: request.method, rawPath: request.rawPath) else {
            return nil
        }
        let q = LambdaQuery(request.queryItems)
        switch route {
        case .listFunctions, .getFunction, .getConfiguration, .listVersions, .listAliases, .getAlias, .listTags, .accountSettings:
            try authorizeRoute(route, q, ctx)
        default: return nil
        }
        switch route {
        case .listFunctions: return try listFunctions(q, ctx)
        case .getFunction(let n): return try getFunction(n, q, request, ctx)
        case .getConfiguration(let n): return try getConfiguration(n, q, ctx)
        case .listVersions(let n): return try listVersions(n, q, ctx)
        case .listAliases(let n): return try listAliases(n, q, ctx)
        case .getAlias(let n, let a): return try getAlias(n, a, ctx)
        case .listTags(let r): return try listTags(r, ctx)
        case .accountSettings: return accountSettings(ctx)
        default: return nil
        }
    }
}
