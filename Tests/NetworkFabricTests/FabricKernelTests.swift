import CloudModel
import Foundation
@testable import NetworkFabric
import Testing

/// Reachability checked with real TCP connections between real namespaces.
@Suite(.serialized, .enabled(if: Kernel.available)) struct FabricKernelTests {
    let web = "10.0.1.10", app = "10.0.2.20", other = "10.0.2.30"

    @Test func securityGroupsRoutesAndIsolationAreEnforced() async throws {
        try await Kernel.withFabric { fabric, _ in
            let tag = fabric.names.tag
            var model = Fx.withVPC(Fx.twoSubnetVPC(), Fx.isolatedVPC())
            try await fabric.reconcile(model)
            let ns = { (eni: String) in fabric.interfaceNamespace(eni) }
            try Servers.start(in: ns("eni-web"), ports: [8080, 9000, 7000], tag: tag)
            try Servers.start(in: ns("eni-app"), ports: [8080], tag: tag)
            try Servers.start(in: ns("eni-other"), ports: [8080, 7000], tag: tag)
            try Servers.start(in: ns("eni-b"), ports: [8080], tag: tag)

            let fromApp = try Servers.probe(from: ns("eni-app"), ["\(web):8080", "\(web):9000", "\(other):8080", "\(other):7000"])
            #expect(fromApp["\(web):8080"] == "ok \(app)", "CIDR rule, across subnets, stateful reply")
            #expect(fromApp["\(web):9000"] == "ok \(app)", "rule referencing sg-app, egress to sg-web")
            #expect(fromApp["\(other):8080"] == "ok \(app)", "same subnet")
            #expect(fromApp["\(other):7000"] == "timeout", "app's egress allows only 8080-8081 and 9000")

            let fromOther = try Servers.probe(from: ns("eni-other"), ["\(web):8080", "\(web):9000", "\(web):7000", "\(app):8080"])
            #expect(fromOther["\(web):8080"] == "ok \(other)")
            #expect(fromOther["\(web):9000"] == "timeout", "other is not a member of sg-app")
            #expect(fromOther["\(web):7000"] == "timeout", "no rule for 7000")
            #expect(fromOther["\(app):8080"] == "timeout", "sg-app has no ingress")

            let fromB = try Servers.probe(from: ns("eni-b"), ["\(web):8080", "\(other):8080"])
            #expect(fromB.values.allSatisfy { !$0.hasPrefix("ok") }, "another VPC is unreachable: \(fromB)")
            let intoB = try Servers.probe(from: ns("eni-other"), ["10.1.1.10:8080"])
            #expect(!(intoB["10.1.1.10:8080"] ?? "").hasPrefix("ok"))

            // A new rule takes effect on the next connection; so does its revocation.
            model.addRules(to: "sg-web", [Fx.tcp("sgr-web-7000", 7000, from: .cidr(Fx.cidr("10.0.2.30/32")))])
            try await fabric.reconcile(model)
            #expect(try Servers.probe(from: ns("eni-other"), ["\(web):7000"]) == ["\(web):7000": "ok \(other)"])
            #expect(try Servers.probe(from: ns("eni-app"), ["\(web):8080"]) == ["\(web):8080": "ok \(app)"], "unrelated rules untouched")
            model.removeRule("sgr-web-7000")
            try await fabric.reconcile(model)
            #expect(try Servers.probe(from: ns("eni-other"), ["\(web):7000"]) == ["\(web):7000": "timeout"])

            // Membership: other joins sg-app, so sg-web's rule referencing sg-app now admits it.
            model.addGroup("sg-app", toInterface: "eni-other")
            try await fabric.reconcile(model)
            #expect(try Servers.probe(from: ns("eni-other"), ["\(web):9000"]) == ["\(web):9000": "ok \(other)"])

            // Those changes went in place; the kernel holds what a full load of the same plan holds, and a process
            // that knows nothing (after kill -9) reads the fingerprint back and finds nothing to do.
            #expect(try await LinuxFabric(instanceTag: tag).doctor(model).problems == [])
            let fw = try #require(FabricPlanner(names: fabric.names).plan(model).namespaces[ns("eni-web")]?.firewall)
            let scratch = "lv-env-t\(tag)-full"
            try Kernel.addNamespace(scratch)
            defer { _ = try? Kernel.sh([Subprocess.tool("ip"), "netns", "del", scratch]) }
            let nft = { (n: String) in [Subprocess.tool("nsenter"), "--net=/run/netns/\(n)", "--", Subprocess.tool("nft")] }
            _ = try Kernel.sh(nft(scratch) + ["-f", "-"], stdin: fw.ruleset)
            let listing = { (n: String) in try Kernel.normalisedListing(Kernel.sh(nft(n) + ["list", "table", "inet", "lv_sg"])) }
            #expect(try listing(ns("eni-web")) == listing(scratch))

            // Route table: send the app subnet's traffic for the web subnet into a blackhole.
            model.routeTables.append(.init(id: "rtb-private", vpcId: "vpc-0aaa0000000000001", isMain: false,
                                           subnetIds: ["subnet-0aaa000000000002"],
                                           routes: [.init(destination: Fx.cidr("10.0.2.0/24"), target: .local),
                                                    .init(destination: Fx.cidr("10.0.1.0/24"), target: .unrealised("igw-x"))]))
            try await fabric.reconcile(model)
            let routed = try Servers.probe(from: ns("eni-app"), ["\(web):8080", "\(other):8080"])
            #expect(!(routed["\(web):8080"] ?? "").hasPrefix("ok"), "blackholed by the subnet's route table: \(routed)")
            #expect(routed["\(other):8080"] == "ok \(app)", "same subnet is switched, not routed")
        }
    }

    @Test func environmentsAreSourceNATedBehindTheirENI() async throws {
        try await Kernel.withFabric { fabric, envPrefix in
            let tag = fabric.names.tag
            try await fabric.reconcile(Fx.twoSubnetVPC())
            try Servers.start(in: fabric.interfaceNamespace("eni-web"), ports: [8080, 9000, 7000], tag: tag)
            let env1 = envPrefix + "1", env2 = envPrefix + "2", env3 = envPrefix + "3", env4 = envPrefix + "4"
            for e in [env1, env2, env3, env4] { try Kernel.addNamespace(e) }

            let link1 = try await fabric.attach(environmentNamespace: env1, to: .interface("eni-app"))
            let link2 = try await fabric.attach(environmentNamespace: env2, to: .interface("eni-app"))
            #expect(link1.sourceAddress == Fx.ip(app) && link1.address != link2.address)
            #expect(link1.targetNamespace == fabric.interfaceNamespace("eni-app"))
            for env in [env1, env2] {
                let r = try Servers.probe(from: env, ["\(web):8080", "\(web):9000", "\(web):7000"])
                #expect(r["\(web):8080"] == "ok \(app)", "the server sees the ENI's address")
                #expect(r["\(web):9000"] == "ok \(app)", "SNATed traffic counts as a member of the ENI's groups")
                #expect(r["\(web):7000"] == "timeout", "the ENI's egress rules apply to forwarded traffic")
            }
            // Another process (the doctor command) does not know the attachments.
            let outsider = try LinuxFabric(instanceTag: fabric.names.tag)
            #expect(try await outsider.doctor(Fx.twoSubnetVPC(), ignoringEnvironmentLinks: true).problems == [])
            #expect(try await outsider.doctor(Fx.twoSubnetVPC()).problems
                .contains("extra link \(FabricNames.environmentPort(env1)) in \(fabric.interfaceNamespace("eni-app"))"))
            #expect(try await fabric.doctor().problems == [])

            // Environments on one ENI do not reach each other.
            let across = try Servers.probe(from: env1, ["\(link2.address):22"])
            #expect(!(across["\(link2.address):22"] ?? "").hasPrefix("ok") && across["\(link2.address):22"] != "refused")

            let lam = try await fabric.attach(environmentNamespace: env3, to: .lambdaNetwork)
            #expect(lam.sourceAddress == nil && lam.targetNamespace == fabric.names.lambdaNetworkNamespace)
            let lam4 = try await fabric.attach(environmentNamespace: env4, to: .lambdaNetwork)
            let fromLambda = try Servers.probe(from: env3, ["\(web):8080", "\(lam4.address):22"])
            #expect(!(fromLambda["\(web):8080"] ?? "").hasPrefix("ok"), "no route into any VPC: \(fromLambda)")
            #expect(fromLambda["\(lam4.address):22"] == "timeout", "environments do not reach each other: \(fromLambda)")

            await #expect(throws: FabricError.unknownInterface("eni-nope")) {
                try await fabric.attach(environmentNamespace: env3, to: .interface("eni-nope"))
            }
            await #expect(throws: FabricError.unknownEnvironment(envPrefix + "missing")) {
                try await fabric.attach(environmentNamespace: envPrefix + "missing", to: .lambdaNetwork)
            }

            try await fabric.detach(environmentNamespace: env1)
            let gone = try Kernel.sh([Subprocess.tool("ip"), "-n", env1, "-o", "link", "show"])
            #expect(!gone.contains("eth0"), "detach removes the link")
            // The sandbox deletes a namespace without detaching: the next change still converges. The kernel destroys
            // a deleted namespace, and the veth end in the ENI's, only once nothing holds it; a process still inside
            // (here a server) stretches that moment, which without one lasts a few milliseconds.
            try Servers.start(in: env2, ports: [8081], tag: tag)
            _ = try Kernel.sh([Subprocess.tool("ip"), "netns", "del", env2])
            var m = Fx.twoSubnetVPC()
            m.addRules(to: "sg-web", [Fx.tcp("sgr-x", 7000, from: .cidr(Fx.cidr("10.0.2.20/32")))])
            try await fabric.reconcile(m)
            let appLinks = try Kernel.sh([Subprocess.tool("ip"), "-n", fabric.interfaceNamespace("eni-app"), "-o", "link", "show"])
            #expect(appLinks.contains(FabricNames.environmentPort(env2)), "the departing port is still there")
            let whileDeparting = try await fabric.doctor().problems
            #expect(whileDeparting == [])
            Servers.stopAll(tag: tag)
            let afterDeparture = try await fabric.doctor().problems
            #expect(afterDeparture == [])
        }
    }

    @Test func aPassAppliesTheModelThatIsLatestWhenItRuns() async throws {
        try await Kernel.withFabric { fabric, _ in
            // Caller A reads the store (still empty) and is slow to get further; meanwhile a write lands and caller B
            // reads it. Had A's read been taken before queueing, A's pass would run after B's and delete what B built.
            // The fabric reads on its own thread, when the pass runs, so the newest model is the one left applied.
            let store = LatestModel()
            async let a = fabric.reconcile(latest: { let m = store.model; Thread.sleep(forTimeInterval: 0.3); return m })
            try await Task.sleep(nanoseconds: 100_000_000)
            store.model = Fx.twoSubnetVPC()
            async let b = fabric.reconcile(latest: { store.model })
            _ = try await (a, b)
            #expect(Kernel.namespaces().contains(fabric.interfaceNamespace("eni-app")))
            let problems = try await LinuxFabric(instanceTag: fabric.names.tag).doctor(Fx.twoSubnetVPC()).problems
            #expect(problems == [])
        }
    }

    @Test func restartReadsTheKernelAndRepairsDrift() async throws {
        try await Kernel.withFabric { fabric, _ in
            let model = Fx.twoSubnetVPC()
            let first = try await fabric.reconcile(model)
            #expect(first.ran && first.namespacesRead == 0)
            #expect(try await fabric.reconcile(model) == .unchanged, "nothing changed: nothing runs")

            // As after kill -9: a new process with the same tag knows nothing but finds everything in place.
            let second = try LinuxFabric(instanceTag: fabric.names.tag)
            let r = try await second.reconcile(model)
            #expect(r.ran && r.changes == 0 && r.namespacesRead == 4)
            #expect(try await second.doctor().isHealthy)

            // Drift behind the fabric's back, plus a leftover of an older model.
            let router = fabric.names.vpcRouterNamespace("vpc-0aaa0000000000001")
            let bridge = FabricNames.subnetBridge("subnet-0aaa000000000001")
            _ = try Kernel.sh([Subprocess.tool("ip"), "-n", router, "link", "del", bridge])
            _ = try Kernel.sh([Subprocess.tool("nsenter"), "--net=/run/netns/\(fabric.interfaceNamespace("eni-app"))", "--",
                           Subprocess.tool("nft"), "delete", "table", "inet", "lv_sg"])
            let stray = fabric.names.interfaceNamespace("eni-deleted-long-ago")
            try Kernel.addNamespace(stray)
            let problems = try await second.doctor().problems
            #expect(problems.contains("missing link \(bridge) in \(router)"))
            #expect(problems.contains("extra namespace \(stray)"))
            #expect(problems.contains("nftables ruleset of \(fabric.interfaceNamespace("eni-app")) is missing or out of date"))

            let third = try LinuxFabric(instanceTag: fabric.names.tag)
            try await third.reconcile(model)
            #expect(try await third.doctor().problems == [])
            try Servers.start(in: fabric.interfaceNamespace("eni-web"), ports: [8080], tag: fabric.names.tag)
            #expect(try Servers.probe(from: fabric.interfaceNamespace("eni-app"), ["\(web):8080", "\(web):7000"])
                    == ["\(web):8080": "ok \(app)", "\(web):7000": "timeout"])
        }
    }

    @Test func teardownLeavesNoNamespaceOrLink() async throws {
        let tag = Kernel.randomTag()
        let fabric = try LinuxFabric(instanceTag: tag)
        let plan = FabricPlanner(names: fabric.names).plan(Fx.twoSubnetVPC())
        let ourLinks = Set(plan.namespaces.values.flatMap { $0.state.links.keys }.filter { $0.hasPrefix("lv-") })
        do {
            try await fabric.reconcile(Fx.twoSubnetVPC())
            #expect(Kernel.namespaces().filter { $0.hasPrefix("lv-\(tag)-") }.count == 4)
        } catch {
            Issue.record(error)
        }
        try await fabric.teardown()
        #expect(Kernel.namespaces().filter { $0.hasPrefix("lv-\(tag)-") }.isEmpty)
        #expect(try Kernel.hostLinks().filter { ourLinks.contains($0) }.isEmpty)
    }
}

/// A stand-in for the store: the model a reader gets is whatever was last set.
private final class LatestModel: @unchecked Sendable {
    private let lock = NSLock()
    private var value = FabricModel.empty
    var model: FabricModel {
        get { lock.withLock { value } }
        set { lock.withLock { value = newValue } }
    }
}
