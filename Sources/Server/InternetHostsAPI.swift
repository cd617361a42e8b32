import AWSWire
import CloudModel
import Foundation
import NetworkFabric
import Workloads

/// `/_lambda-vpc/internet/hosts`: the simulated internet's hosts, for `lambda-vpc internet run`.
/// `POST {"address": "203.0.113.10", "name": "www.example.com"}` builds a host namespace holding that address (201
/// with its namespace); the optional name is what the VPC resolver answers with the address;
/// `DELETE …/hosts/203.0.113.10` ends its programs and removes it (204); `GET` lists them. Errors are
/// `{"message": …}` with 400 (bad address), 409 (in use), 404 (no such host) or 503 (no network fabric).
final class InternetHostsAPI: Sendable {
    static let path = "/_lambda-vpc/internet/hosts"
    let fabric: FabricController

    init(fabric: FabricController) { self.fabric = fabric }

    func handles(_ request: WireRequest) -> Bool {
        request.rawPath == Self.path || request.rawPath.hasPrefix(Self.path + "/")
    }

    func respond(to r: WireRequest) async -> WireResponse {
        guard let f = fabric.fabric else {
            return Self.json(503, ["message": "the simulated internet needs the network fabric (CAP_NET_ADMIN, without --no-network)"])
        }
        switch (r.method, r.rawPath) {
        case ("GET", Self.path):
            return Self.json(200, ["hosts": await f.internetHosts().sorted().map(\.description)])
        case ("POST", Self.path):
            let body = (try? JSONSerialization.jsonObject(with: Data(r.body))) as? [String: Any]
            guard let text = body?["address"] as? String else {
                return Self.json(400, ["message": "the body must be a JSON object with an \"address\" string"])
            }
            if let problem = SimulatedInternet.hostAddressProblem(text, inUse: await f.internetHosts()) {
                return Self.json(problem.contains("already used") ? 409 : 400, ["message": problem])
            }
            let name = body?["name"] as? String
            if body?["name"] != nil, name == nil {
                return Self.json(400, ["message": "\"name\" must be a string"])
            }
            if let name, let problem = SimulatedInternet.hostNameProblem(name) { return Self.json(400, ["message": problem]) }
            let address = IPv4Address(text)!
            do {
                let ns = try await fabric.addInternetHost(address, name: name)
                var answer = ["address": address.description, "namespace": ns]
                if let name { answer["name"] = name }
                return Self.json(201, answer)
            } catch FabricError.internetHostInUse(let a) {
                return Self.json(409, ["message": "\(a) is already used by another internet host"])
            } catch {
                return Self.json(500, ["message": "cannot create the internet host: \(error)"])
            }
        case ("DELETE", let path) where path.hasPrefix(Self.path + "/"):
            guard let address = IPv4Address(path.dropFirst(Self.path.count + 1)) else {
                return Self.json(404, ["message": "no internet host \(path.dropFirst(Self.path.count + 1))"])
            }
            do {
                return try await fabric.removeInternetHost(address)
                    ? WireResponse(status: 204) : Self.json(404, ["message": "no internet host \(address)"])
            } catch {
                return Self.json(500, ["message": "cannot remove the internet host: \(error)"])
            }
        default:
            return Self.json(405, ["message": "\(r.method) \(r.rawPath) is not supported"])
        }
    }

    static func json(_ status: Int, _ object: [String: Any]) -> WireResponse {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return WireResponse(status: status, headers: [("Content-Type", "application/json")], body: Array(data))
    }
}
