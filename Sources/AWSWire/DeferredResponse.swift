/// A response known only once work elsewhere finished (a small PUT waiting for its commit): the transport calls
/// `start` once with where to deliver the final response, which may be called from any thread.
public struct DeferredResponse: Sendable {
    public let start: @Sendable (_ deliver: @escaping @Sendable (WireResponse) -> Void) -> Void

    public init(_ start: @escaping @Sendable (_ deliver: @escaping @Sendable (WireResponse) -> Void) -> Void) {
        self.start = start
    }

    /// The same deferred response, changed by `transform` once it is known.
    public func map(_ transform: @escaping @Sendable (WireResponse) -> WireResponse) -> DeferredResponse {
        let start = self.start
        return DeferredResponse { deliver in start { deliver(transform($0)) } }
    }
}
