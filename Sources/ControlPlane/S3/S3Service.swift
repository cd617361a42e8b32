import AWSWire
import CloudModel
import Crypto
import Foundation
import IAMPolicy
import Synchronization

/// S3, served natively: buckets and object metadata through the `S3MetadataStore` port, bytes in files under the
/// data dir (`S3Files`). `handle` resolves the operation from `S3Operations.table`, authorizes its action on the
/// bucket's or object's ARN, then runs it.
public final class S3Service: Sendable {
    let store: any S3MetadataStore
    let files: S3Files
    let accountId: String
    /// The account's canonical user id (S3's `Owner.ID`): derived from the account id, 64 hex digits as on AWS.
    let ownerId: String
    let hostId: String
    /// Where event notifications go (Lambda's queue), connected once both services exist.
    private let eventQueue = Mutex<(any FunctionEventQueue)?>(nil)
    var events: (any FunctionEventQueue)? { eventQueue.withLock { $0 } }

    /// Connects event notifications to Lambda (S3 is built before Lambda, which reads code from it).
    public func connect(events queue: any FunctionEventQueue) { eventQueue.withLock { $0 = queue } }

    /// Bucket policies, compiled once per text.
    let policies = PolicyCache(capacity: 1000)

    public static let xmlns = "http://s3.amazonaws.com/doc/2006-03-01/"
    /// The largest object a single PUT may write.
    static let maxObjectSize: Int64 = 5 * 1024 * 1024 * 1024

    public init(store: any S3MetadataStore, accountId: String) {
        self.store = store
        self.files = S3Files(root: store.root)
        self.accountId = accountId
        ownerId = SHA256.hash(data: Array(("lambda-vpc-owner:" + accountId).utf8)).map { String(format: "%02x", $0) }.joined()
        hostId = Base64.encode(Array(SHA256.hash(data: Array(accountId.utf8))))
    }

    /// Removes the files a crash left behind (uploads cut off, files whose rows never committed). Call before serving.
    public func sweep() {
        guard let referenced = try? store.referencedBlobs() else { return }
        files.sweep(referenced: referenced)
    }

    // MARK: the request path

    /// Answers one S3 request. `signedRegion`: the signature's region (CreateBucket's location rules). With `mayDefer`
    /// (a caller on an event loop) a small PUT answers with a `DeferredResponse` that completes after its commit.
    public func handle(_ request: WireRequest, context: RequestContext, signedRegion: String, mayDefer: Bool = false) -> WireResponse {
        let head = request.method == "HEAD"
        guard let (bucket, key) = S3Addressing.target(request) else {
            return render(S3Errors.make("InvalidURI", "Couldn't parse the specified URI.", 400), context, head: head)
        }
        var query: [String: String] = [:]
        for (k, v) in request.queryItems where query[k] == nil { query[k] = v }
        var call = S3Call(request: request, context: context, bucket: bucket, key: key, query: query, signedRegion: signedRegion)
        call.mayDefer = mayDefer
        do {
            if let streamed = request.streamed, let failure = streamed.failure {
                switch failure {
                case .chunkSignature: throw S3Errors.signatureDoesNotMatch
                case .encoding: throw S3Errors.incompleteBody
                case .io: throw S3Errors.internalError
                }
            }
            let target: S3Operation.Target = bucket == nil ? .service : key == nil ? .bucket : .object
            if let unserved = query.keys.first(where: { S3Operations.unservedSubresources.contains($0) }) {
                throw S3Errors.notImplemented("?" + unserved)
            }
            guard let op = S3Operations.resolve(method: request.method, target: target, query: query, headers: request) else {
                throw S3Errors.methodNotAllowed
            }
            if !op.itemized { try authorize(call, op.action, op.resource(call), bucket: bucket) { op.keys(call, &$0) } }
            var response = try op.handler(self, call)
            let ids = [("x-amz-request-id", context.requestID), ("x-amz-id-2", hostId)]
            if let later = response.deferred {
                // The operation answers through `failure` itself when it fails later; success gets the ids here.
                response.deferred = later.map { r in
                    guard r.status < 300 else { return r }
                    var r = r
                    r.headers += ids
                    return r
                }
            }
            response.headers += ids
            return response
        } catch {
            return failure(error, call)
        }
    }

    /// The answer to an operation's error: S3's envelope for its code, InternalError for anything unexpected.
    func failure(_ error: any Error, _ c: S3Call) -> WireResponse {
        switch error {
        case let e as AWSError: return render(e, c.context, head: c.isHead)
        case let early as EarlyResponse: return early.response
        case S3StoreError.noSuchBucket: return render(S3Errors.noSuchBucket(c.bucketName), c.context, head: c.isHead)
        case S3StoreError.noSuchUpload: return render(S3Errors.noSuchUpload(c.query["uploadId"] ?? ""), c.context, head: c.isHead)
        default: return render(S3Errors.internalError, c.context, head: c.isHead)
        }
    }

    func render(_ e: AWSError, _ ctx: RequestContext, head: Bool) -> WireResponse {
        ErrorEnvelope.s3(e, requestID: ctx.requestID, hostId: hostId, head: head)
    }

