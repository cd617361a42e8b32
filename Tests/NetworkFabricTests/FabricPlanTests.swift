import CloudModel
import Foundation
@testable import NetworkFabric
import Testing

@Suite struct FabricPlanTests {
    let names = try! FabricNames(tag: "c0ffee")
    var planner: FabricPlanner { FabricPlanner(names: names) }

    @Test func namesAreShortStableAndTagged() throws {
        #expect(FabricNames.shortHash("subnet-0aaa000000000001") == FabricNames.shortHash("subnet-0aaa000000000001"))
        #expect(FabricNames.shortHash("subnet-0aaa000000000001") != FabricNames.shortHash("subnet-0aaa000000000002"))
        // Golden value: a change here renames every object of every running server.
        #expect(FabricNames.shortHash("vpc-0aaa0000000000001") == "6a07fb66")
        for link in [FabricNames.subnetBridge("subnet-0123456789abcdef0"), FabricNames.interfacePort("eni-0123456789abcdef0"),
                     FabricNames.environmentPort("lv-env-a-very-long-environment-namespace-name")] {
            #expect(link.count <= 15 && link.hasPrefix("lv-"), "\(link)")
        }
        #expect(names.vpcRouterNamespace("vpc-1") == "lv-c0ffee-vpc-" + FabricNames.shortHash("vpc-1"))
        #expect(names.owns(namespace: names.interfaceNamespace("eni-1")))
        #expect(!names.owns(namespace: "lv-env-c0ffee-1"))
        #expect(!names.owns(namespace: "lv-beef-eni-12345678"))
        #expect(throws: FabricError.invalidInstanceTag("env")) { try FabricNames(tag: "env") }
        #expect(throws: FabricError.invalidInstanceTag("ABCD")) { try FabricNames(tag: "ABCD") }
        #expect(FabricNames.tag(forDataDirectory: "/a/b") == FabricNames.tag(forDataDirectory: "/a/b/"))
        #expect(FabricNames.tag(forDataDirectory: "/a/b") != FabricNames.tag(forDataDirectory: "/a/c"))
    }

