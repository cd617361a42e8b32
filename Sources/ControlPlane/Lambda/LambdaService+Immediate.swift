import AWSWire

extension LambdaService {
    /// The operations answered synchronously from the in-memory state (the router runs them on the event loop);
    /// nil for every other request, which goes through `handle(_:context:)`.
    public func handleImmediately(_ request: WireRequest, context ctx: RequestContext) throws -> WireResponse? {
        guard request.method == "GET", let call = try? call(for: request, ctx),
              case .immediate(let run) = call.operation.handler else { return nil }
        try authorize(call)
        return try run(self, call)
    }
}
