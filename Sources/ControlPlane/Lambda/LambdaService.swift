import AWSWire
import CloudModel
import Foundation
import Synchronization

/// Lambda's REST-JSON API (2015-03-31): validates like Lambda, writes the desired state, answers Lambda's JSON.
/// Provisioning (ENIs, Pending → Active) happens in the ENIManager, never in a request.
public final class LambdaService: Sendable {
    public let store: StateStore
    public let accountId: String
    public let region: String
    public let timings: LambdaTimings
    public let activity: InvocationActivity
    let codeStore: any CodeStore
    let invoker: any FunctionInvoker
    /// Checks execution roles at CreateFunction/UpdateFunctionConfiguration; nil with `--skip-role-checks`.
    let roleChecker: Authorizer?
    let json: LambdaJSON
    let index = FunctionIndex()
    let encoded = ConfigurationCache()
    /// Signs and checks the expiring `Code.Location` links (one key for every region's service).
    let codeURLs: CodeURLSigner
    /// Resource policies compiled for NONE function URLs, which are decided without an Authorizer.
    let urlPolicies = PolicyCache(capacity: 1_000)
    /// S3, for code given as `S3Bucket`/`S3Key` (nil: such code is refused as from a missing bucket).
    let codeObjects: (any CodeObjectSource)?

    public init(store: StateStore, accountId: String, region: String, codeStore: any CodeStore,
                timings: LambdaTimings = LambdaTimings(), activity: InvocationActivity = InvocationActivity(),
                invoker: any FunctionInvoker = UnavailableInvoker(), roleChecker: Authorizer? = nil,
                codeURLs: CodeURLSigner = CodeURLSigner(), codeObjects: (any CodeObjectSource)? = nil) {
        self.codeURLs = codeURLs
        self.codeObjects = codeObjects
        self.store = store; self.accountId = accountId; self.region = region; self.codeStore = codeStore
        self.timings = timings; self.activity = activity; self.invoker = invoker; self.roleChecker = roleChecker
        self.json = LambdaJSON(region: region, accountId: accountId)
        store.observe { [index] _ in index.invalidate() }
    }

    /// Answers one Lambda request; errors come back as `AWSError` for the router's Lambda envelope.
    public func handle(_ request: WireRequest, context ctx: RequestContext) async throws -> WireResponse {
        let call = try call(for: request, ctx)
        try authorize(call)
        switch call.operation.handler {
        case .immediate(let run): return try run(self, call)
        case .task(let run): return try await run(self, call)
        }
    }

    /// The request matched to its row of `LambdaOperations.table`.
    func call(for request: WireRequest, _ ctx: RequestContext) throws(AWSError) -> LambdaCall {
        guard let (op, labels) = LambdaOperations.match(method: request.method, rawPath: request.rawPath, query: request.queryItems) else {
            throw LambdaErrors.unknownOperation(request.method, request.rawPath)
        }
        return LambdaCall(operation: op, request: request, query: LambdaQuery(request.queryItems), context: ctx, labels: labels)
    }

    /// True for the requests whose task should run on their connection's event loop: a synchronous Invoke.
    public static func waitsOnEventLoop(_ request: WireRequest) -> Bool {
        LambdaOperations.hasWaitingShape(method: request.method, rawPath: request.rawPath)
            && request.header("x-amz-invocation-type") != "Event"
    }

    /// Every operation's name, in table order (for the docs and `lambda-vpc operations`).
    public static var operationNames: [String] { LambdaOperations.table.map(\.name) }

    /// The stored zip a `Code.Location` link (a presigned S3 URL in Lambda's bucket) asks for; an S3 error when the
    /// link is refused (altered, expired, not ours) or names no stored code; nil when the request is no such link.
    public func codeDownload(_ request: WireRequest, now: Date = Date()) -> Result<[UInt8], AWSError>? {
        guard let sha = CodeURLSigner.digest(inPath: request.rawPath) else { return nil }
        if let refusal = codeURLs.refusal(request, now: now) { return .failure(refusal) }
        guard let zip = try? codeStore.get(sha256Hex: sha) else {
            return .failure(S3Errors.make("NoSuchKey", "The specified key does not exist.", 404))
        }
        return .success(zip)
    }