    @Test func routerHoldsEachSubnetsFirstAddressAndPolicyRoutes() throws {
        let model = Fx.twoSubnetVPC()
        let plan = planner.plan(model)
        let router = try #require(plan.namespaces[names.vpcRouterNamespace("vpc-0aaa0000000000001")])
        let b1 = FabricNames.subnetBridge("subnet-0aaa000000000001"), b2 = FabricNames.subnetBridge("subnet-0aaa000000000002")
        #expect(router.state.links[b1] == .init(kind: .bridge))
        #expect(router.state.addresses == [.init(device: b1, cidr: "10.0.1.1/24"), .init(device: b2, cidr: "10.0.2.1/24"),
                                           .init(device: "lo", cidr: "10.0.0.2/32"), .init(device: "lo", cidr: "169.254.169.253/32")])
        let webPort = FabricNames.interfacePort("eni-web")
        #expect(router.state.links[webPort] == .init(kind: .veth, master: b1))
        #expect(router.creates[webPort] == VethPeer(name: "eth0", namespace: names.interfaceNamespace("eni-web")))
        let table = String(FabricPlanner.routeTableNumber("rtb-0aaa00000000000001"))
        #expect(router.state.rules == [.init(priority: 10000, source: "10.0.1.0/24", table: table),
                                       .init(priority: 10000, source: "10.0.2.0/24", table: table)])
        #expect(router.state.routes == [.init(type: "throw", destination: "10.0.0.0/16", table: table),
                                        .init(type: "blackhole", destination: "0.0.0.0/0")], "unrouted: dropped, never an ICMP error")
        #expect(router.firewall?.sysctls.contains { $0.key == "net/ipv4/ip_forward" && $0.value == "1" } == true)
        #expect(plan.namespaces.count == 4)
    }

    @Test func explicitAssociationWinsOverMainAndUnrealisedTargetsAreBlackholes() throws {
        var model = Fx.twoSubnetVPC()
        model.routeTables.append(.init(id: "rtb-private", vpcId: "vpc-0aaa0000000000001", isMain: false,
                                       subnetIds: ["subnet-0aaa000000000002"],
                                       routes: [.init(destination: Fx.cidr("10.0.0.0/16"), target: .local),
                                                .init(destination: Fx.cidr("0.0.0.0/0"), target: .unrealised("nat-1")),
                                                .init(destination: Fx.cidr("192.168.0.0/16"), target: .networkInterface("eni-other"))]))
        let router = try #require(planner.plan(model).namespaces[names.vpcRouterNamespace("vpc-0aaa0000000000001")])
        let priv = String(FabricPlanner.routeTableNumber("rtb-private"))
        #expect(router.state.rules.contains(.init(priority: 10000, source: "10.0.2.0/24", table: priv)))
        #expect(router.state.routes.contains(.init(type: "blackhole", destination: "0.0.0.0/0", table: priv)))
        #expect(router.state.routes.contains(.init(destination: "192.168.0.0/16", gateway: "10.0.2.30",
                                                   device: FabricNames.subnetBridge("subnet-0aaa000000000002"), table: priv)))
    }

    @Test func interfaceNamespaceHoldsTheENIAddressAndDefaultRoute() throws {
        let ns = try #require(planner.plan(Fx.twoSubnetVPC()).namespaces[names.interfaceNamespace("eni-app")])
        #expect(ns.role == .interface && ns.owned)
        #expect(ns.state.links["eth0"] == .init(kind: .veth))
        #expect(ns.state.addresses == [.init(device: "eth0", cidr: "10.0.2.20/24")])
        #expect(ns.state.routes == [.init(destination: "0.0.0.0/0", gateway: "10.0.2.1", device: "eth0")])
        #expect(ns.creates.isEmpty, "the router creates the ENI's veth")
    }

    @Test func securityGroupRulesetHasTheImportantLines() throws {
        var model = Fx.twoSubnetVPC()
        model.addRules(to: "sg-other", [
            .init(id: "sgr-icmp", isEgress: false, ipProtocol: "icmp", fromPort: 8, toPort: -1, peer: .cidr(Fx.cidr("10.9.0.0/16"))),
            .init(id: "sgr-udp", isEgress: false, ipProtocol: "udp", fromPort: 53, toPort: 53, peer: .group("sg-other")),
            .init(id: "sgr-udp-all", isEgress: true, ipProtocol: "17", fromPort: 0, toPort: 65535, peer: .cidr(Fx.cidr("10.2.0.0/16"))),
            .init(id: "sgr-gre", isEgress: false, ipProtocol: "47", fromPort: -1, toPort: -1, peer: .cidr(Fx.cidr("10.3.3.0/24"))),
        ])
        let plan = planner.plan(model)
        let web = try #require(plan.namespaces[names.interfaceNamespace("eni-web")]?.firewall?.ruleset)
        #expect(web.contains("set sg_app {\n\t\ttype ipv4_addr\n\t\telements = { 10.0.2.20 }\n\t}"))
        #expect(web.contains("ip saddr 10.0.0.0/16 tcp dport 8080 accept comment \"sgr-web-8080\""))
        #expect(web.contains("ip saddr @sg_app tcp dport 9000 accept"))
        #expect(web.contains("meta nfproto ipv4 accept comment \"sgr-web-out\""))
        #expect(web.contains("type filter hook input priority filter; policy drop;"))
        #expect(web.contains("ct state established,related accept"))
        #expect(web.contains("ct state invalid drop"))
        #expect(web.contains("iifname \"lo\" accept"))
        #expect(web.contains("iifname \"lv-x-*\" oifname \"eth0\" jump egress"))
        #expect(web.contains("ip saddr 169.254.128.0/17 oifname \"eth0\" snat to 10.0.1.10"))
        #expect(web.hasPrefix("add table inet lv_sg\ndelete table inet lv_sg\ntable inet lv_sg {\n\tchain lv_fp_"))

        let app = try #require(plan.namespaces[names.interfaceNamespace("eni-app")]?.firewall?.ruleset)
        #expect(app.contains("ip daddr 0.0.0.0/0") == false, "a 0.0.0.0/0 peer needs no address match")
        #expect(app.contains("meta nfproto ipv4 tcp dport 8080-8081 accept"))
        #expect(app.contains("ip daddr @sg_web tcp dport 9000 accept"))

        let other = try #require(plan.namespaces[names.interfaceNamespace("eni-other")]?.firewall?.ruleset)
        #expect(other.contains("ip saddr 10.0.0.0/16 meta l4proto tcp accept"), "0-65535 is all of tcp")
        #expect(other.contains("ip saddr 10.9.0.0/16 icmp type 8 accept"))
        #expect(other.contains("ip saddr @sg_other udp dport 53 accept"))
        #expect(other.contains("set sg_other {\n\t\ttype ipv4_addr\n\t\telements = { 10.0.2.30 }"), "self-reference lists itself")
        #expect(other.contains("ip daddr 10.2.0.0/16 meta l4proto udp accept"))
        #expect(other.contains("ip saddr 10.3.3.0/24 meta l4proto 47 accept"))
    }

    @Test func fingerprintFollowsRulesAndMembershipOnly() throws {
        let model = Fx.twoSubnetVPC()
        let fp = { (m: FabricModel, eni: String) in planner.plan(m).namespaces[names.interfaceNamespace(eni)]!.firewall!.fingerprint }
        #expect(fp(model, "eni-web") == fp(Fx.twoSubnetVPC(), "eni-web"))
        var changed = model
        changed.addRules(to: "sg-web", [Fx.tcp("sgr-new", 7000, from: .cidr(Fx.cidr("10.0.2.30/32")))])
        #expect(fp(changed, "eni-web") != fp(model, "eni-web"))
        #expect(fp(changed, "eni-app") == fp(model, "eni-app"))
        var member = model
        member.addGroup("sg-app", toInterface: "eni-other")  // eni-other joins sg-app: sg-web's set changes
        #expect(fp(member, "eni-web") != fp(model, "eni-web"))
    }

    @Test func environmentsGetALinkIntoTheirTarget() throws {
        let env = EnvironmentAttachment(environmentNamespace: "lv-env-1", target: .interface("eni-app"), slot: 3)
        let lam = EnvironmentAttachment(environmentNamespace: "lv-env-2", target: .lambdaNetwork, slot: 0)
        let gone = EnvironmentAttachment(environmentNamespace: "lv-env-3", target: .interface("eni-nope"), slot: 0)
        let plan = planner.plan(Fx.twoSubnetVPC(), attachments: [env, lam, gone])
        let port = FabricNames.environmentPort("lv-env-1")
        let eni = try #require(plan.namespaces[names.interfaceNamespace("eni-app")])
        #expect(eni.creates[port] == VethPeer(name: "eth0", namespace: "lv-env-1"))
        #expect(eni.state.addresses.contains(.init(device: port, cidr: "169.254.128.13/30")))
        let e = try #require(plan.namespaces["lv-env-1"])
        #expect(!e.owned && e.role == .environment)
        #expect(e.state.addresses == [.init(device: "eth0", cidr: "169.254.128.14/30")])
        #expect(e.state.routes == [.init(destination: "0.0.0.0/0", gateway: "169.254.128.13", device: "eth0")])
        #expect(plan.namespaces[names.lambdaNetworkNamespace]?.state.links[FabricNames.environmentPort("lv-env-2")] != nil)
        #expect(plan.namespaces["lv-env-3"] == nil, "an attachment to an unknown ENI is not planned")
        #expect(EnvironmentAttachment.freeSlot(for: .interface("eni-app"), among: [env]) == 0)
        #expect(EnvironmentAttachment.freeSlot(for: .interface("eni-app"),
                                                among: [EnvironmentAttachment(environmentNamespace: "x", target: .interface("eni-app"), slot: 0)]) == 1)
    }

    @Test func modelFromCloudStateKeepsWhatTheKernelEnforces() throws {
        var st = CloudState()
        let now = Date(timeIntervalSince1970: 0)
        st.vpcs["vpc-1"] = Vpc(id: "vpc-1", cidrBlock: Fx.cidr("10.0.0.0/16"), cidrAssociationId: "a", instanceTenancy: "default",
                               isDefault: false, dhcpOptionsId: "d", ownerId: "1", tags: [], createdAt: now)
        st.subnets["subnet-1"] = Subnet(id: "subnet-1", vpcId: "vpc-1", cidrBlock: Fx.cidr("10.0.1.0/24"), availabilityZone: "z",
                                        availabilityZoneId: "z", mapPublicIpOnLaunch: false, ownerId: "1", tags: [], createdAt: now)
        st.securityGroups["sg-1"] = SecurityGroup(id: "sg-1", vpcId: "vpc-1", name: "default", description: "d", ownerId: "1",
                                                  tags: [], createdAt: now)
        st.securityGroupRules["sgr-2"] = SecurityGroupRule(id: "sgr-2", groupId: "sg-1", isEgress: false, ipProtocol: "-1", fromPort: -1,
                                                           toPort: -1, cidrIpv4: nil, cidrIpv6: nil, referencedGroupId: "sg-1",
                                                           description: nil, ownerId: "1", tags: [], sequence: 2)
        st.securityGroupRules["sgr-1"] = SecurityGroupRule(id: "sgr-1", groupId: "sg-1", isEgress: true, ipProtocol: "-1", fromPort: -1,
                                                           toPort: -1, cidrIpv4: Fx.cidr("0.0.0.0/0"), cidrIpv6: nil, referencedGroupId: nil,
                                                           description: nil, ownerId: "1", tags: [], sequence: 1)
        st.securityGroupRules["sgr-3"] = SecurityGroupRule(id: "sgr-3", groupId: "sg-1", isEgress: true, ipProtocol: "-1", fromPort: -1,
                                                           toPort: -1, cidrIpv4: nil, cidrIpv6: "::/0", referencedGroupId: nil,
                                                           description: nil, ownerId: "1", tags: [], sequence: 3)
        st.routeTables["rtb-1"] = RouteTable(id: "rtb-1", vpcId: "vpc-1", routes: [
            .init(destination: Fx.cidr("10.0.0.0/16"), gatewayId: "local", origin: "CreateRouteTable"),
            .init(destination: Fx.cidr("0.0.0.0/0"), gatewayId: "igw-1", origin: "CreateRoute"),
        ], associations: [.init(id: "rtbassoc-1", main: true, subnetId: nil)], ownerId: "1", tags: [], createdAt: now)
        st.networkInterfaces["eni-1"] = NetworkInterface(
            id: "eni-1", subnetId: "subnet-1", vpcId: "vpc-1", availabilityZone: "z", privateIpAddress: Fx.ip("10.0.1.5"),
            macAddress: "02:00:00:00:00:01", groupIds: ["sg-1"], interfaceType: "lambda", description: "", requesterId: nil,
            requesterManaged: true, status: "in-use", sourceDestCheck: true, attachment: nil, ownerId: "1", tags: [], createdAt: now)
        st.internetGateways["igw-1"] = InternetGateway(id: "igw-1", attachedVpcId: "vpc-1", ownerId: "1", tags: [], createdAt: now)
        st.internetGateways["igw-2"] = InternetGateway(id: "igw-2", attachedVpcId: nil, ownerId: "1", tags: [], createdAt: now)
        st.addresses["eipalloc-1"] = ElasticAddress(id: "eipalloc-1", publicIp: Fx.ip("192.0.2.7"), association: .init(
            id: "eipassoc-1", networkInterfaceId: "eni-1", privateIpAddress: Fx.ip("10.0.1.5"), instanceId: nil), ownerId: "1", tags: [],
            createdAt: now)
        st.addresses["eipalloc-2"] = ElasticAddress(id: "eipalloc-2", publicIp: Fx.ip("192.0.2.8"), association: nil, ownerId: "1",
                                                    tags: [], createdAt: now)
        st.natGateways["nat-1"] = NatGateway(id: "nat-1", vpcId: "vpc-1", subnetId: "subnet-1", connectivityType: "public",
                                             allocationId: nil, publicIp: nil, networkInterfaceId: "eni-1", privateIp: Fx.ip("10.0.1.5"),
                                             state: .available, stateChangedAt: now, ownerId: "1", tags: [], createdAt: now)
        st.natGateways["nat-2"] = NatGateway(id: "nat-2", vpcId: "vpc-1", subnetId: "subnet-1", connectivityType: "public",
                                             allocationId: nil, publicIp: nil, networkInterfaceId: "eni-gone", privateIp: Fx.ip("10.0.1.6"),
                                             state: .deleted, stateChangedAt: now, ownerId: "1", tags: [], createdAt: now)
        let m = FabricModel(state: st)
        #expect(m.internetGateways == [.init(id: "igw-1", vpcId: "vpc-1")], "detached gateways route nothing")
        #expect(m.publicMappings == [.init(publicIp: Fx.ip("192.0.2.7"), interfaceId: "eni-1", privateIp: Fx.ip("10.0.1.5"))])
        #expect(m.natGateways == [.init(id: "nat-1", interfaceId: "eni-1", isAvailable: true)], "a NAT without its interface is gone")
        #expect(m.vpcs == [.init(id: "vpc-1", cidr: Fx.cidr("10.0.0.0/16"))])
        #expect(m.securityGroups[0].rules.map(\.id) == ["sgr-1", "sgr-2"], "sequence order, IPv6-only rule dropped")
        #expect(m.securityGroups[0].rules[1].peer == .group("sg-1"))
        #expect(m.routeTables[0].isMain && m.routeTables[0].routes.map(\.target) == [.local, .internetGateway("igw-1")])
        #expect(m.interfaces == [.init(id: "eni-1", subnetId: "subnet-1", address: Fx.ip("10.0.1.5"), groupIds: ["sg-1"], interfaceType: "lambda")])
        #expect(m == FabricModel(state: st), "equal states give equal models")
    }
}
