import CloudModel
import Foundation
@testable import NetworkFabric
import Testing

@Suite struct FabricInternetPlanTests {
    let names = try! FabricNames(tag: "c0ffee")
    var planner: FabricPlanner { FabricPlanner(names: names) }
    let vpc = "vpc-0aaa0000000000001"
    var router: String { names.vpcRouterNamespace(vpc) }
    var mainTable: String { String(FabricPlanner.routeTableNumber("rtb-0aaa00000000000001")) }

    /// The two-subnet VPC with an attached gateway, a default route to it and an Elastic IP on `eni-web`.
    func publicVPC(gatewayAttached: Bool = true) -> FabricModel {
        var m = Fx.twoSubnetVPC()
        m.routeTables[0].routes.append(.init(destination: Fx.cidr("0.0.0.0/0"), target: .internetGateway("igw-1")))
        if gatewayAttached { m.internetGateways = [.init(id: "igw-1", vpcId: vpc)] }
        m.publicMappings = [.init(publicIp: Fx.ip("192.0.2.5"), interfaceId: "eni-web", privateIp: Fx.ip("10.0.1.10"))]
        return m
    }

    @Test func attachedGatewayGivesTheRouterAnUplinkWithOneToOneNAT() throws {
        let plan = planner.plan(publicVPC())
        let r = try #require(plan.namespaces[router])
        #expect(r.state.links["lv-igw"] == .init(kind: .veth) && r.creates["lv-igw"] == nil, "the core creates the uplink")
        #expect(Set(r.state.addresses.filter { $0.device == "lv-igw" }) == [.init(device: "lv-igw", cidr: "169.254.0.2/32"),
                                                                               .init(device: "lv-igw", cidr: "192.0.2.5/32")])
        #expect(r.state.routes.contains(.init(destination: "169.254.0.1/32", device: "lv-igw")))
        #expect(r.state.routes.contains(.init(destination: "0.0.0.0/0", gateway: "169.254.0.1", device: "lv-igw", table: mainTable)))
        let rules = try #require(r.firewall?.ruleset)
        #expect(rules.contains("iifname \"lv-igw\" ip daddr 192.0.2.5 dnat to 10.0.1.10"))
        #expect(rules.contains("oifname \"lv-igw\" ip saddr 10.0.1.10 snat to 192.0.2.5"))
        #expect(rules.contains("oifname \"lv-igw\" ip saddr { 10.0.1.10 } accept\n\t\toifname \"lv-igw\" drop"),
                "only mapped addresses leave: \(rules)")
        #expect(rules.contains("iifname \"lv-igw\" ct status dnat accept\n\t\tiifname \"lv-igw\" drop"))

        let core = try #require(plan.namespaces[names.internetNamespace])
        #expect(core.role == .core)
        let port = FabricNames.coreVPCPort(vpc)
        #expect(core.creates[port] == VethPeer(name: "lv-igw", namespace: router))
        #expect(core.state.addresses.contains(.init(device: port, cidr: "169.254.0.1/32")))
        #expect(core.state.routes == [.init(destination: "192.0.2.5/32", device: port), .init(destination: "198.18.0.0/15", device: "lv-edge"),
                                      .init(type: "blackhole", destination: "0.0.0.0/0")],
                "the core routes only public addresses and drops the rest silently")
        #expect(!(core.firewall?.ruleset.contains("masquerade") ?? true), "no egress unless asked")
    }

    @Test func detachedGatewayIsABlackholeAndLeavesNoUplink() throws {
        let plan = planner.plan(publicVPC(gatewayAttached: false))
        let r = try #require(plan.namespaces[router])
        #expect(r.state.links["lv-igw"] == nil && plan.namespaces[names.internetNamespace] == nil)
        #expect(r.state.routes.contains(.init(type: "blackhole", destination: "0.0.0.0/0", table: mainTable)))
        #expect(r.firewall?.ruleset.contains("table ip lv_igw {\n}") == true, "the NAT table is emptied, not left behind")
        // A gateway attached to another VPC does not serve this one's routes either.
        var other = publicVPC(gatewayAttached: false)
        other.internetGateways = [.init(id: "igw-1", vpcId: "vpc-other")]
        #expect(planner.plan(other).namespaces[router]?.state.routes
            .contains(.init(type: "blackhole", destination: "0.0.0.0/0", table: mainTable)) == true)
    }

    /// `publicVPC` with a NAT gateway (interface 10.0.1.50 in the first subnet) and the second subnet routed to it.
    func natVPC(available: Bool) -> FabricModel {
        var m = publicVPC()
        m.interfaces.append(.init(id: "eni-nat", subnetId: "subnet-0aaa000000000001", address: Fx.ip("10.0.1.50"), groupIds: [],
                                  interfaceType: "nat_gateway"))
        m.natGateways = [.init(id: "nat-1", interfaceId: "eni-nat", isAvailable: available)]
        m.publicMappings.append(.init(publicIp: Fx.ip("192.0.2.6"), interfaceId: "eni-nat", privateIp: Fx.ip("10.0.1.50")))
        m.routeTables.append(.init(id: "rtb-private", vpcId: vpc, isMain: false, subnetIds: ["subnet-0aaa000000000002"], routes: [
            .init(destination: Fx.cidr("10.0.0.0/16"), target: .local),
            .init(destination: Fx.cidr("0.0.0.0/0"), target: .natGateway("nat-1")),
        ]))
        return FabricModel(vpcs: m.vpcs, subnets: m.subnets, routeTables: m.routeTables, securityGroups: m.securityGroups,
                           interfaces: m.interfaces, internetGateways: m.internetGateways, natGateways: m.natGateways,
                           publicMappings: m.publicMappings)
    }

    @Test func availableNATGatewayMasqueradesTheVPCAndIsTheRouteTarget() throws {
        let plan = planner.plan(natVPC(available: true))
        let privateTable = String(FabricPlanner.routeTableNumber("rtb-private"))
        let r = try #require(plan.namespaces[router])
        #expect(r.state.routes.contains(.init(destination: "0.0.0.0/0", gateway: "10.0.1.50",
                                              device: FabricNames.subnetBridge("subnet-0aaa000000000001"), table: privateTable)))
        let nat = try #require(plan.namespaces[names.interfaceNamespace("eni-nat")])
        #expect(nat.state.addresses == [.init(device: "eth0", cidr: "10.0.1.50/24")])
        #expect(nat.state.routes == [.init(destination: "0.0.0.0/0", gateway: "10.0.1.1", device: "eth0")])
        let rules = try #require(nat.firewall?.ruleset)
        #expect(rules.contains("oifname \"eth0\" ip saddr != 10.0.1.50 snat to 10.0.1.50"))
        #expect(rules.contains("ip saddr 10.0.0.0/16 ip daddr != 10.0.0.0/16 accept"))
        #expect(!rules.contains("lv_sg"), "a NAT gateway's interface has no security groups")
        #expect(r.firewall?.ruleset.contains("ip saddr { 10.0.1.10, 10.0.1.50 } accept") == true)

        let pending = planner.plan(natVPC(available: false))
        #expect(pending.namespaces[router]?.state.routes.contains(.init(type: "blackhole", destination: "0.0.0.0/0", table: privateTable)) == true)
        #expect(pending.namespaces[names.interfaceNamespace("eni-nat")]?.firewall?.ruleset.contains("snat") == false)
    }

    @Test func internetHostsLiveInTheirOwnNamespaces() throws {
        let hosts = [Fx.ip("203.0.113.10"), Fx.ip("198.51.100.7")]
        let plan = planner.plan(.empty, hosts: hosts)
        #expect(Set(plan.namespaces.keys) == [names.internetNamespace, names.edgeNamespace, "lv-c0ffee-host-203-0-113-10",
                                              "lv-c0ffee-host-198-51-100-7"])
        let host = try #require(plan.namespaces["lv-c0ffee-host-203-0-113-10"])
        #expect(host.state.addresses == [.init(device: "eth0", cidr: "203.0.113.10/32")])
        #expect(host.state.routes == [.init(destination: "169.254.0.1/32", device: "eth0"),
                                      .init(destination: "0.0.0.0/0", gateway: "169.254.0.1", device: "eth0")])
        let core = try #require(plan.namespaces[names.internetNamespace])
        let port = FabricNames.coreHostPort(Fx.ip("203.0.113.10"))
        #expect(core.creates[port] == VethPeer(name: "eth0", namespace: "lv-c0ffee-host-203-0-113-10"))
        #expect(core.state.routes.contains(.init(destination: "203.0.113.10/32", device: port)))
        #expect(names.internetHostAddress(namespace: "lv-c0ffee-host-203-0-113-10") == Fx.ip("203.0.113.10"))
        #expect(names.internetHostAddress(namespace: "lv-beef-host-203-0-113-10") == nil)
        #expect(planner.plan(.empty).namespaces.isEmpty, "no hosts, gateways or lambda network: no core")
    }

    @Test func lambdaNetworkReachesTheInternetMasqueradedAndNoVPC() throws {
        let env = EnvironmentAttachment(environmentNamespace: "lv-env-1", target: .lambdaNetwork, slot: 0)
        let plan = planner.plan(Fx.twoSubnetVPC(), attachments: [env])
        let lam = try #require(plan.namespaces[names.lambdaNetworkNamespace])
        #expect(lam.state.addresses.contains(.init(device: "lv-inet", cidr: "100.64.0.1/32")))
        #expect(lam.state.routes == [.init(destination: "169.254.0.1/32", device: "lv-inet"),
                                     .init(destination: "0.0.0.0/0", gateway: "169.254.0.1", device: "lv-inet")])
        let rules = try #require(lam.firewall?.ruleset)
        #expect(rules.contains("ip saddr 169.254.128.0/17 oifname \"lv-inet\" snat to 100.64.0.1"))
        #expect(rules.contains("iifname \"lv-x-*\" oifname \"lv-inet\" accept"))
        let core = try #require(plan.namespaces[names.internetNamespace])
        #expect(core.creates["lv-lambda"] == VethPeer(name: "lv-inet", namespace: names.lambdaNetworkNamespace))
        // The VPC has no gateway: the core knows no address of it, so nothing leads from the lambda network into it.
        #expect(core.state.routes == [.init(destination: "100.64.0.1/32", device: "lv-lambda"), .init(destination: "198.18.0.0/15", device: "lv-edge"),
                                      .init(type: "blackhole", destination: "0.0.0.0/0")])
    }

    @Test func hostEgressIsPlannedOnlyWhenAsked() throws {
        let plan = FabricPlanner(names: names, egress: .host).plan(.empty, hosts: [Fx.ip("203.0.113.10")])
        let core = try #require(plan.namespaces[names.internetNamespace])
        let e = HostEgress(names: names)
        #expect(core.creates["lv-egress"] == VethPeer(name: "lv-c0ffee-eg", namespace: "1"))
        #expect(core.state.routes.contains(.init(destination: "0.0.0.0/0", gateway: e.rootAddress.description, device: "lv-egress")))
        #expect(core.firewall?.ruleset.contains("oifname \"lv-egress\" masquerade") == true)
        #expect(e.rootRuleset.contains("table ip lv_c0ffee_egress {") && e.rootRuleset.contains("ip saddr \(e.linkNetwork) masquerade"))
        #expect(HostEgress.block.contains(e.linkNetwork.address) && e.linkNetwork.prefixLength == 30)
        #expect(FabricPlanner(names: names, egress: .host).plan(.empty).namespaces.isEmpty, "egress alone builds nothing")
        let plain = planner.plan(.empty, hosts: [Fx.ip("203.0.113.10")])
        #expect(plain.namespaces[names.internetNamespace]?.state.routes.filter { $0.destination == "0.0.0.0/0" } == [.init(type: "blackhole", destination: "0.0.0.0/0")],
                "without egress the default is a silent drop")
    }

    @Test func hostAddressesAreValidated() {
        #expect(SimulatedInternet.hostAddressProblem("203.0.113.10", inUse: []) == nil)
        #expect(SimulatedInternet.hostAddressProblem("198.51.100.254", inUse: []) == nil)
        #expect(SimulatedInternet.hostAddressProblem("192.0.2.10", inUse: [])?.contains("not in the simulated internet's host ranges") == true)
        #expect(SimulatedInternet.hostAddressProblem("203.0.113.255", inUse: [])?.contains("broadcast") == true)
        #expect(SimulatedInternet.hostAddressProblem("203.0.113.10", inUse: [Fx.ip("203.0.113.10")])
            == "203.0.113.10 is already used by another internet host")
        #expect(SimulatedInternet.hostAddressProblem("300.1.1.1", inUse: []) == "'300.1.1.1' is not an IPv4 address")
        #expect(!SimulatedInternet.hostRanges.contains { $0.overlaps(ElasticAddress.pool) }, "Elastic IPs never collide with hosts")
    }

    @Test func hostNamesAreHostnamesOutsideTheResolversOwnDomains() {
        for ok in ["www.example.com", "db", "API-1.example.test.", "a.b-c.d"] {
            #expect(SimulatedInternet.hostNameProblem(ok) == nil, "\(ok)")
        }
        for bad in ["", ".", "a..b", "-a.com", "a-.com", "under_score.com", "sp ace.com", String(repeating: "a", count: 64) + ".com",
                    "ex\u{e4}mple.com"] {
            #expect(SimulatedInternet.hostNameProblem(bad)?.contains("is not a host name") == true, "\(bad)")
        }
        for reserved in ["sts.us-east-1.amazonaws.com", "amazonaws.com", "x.api.aws", "ip-10-0-1-4.ec2.internal", "4.3.2.1.in-addr.arpa"] {
            #expect(SimulatedInternet.hostNameProblem(reserved)?.contains("which the VPC resolver answers itself") == true, "\(reserved)")
        }
    }

    @Test func detachingLeavesTheUplinkToTheCore() throws {
        // The core deletes its end first (it ranks first); deleting the router's end too would fail.
        let attached = planner.plan(publicVPC())
        let detached = planner.plan(publicVPC(gatewayAttached: false))
        var observed = attached.namespaces[router]!.state
        observed.firewallFingerprint = attached.namespaces[router]!.firewall?.fingerprint
        let changes = FabricDiff.changes(detached.namespaces[router]!, observed: observed)
        #expect(!changes.contains { if case .deleteLink = $0 { return true } else { return false } })
        #expect(!changes.contains { if case .deleteAddress = $0 { return true } else { return false } })
        #expect(!changes.contains { if case .deleteRoute(_, let r) = $0 { return r.device == "lv-igw" } else { return false } })
        #expect(changes.contains(.addRoute(namespace: router, .init(type: "blackhole", destination: "0.0.0.0/0", table: mainTable))))
        let all = FabricDiff.changes(plan: detached, observed: [router: observed, names.internetNamespace: attached.namespaces[names.internetNamespace]!.state],
                                     existing: [router, names.internetNamespace], names: names)
        #expect(all.contains(.deleteNamespace(names.internetNamespace)))
    }

    @Test func gatewayRoutesAreAddedAfterTheRoutesToTheirGateways() {
        let changes = FabricDiff.changes(planner.plan(publicVPC()).namespaces[router]!, observed: FabricDiff.freshNamespace)
        let routes = changes.compactMap { c -> NamespaceState.Route? in if case .addRoute(_, let r) = c { return r } else { return nil } }
        let onLink = routes.firstIndex { $0.destination == "169.254.0.1/32" }!
        let viaCore = routes.firstIndex { $0.gateway == "169.254.0.1" }!
        #expect(onLink < viaCore)
    }
}
