import CloudModel
import Testing
@testable import NetworkFabric

/// Where the planner puts the Amazon-provided resolver's addresses and the firewall openings for it.
@Suite struct FabricResolverPlanTests {
    let names = try! FabricNames(tag: "beef")
    var planner: FabricPlanner { FabricPlanner(names: names) }
    let vpc = "vpc-0aaa0000000000001"

    @Test func routerHoldsBasePlusTwoAndTheLinkLocalAddressOnLoopback() throws {
        let plan = planner.plan(Fx.twoSubnetVPC())
        let router = try #require(plan.namespaces[names.vpcRouterNamespace(vpc)])
        #expect(router.state.addresses.filter { $0.device == "lo" }.sorted()
            == [.init(device: "lo", cidr: "10.0.0.2/32"), .init(device: "lo", cidr: "169.254.169.253/32")])
        #expect(router.resolver == ResolverListener(view: .vpc(vpc), addresses: [Fx.ip("10.0.0.2"), Fx.ip("169.254.169.253")]))
        // No other namespace of the VPC listens.
        #expect(plan.namespaces.values.compactMap(\.resolver).count == 1)
    }

    @Test func securityGroupsDoNotFilterTheResolver() throws {
        let plan = planner.plan(Fx.twoSubnetVPC())
        // eni-app's groups allow egress only to tcp 8080-8081 and 9000: DNS passes before them.
        let app = try #require(plan.namespaces[names.interfaceNamespace("eni-app")]?.firewall?.ruleset)
        let dns = "ip daddr { 10.0.0.2, 169.254.169.253 } meta l4proto { tcp, udp } th dport 53 accept"
        #expect(app.contains("\t\tiifname \"lv-x-*\" oifname \"eth0\" \(dns)\n\t\tiifname \"lv-x-*\" oifname \"eth0\" jump egress\n"))
        #expect(app.contains("\t\toifname \"eth0\" \(dns)\n\t\toifname \"eth0\" jump egress\n"))
    }

    @Test func withoutDNSSupportNothingListensAndNothingIsOpened() throws {
        var model = Fx.twoSubnetVPC()
        model.vpcs[0].dnsSupport = false
        let plan = planner.plan(model)
        let router = try #require(plan.namespaces[names.vpcRouterNamespace(vpc)])
        #expect(router.state.addresses.allSatisfy { $0.device != "lo" })
        #expect(router.resolver == nil)
        let app = try #require(plan.namespaces[names.interfaceNamespace("eni-app")]?.firewall?.ruleset)
        #expect(!app.contains("dport 53"))
    }

    @Test func modelCarriesEnableDnsSupport() {
        var s = CloudState()
        var v = Vpc(id: "vpc-1", cidrBlock: Fx.cidr("10.9.0.0/16"), cidrAssociationId: "a", instanceTenancy: "default",
                    isDefault: false, dhcpOptionsId: "d", ownerId: "1", tags: [], createdAt: .init(timeIntervalSince1970: 0))
        s.vpcs[v.id] = v
        #expect(FabricModel(state: s).vpcs[0].dnsSupport)
        v.dnsSupport = false
        s.vpcs[v.id] = v
        #expect(!FabricModel(state: s).vpcs[0].dnsSupport)
    }

    @Test func lambdaNetworkResolverAnswersItsEnvironmentsOnly() throws {
        let env = EnvironmentAttachment(environmentNamespace: "lv-env-1", target: .lambdaNetwork, slot: 0)
        let plan = planner.plan(.empty, attachments: [env])
        let lam = try #require(plan.namespaces[names.lambdaNetworkNamespace])
        #expect(lam.state.addresses.contains(.init(device: "lo", cidr: "169.254.169.253/32")))
        #expect(lam.resolver == ResolverListener(view: .lambdaNetwork, addresses: [Fx.ip("169.254.169.253")]))
        let rules = try #require(lam.firewall?.ruleset)
        #expect(rules.contains("\t\tiifname \"lv-x-*\" ip daddr 169.254.169.253 meta l4proto { tcp, udp } th dport 53 accept\n"))
    }

    @Test func environmentLinksNeverTakeMetadataAddresses() {
        // Fill every slot below 169.254.169.0: the next one skips the /24 the resolver and metadata live in.
        let below = (0..<2624).map { EnvironmentAttachment(environmentNamespace: "e\($0)", target: .lambdaNetwork, slot: $0) }
        let slot = EnvironmentAttachment.freeSlot(for: .lambdaNetwork, among: below)
        let next = EnvironmentAttachment(environmentNamespace: "n", target: .lambdaNetwork, slot: slot!)
        #expect(next.gatewayAddress.description == "169.254.170.1")
    }
}