    // MARK: helpers shared by the operations

    /// Writes a FunctionConfiguration, reusing the bytes encoded for the same revision: GetFunction and
    /// ListFunctions then cost a dictionary lookup and a copy per function.
    func writeConfiguration(_ w: inout JSONWriter, _ c: FunctionConfig, qualifier: String?) {
        let key = c.functionName + "\u{0}" + (qualifier ?? "")
        if let bytes = encoded.lookup(key, revision: c.revisionId) { w.raw(bytes); return }
        var one = JSONWriter(capacity: 1536)
        json.configuration(&one, c, qualifier: qualifier)
        encoded.store(key, revision: c.revisionId, bytes: one.bytes)
        w.raw(one.bytes)
    }

    func respond(_ status: Int, _ ctx: RequestContext, _ body: (inout JSONWriter) -> Void) -> WireResponse {
        var w = JSONWriter(capacity: 2048)
        body(&w)
        return .json(status, w.bytes, requestID: ctx.requestID)
    }

    func empty(_ status: Int, _ ctx: RequestContext) -> WireResponse {
        WireResponse(status: status, headers: [("x-amzn-RequestId", ctx.requestID)])
    }

    /// Parses a function reference and refuses ARNs of another account or region as not found.
    func reference(_ text: String, namespaced: Bool = false) throws(AWSError) -> FunctionReference {
        let ref = try FunctionReference.parse(text, namespaced: namespaced).get()
        if (ref.accountId.map { $0 != accountId } ?? false) || (ref.region.map { $0 != region } ?? false) {
            throw LambdaErrors.functionNotFound(
                "arn:aws:lambda:\(ref.region ?? region):\(ref.accountId ?? accountId):function:\(ref.name)" + (ref.qualifier.map { ":" + $0 } ?? ""))
        }
        return ref
    }

    /// Combines the qualifier in the name with `?Qualifier=` (they must agree).
    func qualifier(_ ref: FunctionReference, _ q: LambdaQuery) throws(AWSError) -> String? {
        let given = q.first("Qualifier")
        if let given, !given.isEmpty {
            if let inName = ref.qualifier, inName != given { throw LambdaErrors.qualifierMismatch }
            return given
        }
        return ref.qualifier
    }

    /// What a qualifier designates: $LATEST, a version, or an alias (resolved to its version).
    struct Resolved {
        var function: LambdaFunction
        var config: FunctionConfig
        /// The qualifier for FunctionArn (nil: unqualified).
        var arnQualifier: String?
        var versionRecordId: String?
    }

    func resolve(_ ref: FunctionReference, qualifier: String?, in s: CloudState) throws(AWSError) -> Resolved {
        guard let f = s.lambdaFunctions[ref.name] else {
            throw LambdaErrors.functionNotFound(json.functionArn(ref.name, qualifier: qualifier))
        }
        guard let q = qualifier else { return Resolved(function: f, config: f.latest, arnQualifier: nil) }
        if q == "$LATEST" { return Resolved(function: f, config: f.latest, arnQualifier: q) }
        if let n = Int(q), let v = s.lambdaVersions[LambdaVersion.id(f.id, n)], String(n) == q {
            return Resolved(function: f, config: v.config, arnQualifier: q, versionRecordId: v.id)
        }
        if let a = s.lambdaAliases[LambdaAlias.id(f.id, q)] {
            if a.functionVersion == "$LATEST" { return Resolved(function: f, config: f.latest, arnQualifier: q) }
            if let n = Int(a.functionVersion), let v = s.lambdaVersions[LambdaVersion.id(f.id, n)] {
                return Resolved(function: f, config: v.config, arnQualifier: q, versionRecordId: v.id)
            }
        }
        throw LambdaErrors.functionNotFound(json.functionArn(ref.name, qualifier: q))
    }

    func checkRevision(_ given: String?, _ current: String) throws(AWSError) {
        if let given, given != current { throw LambdaErrors.revisionMismatch }
    }

