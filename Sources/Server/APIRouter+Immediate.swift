import AWSWire

extension APIRouter {
    /// Requests answered on the event loop: the health check (the HTTP floor of the benchmarks).
    public func respondImmediately(to request: WireRequest) -> WireResponse? {
        if request.method == "GET" && request.rawPath == "/_lambda-vpc/health" { return internalRoute(request) }
        return nil
    }
}
