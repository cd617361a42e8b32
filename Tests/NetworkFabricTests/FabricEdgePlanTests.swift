import CloudModel
import Foundation
@testable import NetworkFabric
import Testing

/// The service edge in the plan: "public AWS" behind one port of the internet core.
@Suite struct FabricEdgePlanTests {
    let names = try! FabricNames(tag: "c0ffee")
    var planner: FabricPlanner { FabricPlanner(names: names) }

    @Test func theCoreRoutesTheWholeEdgeBlockToTheEdgeNamespace() throws {
        let env = EnvironmentAttachment(environmentNamespace: "lv-env-1", target: .lambdaNetwork, slot: 0)
        let plan = planner.plan(.empty, attachments: [env])
        let core = try #require(plan.namespaces[names.internetNamespace])
        #expect(core.creates["lv-edge"] == VethPeer(name: "eth0", namespace: "lv-c0ffee-edge"))
        #expect(core.state.addresses.contains(.init(device: "lv-edge", cidr: "169.254.0.1/32")))
        #expect(core.state.routes.contains(.init(destination: "198.18.0.0/15", device: "lv-edge")))

        let edge = try #require(plan.namespaces[names.edgeNamespace])
        #expect(edge.role == .interface && edge.owned, "made after the core, which creates its veth")
        #expect(edge.state.addresses == [.init(device: "eth0", cidr: "169.254.0.3/32")])
        #expect(edge.state.routes == [
            .init(type: "local", destination: "198.18.0.0/15", device: "lo", table: "local"),
            .init(destination: "169.254.0.1/32", device: "eth0"),
            .init(destination: "0.0.0.0/0", gateway: "169.254.0.1", device: "eth0"),
        ], "every service address is local; answers go back through the core")
        let rules = try #require(edge.firewall?.ruleset)
        #expect(rules.contains("policy drop;") && rules.contains("ip daddr 198.18.0.0/15 tcp dport { 80, 443 } accept"),
                "other ports time out instead of being refused: \(rules)")
    }

    @Test func theEdgeComesAndGoesWithTheCore() {
        #expect(planner.plan(.empty).namespaces[names.edgeNamespace] == nil, "no core, no edge")
        let hosts = planner.plan(.empty, hosts: [Fx.ip("203.0.113.10")])
        #expect(hosts.namespaces[names.edgeNamespace] != nil)
        #expect(FabricChange.routeSpec(.init(type: "local", destination: "198.18.0.0/15", device: "lo", table: "local"))
                == "local 198.18.0.0/15 dev lo table local proto static")
    }

    @Test func everyServiceAddressIsInsideTheRoutedBlock() {
        for region in [nil, "us-east-1", "eu-west-1"] {
            for service in ServiceEdge.services {
                let a = ServiceEdge.address(service: service, region: region)!
                #expect(ServiceEdge.block.contains(a) && !ElasticAddress.pool.contains(a))
            }
        }
    }
}