    /// Decodes `ZipFile` and checks it is a zip; returns the bytes and digest.
    /// The package a request gives: `ZipFile`, or `S3Bucket`/`S3Key` (+ `S3ObjectVersion`) read from S3 with
    /// Lambda's wording of S3's errors. nil when neither is there.
    func readCode(_ b: JSONBody, _ ctx: RequestContext) throws(AWSError) -> ([UInt8], CodeDigest)? {
        guard b.has("S3Bucket") || b.has("S3Key") || b.has("S3ObjectVersion") else { return try readZip(b) }
        guard let bucket = try b.string("S3Bucket"), let key = try b.string("S3Key") else { throw LambdaErrors.codeSourceRequired }
        guard let codeObjects else { throw LambdaErrors.s3Unsupported }
        let object: (bytes: [UInt8], region: String)
        do {
            object = try codeObjects.codeObject(bucket: bucket, key: key, versionId: try b.string("S3ObjectVersion"),
                                                limit: ZipArchive.unzippedLimit, context: ctx)
        } catch let e where e.code == "EntityTooLarge" {
            throw LambdaErrors.unzippedTooLarge
        } catch let e where e.code == "AccessDenied" {
            throw LambdaErrors.s3Error("AccessDenied", "Access Denied")
        } catch {
            throw LambdaErrors.s3Error(error.code, error.message)
        }
        guard object.region == region else {
            throw LambdaErrors.s3Error("PermanentRedirect", "The bucket is in this region: \(object.region). Please use this region to retry the request")
        }
        return try checkedZip(object.bytes)
    }

    func readZip(_ b: JSONBody) throws(AWSError) -> ([UInt8], CodeDigest)? {
        guard let text = try b.string("ZipFile") else { return nil }
        guard let data = Data(base64Encoded: text) else { throw LambdaErrors.unparsableBody("Illegal base64 character in ZipFile") }
        return try checkedZip(Array(data))
    }

    func checkedZip(_ bytes: [UInt8]) throws(AWSError) -> ([UInt8], CodeDigest) {
        guard ZipArchive.looksValid(bytes) else { throw LambdaErrors.badZip }
        if let size = ZipArchive.declaredUnzippedSize(bytes), size > UInt64(ZipArchive.unzippedLimit) {
            throw LambdaErrors.unzippedTooLarge
        }
        return (bytes, CodeDigest(of: bytes))
    }

    func storeCode(_ bytes: [UInt8], _ digest: CodeDigest) throws {
        try codeStore.put(bytes, sha256Hex: digest.hex)
    }
}

/// URL query parameters of a Lambda request, repeated keys kept (UntagResource's `tagKeys`).
struct LambdaQuery {
    let items: [(String, String)]
    init(_ items: [(String, String)]) { self.items = items }
    func first(_ k: String) -> String? { items.first { $0.0 == k }?.1 }
    func all(_ k: String) -> [String] { items.filter { $0.0 == k }.map(\.1) }
}

/// Encoded FunctionConfiguration bytes by function and qualifier, valid while the RevisionId is the same
/// (every change to a configuration, state included, gets a new RevisionId).
final class ConfigurationCache: Sendable {
    private let entries = Mutex<[String: (revision: String, bytes: [UInt8])]>([:])
    /// Past this many entries the cache starts over rather than growing without bound.
    private let limit = 50_000

    func lookup(_ key: String, revision: String) -> [UInt8]? {
        entries.withLock { e in e[key].flatMap { $0.revision == revision ? $0.bytes : nil } }
    }

    func store(_ key: String, revision: String, bytes: [UInt8]) {
        entries.withLock { e in
            if e.count >= limit { e.removeAll(keepingCapacity: true) }
            e[key] = (revision, bytes)
        }
    }
}

/// The function names in order, cached until the next committed write (ListFunctions on a large account
/// would otherwise sort on every request).
final class FunctionIndex: Sendable {
    private struct Cache { var generation = 0; var names: [String]? }
    private let cache = Mutex(Cache())

    func invalidate() { cache.withLock { $0.generation += 1; $0.names = nil } }

    func sortedNames(_ snapshotProvider: () -> CloudState) -> [String] {
        let (gen, cached) = cache.withLock { ($0.generation, $0.names) }
        if let cached { return cached }
        let names = snapshotProvider().lambdaFunctions.keys.sorted()
        cache.withLock { if $0.generation == gen { $0.names = names } }
        return names
    }
}