    /// The refusal in S3's terms, for the router's authorization of S3 requests.
    public static func accessDenied(_ p: Principal, action: String, resource: String, explicit: Bool) -> AWSError {
        S3Errors.make("AccessDenied", Authorizer.denialText(p, action: action, resource: resource, explicit: explicit), 403)
    }

    /// Renders an error for a request refused before any operation (authentication), in S3's envelope.
    public func renderEarly(_ e: AWSError, requestID: String, head: Bool) -> WireResponse {
        ErrorEnvelope.s3(e, requestID: requestID, hostId: hostId, head: head)
    }

    /// PutObject of a body held in memory (≤ 64 KiB: it goes into its row) without subresources or a copy source:
    /// prepared on the event loop, then answered when the committer has committed it (`DeferredResponse`).
    public func isQuickWrite(_ r: WireRequest) -> Bool {
        guard r.method == "PUT", r.streamed?.bytes != nil, r.header("x-amz-copy-source") == nil,
              let (bucket, key) = S3Addressing.target(r), bucket != nil, key != nil else {
            return false
        }
        for (k, _) in r.queryItems where !(k.hasPrefix("X-Amz-") || k == "AWSAccessKeyId" || k == "Signature" || k == "Expires"
                                           || k == "x-id") {
            return false
        }
        return true
    }

    /// GetObject/HeadObject without subresources: answered without leaving the event loop (no fsync, one row read).
    public func isQuickRead(_ r: WireRequest) -> Bool {
        guard r.method == "GET" || r.method == "HEAD", let (bucket, key) = S3Addressing.target(r), bucket != nil, key != nil else {
            return false
        }
        if r.rawQuery.isEmpty { return true }
        for (k, _) in r.queryItems where !(k == "versionId" || k.hasPrefix("response-") || k.hasPrefix("X-Amz-")
                                            || k == "AWSAccessKeyId" || k == "Signature" || k == "Expires" || k == "x-id") {
            return false
        }
        return true
    }

    // MARK: streaming uploads

    /// The query keys an upload's PUT may carry (its part, and presigned URLs' signature parameters).
    static let uploadQueryKeys: Set<String> = ["partNumber", "uploadId", "versionId", "AWSAccessKeyId", "Signature", "Expires",
                                               "x-id"]

    /// Whether a PUT's body goes to a file as it arrives (PutObject, UploadPart), and how to read it: aws-chunked
    /// framing when the payload hash says `STREAMING-…`, the checksums the request names, the SHA-256 when the head
    /// states a hex hash to compare. nil: not an upload (bucket configuration PUTs, copies) — read as usual.
    public func bodySink(_ head: WireRequest, chain: ChunkSignatureChain?) -> RequestBodySink? {
        guard head.header("x-amz-copy-source") == nil, let (bucket, key) = S3Addressing.target(head), bucket != nil, key != nil else {
            return nil
        }
        for (k, _) in head.queryItems where !(Self.uploadQueryKeys.contains(k) || k.hasPrefix("X-Amz-")) {
            return nil
        }
        let contentHash = head.header("x-amz-content-sha256") ?? ""
        let chunked = contentHash.hasPrefix("STREAMING-")
            || (head.header("content-encoding")?.contains("aws-chunked") ?? false)
        let signed = contentHash.hasPrefix("STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
        var sums = Set<String>()
        for algo in Self.checksumAlgorithms where head.header("x-amz-checksum-" + algo.lowercased()) != nil {
            sums.insert(algo)
        }
        if let a = head.header("x-amz-sdk-checksum-algorithm")?.uppercased() { sums.insert(a) }
        if let trailer = head.header("x-amz-trailer")?.lowercased(), trailer.hasPrefix("x-amz-checksum-") {
            sums.insert(String(trailer.dropFirst("x-amz-checksum-".count)).uppercased())
        }
        let plan = RequestBodySink.Plan(chunked: chunked, chain: signed ? chain : nil,
                                        sha256: contentHash.utf8.count == 64 && !chunked, checksums: sums)
        let files = self.files
        return try? RequestBodySink(makePath: { files.incomingPath() }, plan: plan)
    }

    // MARK: helpers shared by the operations

    func existingBucket(_ c: S3Call) throws -> S3Bucket {
        guard let b = try store.bucket(c.bucketName) else { throw S3Errors.noSuchBucket(c.bucketName) }
        return b
    }

    static func xml(_ build: (inout XMLWriter) -> Void) -> WireResponse {
        var w = XMLWriter()
        build(&w)
        return WireResponse(status: 200, headers: [("Content-Type", "application/xml")], body: Array(w.text.utf8))
    }

    func owner(_ w: inout XMLWriter, _ name: String = "Owner") {
        w.element(name) { o in o.element("ID", ownerId); o.element("DisplayName", "lambda-vpc") }
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The request's body bytes when it was read into memory (configuration documents); a streamed body is read from
    /// its file (only small ones reach here).
    func smallBody(_ c: S3Call) throws -> [UInt8] {
        if let s = c.request.streamed {
            guard s.length <= 1 << 20, let data = FileManager.default.contents(atPath: s.path) else { throw S3Errors.malformedXML }
            return Array(data)
        }
        return c.request.body
    }

    func document(_ c: S3Call, root: String) throws -> XMLElement {
        guard let doc = XMLElement.parse(try smallBody(c)), doc.localName == root else { throw S3Errors.malformedXML }
        return doc
    }
}
