import AWSWire
import ControlPlane

/// Where a function URL request points: the URL's id, the path after the URL's root, the domain to report, and the
/// region its host names (nil for the path form, which is looked up in every region).
struct FunctionUrlTarget: Equatable {
    var id: String
    var rawPath: String
    var domain: String
    var region: String?
}

extension APIRouter {
    static let functionUrlPathPrefix = "/_lambda-vpc/url/"

    /// A request for a function URL, recognised before any AWS protocol: by its Host (`<id>.lambda-url.<region>.on.aws`
    /// or `<id>.lambda-url.<region>.localhost`, the whole path being the function's), or by the path form
    /// `/_lambda-vpc/url/<id>/<path...>` for clients of the host endpoint that cannot set the Host.
    static func functionUrlTarget(_ r: WireRequest) -> FunctionUrlTarget? {
        if r.rawPath.hasPrefix(functionUrlPathPrefix), r.edge == nil {
            let rest = r.rawPath.dropFirst(functionUrlPathPrefix.count)
            let id = rest.prefix { $0 != "/" }
            guard !id.isEmpty else { return nil }
            let path = rest.dropFirst(id.count)
            return FunctionUrlTarget(id: String(id), rawPath: path.isEmpty ? "/" : String(path), domain: "", region: nil)
        }
        // Cheap tests first: every request passes here.
        guard let hostHeader = r.header("host"), hostHeader.utf8.count > 44, hostHeader.contains(".lambda-url.") else { return nil }
        let host = hostHeader.split(separator: ":", maxSplits: 1).first.map(String.init) ?? hostHeader
        let labels = host.lowercased().split(separator: ".", omittingEmptySubsequences: false)
        let onAWS = labels.count == 5 && labels[3] == "on" && labels[4] == "aws"
        let local = labels.count == 4 && labels[3] == "localhost"
        guard labels.count >= 4, labels[1] == "lambda-url", onAWS || local, labels[0].utf8.count == 32 else { return nil }
        return FunctionUrlTarget(id: String(labels[0]), rawPath: r.rawPath.isEmpty ? "/" : r.rawPath, domain: host.lowercased(),
                                 region: String(labels[2]))
    }

    func isFunctionUrlRequest(_ r: WireRequest) -> Bool { Self.functionUrlTarget(r) != nil }

    /// Runs the URL's function; an AWS_IAM URL authenticates the request as the Lambda API would (SigV4 for
    /// `lambda`, verified under `--enforce-iam`), the service then authorizes `lambda:InvokeFunctionUrl`.
    func functionUrl(_ request: WireRequest, _ t: FunctionUrlTarget) async -> WireResponse {
        let candidates: [RegionServices]
        if let region = t.region {
            candidates = Regions.isServed(region, home: config.region) ? [(try? regions.services(region))].compactMap { $0 } : []
        } else {
            candidates = regions.all
        }
        guard let (lambda, url) = candidates.lazy.compactMap({ r in r.lambda.functionUrl(id: t.id).map { (r.lambda, $0) } }).first else {
            return .json(404, Array("{\"Message\":\"Not Found\"}".utf8), requestID: newRequestID())
        }
        let domain = t.domain.isEmpty ? "\(t.id).lambda-url.\(lambda.region).on.aws" : t.domain
        return await lambda.invokeFunctionUrl(url, request, rawPath: t.rawPath, domainName: domain) {
            guard case .success(let a) = admit(request, params: nil), a.proto == .lambda else { return nil }
            return a.context
        }
    }
}
