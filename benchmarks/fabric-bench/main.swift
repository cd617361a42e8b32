import CloudModel
import Foundation
import NetworkFabric

// fabric-bench: the network fabric's budgets on the real kernel (root / CAP_NET_ADMIN).
//   swift build -c release --product fabric-bench && .build/release/fabric-bench [--enis 100] [--rounds 5]
// Budgets (issue 6): re-render SG rules for 100 ENIs <= 200 ms; create one new ENI namespace with links and rules <= 50 ms.

let args = CommandLine.arguments
func option(_ name: String, _ def: Int) -> Int {
    guard let i = args.firstIndex(of: name), i + 1 < args.count, let v = Int(args[i + 1]) else { return def }
    return v
}
let eniCount = option("--enis", 100)
let rounds = option("--rounds", 5)

guard LinuxFabric.hasNetAdmin() else {
    FileHandle.standardError.write(Data("fabric-bench needs root / CAP_NET_ADMIN\n".utf8))
    exit(2)
}

let vpc = "vpc-0bench000000000001"
let subnets = (0..<10).map { FabricModel.Subnet(id: "subnet-bench\($0)", vpcId: vpc, cidr: IPv4CIDR("10.20.\($0).0/24")!) }
func eni(_ i: Int) -> FabricModel.Interface {
    .init(id: "eni-bench\(i)", subnetId: subnets[i % 10].id, address: IPv4Address("10.20.\(i % 10).\(10 + i / 10)")!,
          groupIds: ["sg-bench-fn"], interfaceType: "lambda")
}
func model(enis: Int, extraRule: Int? = nil, extraENIs: [FabricModel.Interface] = []) -> FabricModel {
    var fnRules: [FabricModel.Rule] = [
        .init(id: "sgr-self", isEgress: false, ipProtocol: "-1", fromPort: -1, toPort: -1, peer: .group("sg-bench-fn")),
        .init(id: "sgr-out", isEgress: true, ipProtocol: "-1", fromPort: -1, toPort: -1, peer: .cidr(IPv4CIDR("0.0.0.0/0")!)),
        .init(id: "sgr-web", isEgress: false, ipProtocol: "tcp", fromPort: 443, toPort: 443, peer: .cidr(IPv4CIDR("10.20.0.0/16")!)),
    ]
    if let p = extraRule {
        fnRules.append(.init(id: "sgr-extra", isEgress: false, ipProtocol: "tcp", fromPort: p, toPort: p, peer: .cidr(IPv4CIDR("10.20.0.0/16")!)))
    }
    return FabricModel(
        vpcs: [.init(id: vpc, cidr: IPv4CIDR("10.20.0.0/16")!)], subnets: subnets,
        routeTables: [.init(id: "rtb-bench", vpcId: vpc, isMain: true, subnetIds: [],
                            routes: [.init(destination: IPv4CIDR("10.20.0.0/16")!, target: .local)])],
        securityGroups: [.init(id: "sg-bench-fn", vpcId: vpc, rules: fnRules)],
        interfaces: (0..<enis).map(eni) + extraENIs)
}

func ms(_ d: Duration) -> Double { Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15 }
func report(_ name: String, _ samples: [Double], budget: Double) {
    let s = samples.sorted()
    let median = s[s.count / 2]
    let verdict = median <= budget ? "within" : "OVER"
    print(String(format: "%-44@ median %7.1f ms  min %7.1f ms  max %7.1f ms  (budget %.0f ms: %@)",
                 name as NSString, median, s.first!, s.last!, budget, verdict as NSString))
}

let tag = String((0..<6).map { _ in "0123456789abcdef".randomElement()! })
let fabric = try LinuxFabric(instanceTag: tag)
let clock = ContinuousClock()
do {
    let build = try await clock.measure { try await fabric.reconcile(model(enis: eniCount)) }
    print(String(format: "initial build: 1 VPC, 10 subnets, %d ENIs            %7.1f ms", eniCount, ms(build)))

    var rerender: [Double] = []
    for r in 0..<rounds {
        rerender.append(ms(try await clock.measure { try await fabric.reconcile(model(enis: eniCount, extraRule: 8000 + r)) }))
    }
    report("re-render SG rules of \(eniCount) ENIs", rerender, budget: 200)

    let unchanged = try await clock.measure { try await fabric.reconcile(model(enis: eniCount, extraRule: 8000 + rounds - 1)) }
    print(String(format: "reconcile with nothing changed                   %7.3f ms", ms(unchanged)))

    var create: [Double] = []
    var extra: [FabricModel.Interface] = []
    for r in 0..<rounds {
        extra.append(.init(id: "eni-bench-new\(r)", subnetId: subnets[r % 10].id, address: IPv4Address("10.20.\(r % 10).250")!,
                           groupIds: ["sg-bench-fn"], interfaceType: "lambda"))
        // Each new ENI joins sg-bench-fn, whose self-reference makes every member's set change too; measure the
        // ENI alone with its own group so the figure is the cost of one namespace.
        extra[r].groupIds = ["sg-bench-new\(r)"]
        let m = model(enis: eniCount, extraRule: 8000 + rounds - 1, extraENIs: extra)
        create.append(ms(try await clock.measure { try await fabric.reconcile(m) }))
    }
    report("create one ENI namespace (links, rules)", create, budget: 50)

    let env = "lv-env-bench\(tag)"
    _ = try Process.run(URL(fileURLWithPath: "/usr/sbin/ip"), arguments: ["netns", "add", env]).waitUntilExit()
    var attach: [Double] = []
    for _ in 0..<rounds {
        attach.append(ms(try await clock.measure { _ = try await fabric.attach(environmentNamespace: env, to: .interface("eni-bench0")) }))
        try await fabric.detach(environmentNamespace: env)
    }
    report("attach an environment to its ENI", attach, budget: 50)
    _ = try Process.run(URL(fileURLWithPath: "/usr/sbin/ip"), arguments: ["netns", "del", env]).waitUntilExit()
} catch {
    print("benchmark failed: \(error)")
}
let down = try await clock.measure { try await fabric.teardown() }
print(String(format: "teardown                                         %7.1f ms", ms(down)))
