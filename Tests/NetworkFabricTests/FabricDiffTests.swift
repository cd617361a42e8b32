@testable import NetworkFabric
import Testing

@Suite struct FabricDiffTests {
    let names = try! FabricNames(tag: "c0ffee")

    func desired(_ ns: String, in plan: FabricPlan) -> NamespaceState {
        var s = plan.namespaces[ns]!.state
        s.firewallFingerprint = plan.namespaces[ns]!.firewall?.fingerprint
        return s
    }

    @Test func emptyKernelNeedsEverythingInRoleOrder() {
        let plan = FabricPlanner(names: names).plan(Fx.twoSubnetVPC())
        let changes = FabricDiff.changes(plan: plan, observed: [:], existing: [], names: names)
        let creates = changes.compactMap { if case .createNamespace(let n) = $0 { return n } else { return nil } }
        #expect(creates.first == names.vpcRouterNamespace("vpc-0aaa0000000000001"), "the router first: it creates the ENI veths")
        #expect(creates.count == 4)
        let router = changes.filter { $0.namespace == creates[0] }.compactMap(\.ipBatchLine)
        let bridge = FabricNames.subnetBridge("subnet-0aaa000000000001")
        let firstVeth = router.firstIndex { $0.contains("type veth") }!
        #expect(router.firstIndex(of: "link add \(bridge) up type bridge")! < firstVeth, "bridges exist before ports join them")
        #expect(router.contains("link add \(FabricNames.interfacePort("eni-web")) master \(bridge) up type veth peer name eth0 netns \(names.interfaceNamespace("eni-web"))"))
        #expect(router.contains("address add 10.0.1.1/24 dev \(bridge)"))
        #expect(router.contains("link set lo up"))
        let eni = changes.filter { $0.namespace == names.interfaceNamespace("eni-web") }
        #expect(eni.compactMap(\.ipBatchLine) == ["link set eth0 nomaster up", "link set lo up", "address add 10.0.1.10/24 dev eth0",
                                                 "route add 0.0.0.0/0 via 10.0.1.1 dev eth0 table main proto static"])
        #expect(eni.contains { if case .loadFirewall = $0 { return true } else { return false } })
    }

    @Test func matchingKernelNeedsNothingAndStrangersAreRemoved() {
        let plan = FabricPlanner(names: names).plan(Fx.twoSubnetVPC())
        var observed: [String: NamespaceState] = [:]
        for ns in plan.namespaces.keys { observed[ns] = desired(ns, in: plan) }
        let existing = Set(plan.namespaces.keys).union(["lv-c0ffee-eni-deadbeef", "lv-beef-vpc-00000000", "lv-env-1"])
        #expect(FabricDiff.changes(plan: plan, observed: observed, existing: existing, names: names) == [.deleteNamespace("lv-c0ffee-eni-deadbeef")])
    }

    @Test func driftIsRepaired() {
        let plan = FabricPlanner(names: names).plan(Fx.twoSubnetVPC())
        let eniNS = names.interfaceNamespace("eni-web")
        var o = desired(eniNS, in: plan)
        o.links["dummy0"] = .init(kind: .other("dummy"))
        o.addresses.insert(.init(device: "eth0", cidr: "10.0.1.99/24"))
        o.routes.insert(.init(destination: "8.8.8.8/32", gateway: "10.0.1.1", device: "eth0"))
        o.links["eth0"]?.up = false
        o.firewallFingerprint = "lv-fp:stale"
        let changes = FabricDiff.changes(plan.namespaces[eniNS]!, observed: o)
        #expect(changes.compactMap(\.ipBatchLine) == ["link del dummy0", "link set eth0 nomaster up",
                                                     "address del 10.0.1.99/24 dev eth0",
                                                     "route del 8.8.8.8/32 via 10.0.1.1 dev eth0 table main proto static"])
        #expect(changes.last.map { if case .loadFirewall = $0 { return true } else { return false } } == true)
        #expect(changes.map(\.problem).contains("extra link dummy0 in \(eniNS)"))
    }

    @Test func environmentNamespacesAreNeverCreatedOrPruned() {
        let a = EnvironmentAttachment(environmentNamespace: "lv-env-9", target: .interface("eni-app"), slot: 0)
        let plan = FabricPlanner(names: names).plan(Fx.twoSubnetVPC(), attachments: [a])
        let missing = FabricDiff.changes(plan: plan, observed: [:], existing: [], names: names)
        #expect(!missing.contains(.createNamespace("lv-env-9")))
        var o = FabricDiff.freshNamespace
        o.links["lo"]?.up = true
        o.links["sandbox0"] = .init(kind: .other("dummy"))
        let changes = FabricDiff.changes(plan.namespaces["lv-env-9"]!, observed: o)
        #expect(changes.compactMap(\.ipBatchLine) == ["link set eth0 nomaster up", "address add 169.254.128.2/30 dev eth0",
                                                     "route add 0.0.0.0/0 via 169.254.128.1 dev eth0 table main proto static"])
    }

    @Test func parsesIpJsonOutput() throws {
        let out = """
        [{"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP","LOWER_UP"],"link_type":"loopback"},{"ifindex":2,"ifname":"lv-b-1","flags":["BROADCAST","UP"],"link_type":"ether","linkinfo":{"info_kind":"bridge"}},{"ifindex":3,"ifname":"lv-p-1","flags":["UP"],"master":"lv-b-1","link_type":"ether","linkinfo":{"info_kind":"veth","info_slave_kind":"bridge"}}]
        [{"ifindex":1,"ifname":"lo","addr_info":[{"family":"inet","local":"127.0.0.1","prefixlen":8}]},{"ifindex":2,"ifname":"lv-b-1","addr_info":[{"family":"inet","local":"10.0.1.1","prefixlen":24},{"family":"inet6","local":"fe80::1","prefixlen":64}]}]
        [{"type":"blackhole","dst":"default","table":"70000","protocol":"static","flags":[]},{"type":"throw","dst":"10.0.0.0/16","table":"70000","protocol":"static"},{"type":"unicast","dst":"10.0.1.0/24","dev":"lv-b-1","table":"main","protocol":"kernel"},{"dst":"10.0.9.9","gateway":"10.0.1.7","dev":"lv-b-1","protocol":"static"}]
        [{"priority":0,"src":"all","table":"local"},{"priority":10000,"src":"10.0.1.0","srclen":24,"table":"70000"},{"priority":32766,"src":"all","table":"main"}]

        """
        let s = try KernelStateParser.parse(batchOutput: out)
        #expect(s.links == ["lo": .init(kind: .loopback), "lv-b-1": .init(kind: .bridge), "lv-p-1": .init(kind: .veth, master: "lv-b-1")])
        #expect(s.addresses == [.init(device: "lv-b-1", cidr: "10.0.1.1/24")])
        #expect(s.routes == [.init(type: "blackhole", destination: "0.0.0.0/0", table: "70000"),
                             .init(type: "throw", destination: "10.0.0.0/16", table: "70000"),
                             .init(destination: "10.0.9.9/32", gateway: "10.0.1.7", device: "lv-b-1")])
        #expect(s.rules == [.init(priority: 10000, source: "10.0.1.0/24", table: "70000")])
        #expect(KernelStateParser.fingerprint(nftListing: "table inet lv_sg {\n\tchain lv_fp_12ab {\n\t}\n\tchain c {\n") == "lv_fp_12ab")
        #expect(KernelStateParser.fingerprint(nftListing: "table inet lv_sg { # handle 4\n\tchain lv_fp_9f { # handle 2\n") == "lv_fp_9f")
        #expect(KernelStateParser.fingerprint(nftListing: "table inet lv_sg {\n\tcomment \"lv-fp:12ab\"\n") == nil,
                "a table of an older version has no fingerprint chain: it is reloaded")
        #expect(KernelStateParser.fingerprint(nftListing: "") == nil)
    }
}
