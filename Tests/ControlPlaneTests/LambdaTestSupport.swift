import AWSWire
import CloudModel
import ControlPlane
import Foundation

/// An in-process Lambda control plane on a manual clock, with a VPC, two subnets and two security groups.
struct LambdaHarness {
    let clock = ManualTimeSource()
    let store: StateStore
    let service: LambdaService
    let manager: ENIManager
    let vpcId = "vpc-0123456789abcdef0"
    let subnetA = "subnet-0aaaaaaaaaaaaaaa1"
    let subnetB = "subnet-0bbbbbbbbbbbbbbb2"
    let sg1 = "sg-0111111111111111a"
    let sg2 = "sg-0222222222222222b"
    static let account = "123456789012"

    init(timings: LambdaTimings = LambdaTimings(eniCreateDelay: 5, eniReleaseAfter: 60, idleAfter: 86400, eniLimitPerVpc: 500),
         subnetPrefix: Int = 24) throws {
        store = try StateStore(durable: NullRecordStore(), clock: clock)
        let activity = InvocationActivity()
        service = LambdaService(store: store, accountId: Self.account, region: "us-east-1", codeStore: InMemoryCodeStore(),
                                timings: timings, activity: activity)
        manager = ENIManager(store: store, timings: timings, accountId: Self.account, activity: activity)
        try addVpc(vpcId, tenancy: "default", subnets: [(subnetA, "10.0.1.0/\(subnetPrefix)"), (subnetB, "10.0.2.0/\(subnetPrefix)")],
                   groups: [sg1, sg2])
    }

    func addVpc(_ id: String, tenancy: String, subnets: [(String, String)], groups: [String]) throws {
        try store.write { tx in
            tx.put(Vpc(id: id, cidrBlock: IPv4CIDR("10.0.0.0/16")!, cidrAssociationId: "vpc-cidr-assoc-1", instanceTenancy: tenancy,
                       isDefault: false, dhcpOptionsId: "dopt-1", ownerId: Self.account, tags: [], createdAt: tx.now))
            for (sid, cidr) in subnets {
                tx.put(Subnet(id: sid, vpcId: id, cidrBlock: IPv4CIDR(cidr)!, availabilityZone: "us-east-1a",
                              availabilityZoneId: "use1-az1", mapPublicIpOnLaunch: false, ownerId: Self.account, tags: [], createdAt: tx.now))
            }
            for g in groups {
                tx.put(SecurityGroup(id: g, vpcId: id, name: g, description: "test", ownerId: Self.account, tags: [], createdAt: tx.now))
            }
        }
    }

    /// The smallest valid zip: an empty archive (end-of-central-directory record only).
    static let emptyZip: [UInt8] = [0x50, 0x4B, 0x05, 0x06] + [UInt8](repeating: 0, count: 18)

    func call(_ method: String, _ path: String, query: String = "", json: Any? = nil, headers: [(String, String)] = [],
              body: [UInt8]? = nil) async -> (status: Int, json: [String: Any], headers: [(String, String)]) {
        let bytes = body ?? json.map { Array(try! JSONSerialization.data(withJSONObject: $0)) } ?? []
        let req = WireRequest(method: method, rawPath: path, rawQuery: query, headers: headers.map { (name: $0.0, value: $0.1) }, body: bytes)
        let ctx = RequestContext(requestID: "req-1", accountId: Self.account, region: "us-east-1",
                                 principal: .root(accountId: Self.account, accessKeyId: "test"), sourceIP: "127.0.0.1")
        // The server's reconciler runs after every committed write; so does this harness.
        defer { _ = try? manager.reconcileUntilStable() }
        do {
            let r = try await service.handle(req, context: ctx)
            let obj = (try? JSONSerialization.jsonObject(with: Data(r.body))) as? [String: Any] ?? [:]
            return (r.status, obj, r.headers)
        } catch let e as AWSError {
            let r = ErrorEnvelope.restJSON(e, requestID: "req-1")
            let obj = (try? JSONSerialization.jsonObject(with: Data(r.body))) as? [String: Any] ?? [:]
            return (r.status, obj, r.headers)
        } catch {
            return (599, ["error": "\(error)"], [])
        }
    }

    func createBody(_ name: String, subnets: [String]? = nil, groups: [String]? = nil) -> [String: Any] {
        var b: [String: Any] = [
            "FunctionName": name, "Runtime": "python3.12", "Handler": "index.handler",
            "Role": "arn:aws:iam::123456789012:role/lambda-role",
            "Code": ["ZipFile": Data(Self.emptyZip).base64EncodedString()],
        ]
        if let subnets { b["VpcConfig"] = ["SubnetIds": subnets, "SecurityGroupIds": groups ?? []] }
        return b
    }

    func create(_ name: String, subnets: [String]? = nil, groups: [String]? = nil) async -> (status: Int, json: [String: Any], headers: [(String, String)]) {
        await call("POST", "/2015-03-31/functions", json: createBody(name, subnets: subnets, groups: groups))
    }

    func config(_ name: String) -> FunctionConfig? { store.snapshot().lambdaFunctions[name]?.latest }

    var lambdaENIs: [NetworkInterface] {
        store.snapshot().networkInterfaces.values.filter { $0.interfaceType == "lambda" }.sorted { $0.id < $1.id }
    }

    /// Moves the clock and lets the reconciler converge.
    func advance(_ seconds: TimeInterval) throws {
        clock.advance(by: seconds)
        try manager.reconcileUntilStable()
    }
}

extension Dictionary where Key == String, Value == Any {
    func str(_ k: String) -> String? { self[k] as? String }
    func obj(_ k: String) -> [String: Any]? { self[k] as? [String: Any] }
}
