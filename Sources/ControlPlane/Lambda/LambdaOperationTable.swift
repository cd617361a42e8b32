import AWSWire

/// One row of Lambda's operation table: how a request is recognised (method and path as botocore's model maps them),
/// how it is authorized before any handler runs, where it runs, and its handler. Routing, authorization, event-loop
/// placement and the documented operation list all read the table (`LambdaOperations.table`).
struct LambdaOperation: Sendable {
    /// A path segment of the request URI: literal, or one of the URI's labels.
    enum Segment: Sendable, Equatable {
        case literal(String)
        /// `{FunctionName}`
        case function
        /// `{Name}` of an alias, `{StatementId}`, ...: a second label after the function.
        case name
        /// `{Resource}` (tags), `{CodeSigningConfigArn}`: an ARN.
        case resource
        /// `{LayerName}`: a layer's name or ARN.
        case layer
        /// `{VersionNumber}` of a layer.
        case version
    }

    /// What the operation is authorized on before its handler runs.
    enum Authorization: Sendable {
        /// The action on `*` (account-level operations).
        case account
        /// The action on the function's ARN; `qualified`: with the request's `Qualifier`, as Lambda authorizes it.
        case function(qualified: Bool)
        /// The action on the `{Resource}` ARN (tag operations); `tagKeys`: with `aws:TagKeys` from the query.
        case resource(tagKeys: Bool)
        /// The action on the `{LayerName}` ARN, with `:{VersionNumber}` when `versioned`.
        case layer(versioned: Bool)
        /// Authorized by the handler once the body is read (its condition keys come from the body); the handler
        /// must call `authorizeConfiguration` or `ctx.authorize` before any change.
        case inHandler
    }

    /// A read answered at once from memory (on the event loop, no task hop) or an operation that runs on a task.
    enum Handler: Sendable {
        case immediate(@Sendable (LambdaService, LambdaCall) throws -> WireResponse)
        case task(@Sendable (LambdaService, LambdaCall) async throws -> WireResponse)
    }

    /// The name in botocore's model.
    let name: String
    let method: String
    let path: [Segment]
    /// A query item the URI fixes (`?List=ALL` tells ListProvisionedConcurrencyConfigs from the Get on its path).
    let requiredQuery: (name: String, value: String)?
    /// The IAM action; `lambda:` + name unless it differs (Invoke is `lambda:InvokeFunction`).
    let action: String
    let authorization: Authorization
    /// A synchronous Invoke waits on an execution environment whose I/O runs on the same event loops: its task
    /// runs there too (see `APIRouter.runsOnEventLoop`).
    let waitsOnEventLoop: Bool
    let handler: Handler

    init(_ name: String, _ method: String, _ path: String, action: String? = nil, _ authorization: Authorization,
         waitsOnEventLoop: Bool = false, _ handler: Handler) {
        self.name = name
        self.method = method
        let parts = path.split(separator: "?", maxSplits: 1)
        self.path = parts[0].split(separator: "/").map { part in
            switch part {
            case "{FunctionName}": return .function
            case "{Name}", "{StatementId}": return .name
            case "{Resource}", "{CodeSigningConfigArn}": return .resource
            case "{LayerName}": return .layer
            case "{VersionNumber}": return .version
            default: return .literal(String(part))
            }
        }
        requiredQuery = parts.count == 2 ? parts[1].split(separator: "=", maxSplits: 1).map(String.init).pairOrNil : nil
        self.action = action ?? "lambda:" + name
        self.authorization = authorization
        self.waitsOnEventLoop = waitsOnEventLoop
        self.handler = handler
    }

    var isImmediate: Bool { if case .immediate = handler { return true } else { return false } }
}

/// One request matched to its operation, with the URI's labels decoded.
struct LambdaCall: Sendable {
    let operation: LambdaOperation
    let request: WireRequest
    let query: LambdaQuery
    let context: RequestContext
    /// `{FunctionName}`, `{Name}`, `{Resource}`, `{LayerName}`, `{VersionNumber}` (empty when the path has none).
    let labels: LambdaOperations.Labels
    var function: String { labels.function }
    var name: String { labels.name }
    var resource: String { labels.resource }
    var layer: String { labels.layer }
    var version: String { labels.version }

