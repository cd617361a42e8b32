import AWSWire
import ControlPlane
import Foundation
import ServiceBackends

/// The stack engine's calls to forwarded services (DynamoDB, SQS, SNS, Secrets Manager…), through the same
/// `ServiceBackend` that forwards users' requests.
struct BackendForwarder: ForwardedServices {
    let backend: ServiceBackend

    func json(service: String, target: String, body: [UInt8], region: String) async throws -> (status: Int, body: [UInt8]) {
        guard let s = ServiceBackend.service(forScope: service), case .awsJSON(let version) = s.wire else {
            throw AWSError(code: "InternalFailure", message: "\(service) is not a forwarded JSON service")
        }
        let request = WireRequest(method: "POST", rawPath: "/", headers: [(name: "content-type", value: "application/x-amz-json-\(version)"),
                                                                           (name: "x-amz-target", value: target)], body: body)
        let r = try await backend.forward(request, service: s, region: region)
        return (r.status, r.body)
    }

    func query(service: String, form: [String: String], region: String) async throws -> (status: Int, body: [UInt8]) {
        guard let s = ServiceBackend.service(forScope: service) else {
            throw AWSError(code: "InternalFailure", message: "\(service) is not a forwarded service")
        }
        var f = form
        if f["Version"] == nil, service == "sns" { f["Version"] = "2010-03-31" }
        let body = f.sorted { $0.key < $1.key }.map { "\(Self.escape($0.key))=\(Self.escape($0.value))" }.joined(separator: "&")
        let request = WireRequest(method: "POST", rawPath: "/", headers: [(name: "content-type", value: "application/x-www-form-urlencoded")],
                                  body: Array(body.utf8))
        let r = try await backend.forward(request, service: s, region: region)
        return (r.status, r.body)
    }

    static func escape(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }
}
