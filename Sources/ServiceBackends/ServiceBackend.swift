import AWSWire
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Where forwarded services go: the supervised `moto_server`, or the URL `serve --service-backend` names
/// (LocalStack, MinIO, ...). A request arrives here authenticated and authorized; it leaves re-signed for the
/// backend with the backend's own key, its original signature and session token dropped.
public final class ServiceBackend: Sendable {
    private let external: URL?
    private let process: BackendProcess?
    private let session: URLSession
    /// The key the backend is signed for (moto accepts any; others are configured with it).
    static let backendKey = (id: "test", secret: "test")

    public init(external: URL?, process: BackendProcess?) {
        self.external = external
        self.process = process
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = 120
        config.httpMaximumConnectionsPerHost = 32
        session = URLSession(configuration: config)
    }

    /// The service of a signature's scope, when it is one this server forwards.
    public static func service(forScope name: String) -> BackendService? { BackendServiceTable.services[name] }

    /// Forwards `request` for `service` in `region`; the backend's answer comes back as it is.
    public func forward(_ request: WireRequest, service: BackendService, region: String) async throws -> WireResponse {
        let base: URL
        if let external { base = external } else if let process { base = try await process.url() } else {
            throw BackendError.unavailable("no service backend is configured")
        }
        let query = Self.withoutSignature(request.rawQuery)
        guard var components = URLComponents(url: base, resolvingAgainstBaseURL: false) else {
            throw BackendError.unavailable("bad backend URL \(base)")
        }
        components.percentEncodedPath = request.rawPath.isEmpty ? "/" : request.rawPath
        components.percentEncodedQuery = query.isEmpty ? nil : query
        guard let url = components.url, let host = components.host else { throw BackendError.unavailable("bad backend URL \(base)") }
        let hostHeader = components.port.map { "\(host):\($0)" } ?? host
        var outgoing = request
        outgoing.rawQuery = query
        outgoing.headers = request.headers.filter { !Self.dropped.contains($0.name.lowercased()) }
        outgoing.headers.append((name: "host", value: hostHeader))
        let signer = SigV4Signer(accessKeyID: Self.backendKey.id, secretAccessKey: Self.backendKey.secret, region: region,
                                 service: service.signingName)
        let signed = signer.sign(outgoing, at: Date())
        var req = URLRequest(url: url)
        req.httpMethod = request.method
        for h in signed.headers where !Self.notSent.contains(h.name.lowercased()) { req.addValue(h.value, forHTTPHeaderField: h.name) }
        if !request.body.isEmpty { req.httpBody = Data(request.body) }
        let (data, response) = try await session.data(for: req)
        guard let http = response as? HTTPURLResponse else { throw BackendError.unavailable("the backend's answer is not HTTP") }
        var headers: [(String, String)] = []
        for (k, v) in http.allHeaderFields {
            guard let name = k as? String, let value = v as? String, !Self.notReturned.contains(name.lowercased()) else { continue }
            headers.append((name, value))
        }
        return WireResponse(status: http.statusCode, headers: headers, body: Array(data))
    }

    /// Stops the supervised backend, if any.
    public func stop() { process?.stop() }

    /// The caller's signature, token and hop-by-hop headers, which the backend must not see.
    static let dropped: Set<String> = ["authorization", "x-amz-date", "x-amz-security-token", "host", "content-length",
                                       "connection", "expect", "keep-alive", "transfer-encoding"]
    /// Set by URLSession itself.
    static let notSent: Set<String> = ["host", "content-length", "connection"]
    static let notReturned: Set<String> = ["content-length", "transfer-encoding", "connection", "keep-alive", "server", "date"]

    /// A presigned request's query without its signature parameters (the forwarded request is signed in the header).
    static func withoutSignature(_ rawQuery: String) -> String {
        guard rawQuery.contains("X-Amz-") else { return rawQuery }
        return rawQuery.split(separator: "&").filter { !$0.hasPrefix("X-Amz-") }.joined(separator: "&")
    }
}