    /// The JSON body (an empty body reads as `{}`).
    func body() throws -> JSONBody { try JSONBody(request.body) }
}

extension LambdaOperations {
    /// The operation for a method and raw path (and the query, read only for a row that fixes a query item), with
    /// its labels. Path segments are percent-decoded one by one, so an
    /// encoded ARN (`arn%3Aaws%3A…`) stays one segment; a trailing slash only matches where Lambda's own routing
    /// ignores it (the collection `functions/`).
    /// The URI's labels of one request.
    struct Labels: Sendable {
        var function = "", name = "", resource = "", layer = "", version = ""
    }

    static func match(method: String, rawPath: String, query: @autoclosure () -> [(String, String)] = [])
        -> (LambdaOperation, Labels)? {
        var segs = rawPath.split(separator: "/", omittingEmptySubsequences: true).map {
            // Foundation's decoder only when there is something to decode (every Invoke passes here).
            $0.utf8.contains(UInt8(ascii: "%")) ? String($0).removingPercentEncoding ?? String($0) : String($0)
        }
        if rawPath.hasSuffix("/") && segs.count > 0 && segs.count != 2 { segs.append("") }
        guard let candidates = byShape[Shape(method: method, count: segs.count, first: segs.first ?? "")] else { return nil }
        outer: for op in candidates {
            if let (k, v) = op.requiredQuery, !query().contains(where: { $0.0 == k && $0.1 == v }) { continue }
            var labels = Labels()
            for (pattern, seg) in zip(op.path, segs) {
                switch pattern {
                case .literal(let l): if l != seg { continue outer }
                case .function: labels.function = seg
                case .name: labels.name = seg
                case .resource: labels.resource = seg
                case .layer: labels.layer = seg
                case .version: labels.version = seg
                }
            }
            return (op, labels)
        }
        return nil
    }

    private struct Shape: Hashable {
        var method: String
        var count: Int
        var first: String
    }

    /// The table indexed by method, segment count and API version (the first segment), so a match compares a few
    /// rows only.
    private static let byShape: [Shape: [LambdaOperation]] = {
        var index: [Shape: [LambdaOperation]] = [:]
        for op in table {
            guard case .literal(let first) = op.path.first else { continue }
            index[Shape(method: op.method, count: op.path.count, first: first), default: []].append(op)
        }
        // A row whose URI fixes a query item is tried before the one on the same path without it.
        return index.mapValues { ops in ops.filter { $0.requiredQuery != nil } + ops.filter { $0.requiredQuery == nil } }
    }()
}

extension LambdaOperations {
    /// Whether a method and raw path have the shape of a row that waits on the event loop (a synchronous Invoke),
    /// read from the path's bytes: every POST to Lambda asks this before its task starts, and building the
    /// segments as `match` does costs as much again as the routing itself. A literal sent percent-encoded reads as
    /// "no", which only moves that request to the concurrency pool.
    static func hasWaitingShape(method: String, rawPath: String) -> Bool {
        waitingShapes.contains { shape in
            guard shape.method == method else { return false }
            var segments = rawPath.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true).makeIterator()
            for expected in shape.segments {
                guard let seg = segments.next() else { return false }
                if let literal = expected, !seg.elementsEqual(literal) { return false }
            }
            return segments.next() == nil && !(rawPath.utf8.last == UInt8(ascii: "/"))
        }
    }

    /// A waiting row's method and path: each segment's literal bytes, nil for a label.
    private struct PathShape: Sendable {
        var method: String
        var segments: [[UInt8]?]
    }

    private static let waitingShapes: [PathShape] = table.filter(\.waitsOnEventLoop).map { op in
        PathShape(method: op.method, segments: op.path.map { if case .literal(let l) = $0 { Array(l.utf8) } else { nil } })
    }
}

private extension Array where Element == String {
    /// `[name, value]` as a pair.
    var pairOrNil: (name: String, value: String)? { count == 2 ? (self[0], self[1]) : nil }
}
