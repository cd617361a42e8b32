import CloudModel
import Foundation
@testable import NetworkFabric
import Testing

/// A subnet in a VPC's secondary IPv4 block is wired like one in the primary block.
@Suite struct FabricSecondaryCidrPlanTests {
    let names = try! FabricNames(tag: "c0ffee")
    let vpc = "vpc-0aaa0000000000001"
    let secondarySubnet = "subnet-0aaa000000000009"

    /// The two-subnet VPC plus 10.1.0.0/16 with subnet 10.1.5.0/24 holding `eni-far`, and the control plane's local
    /// route for the new block in the main table.
    func model(withNAT: Bool = false) -> FabricModel {
        var m = Fx.twoSubnetVPC()
        m.vpcs[0].secondaryCidrs = [Fx.cidr("10.1.0.0/16")]
        m.subnets.append(.init(id: secondarySubnet, vpcId: vpc, cidr: Fx.cidr("10.1.5.0/24")))
        m.routeTables[0].routes.append(.init(destination: Fx.cidr("10.1.0.0/16"), target: .local))
        m.interfaces.append(.init(id: "eni-far", subnetId: secondarySubnet, address: Fx.ip("10.1.5.7"), groupIds: ["sg-other"]))
        if withNAT {
            m.interfaces.append(.init(id: "eni-nat", subnetId: "subnet-0aaa000000000001", address: Fx.ip("10.0.1.50"), groupIds: [],
                                      interfaceType: "nat_gateway"))
            m.natGateways = [.init(id: "nat-1", interfaceId: "eni-nat", isAvailable: true)]
        }
        return m
    }

    @Test func routerBridgesTheSecondarySubnetAndRoutesItsBlockLocally() throws {
        let r = try #require(FabricPlanner(names: names).plan(model()).namespaces[names.vpcRouterNamespace(vpc)])
        let main = String(FabricPlanner.routeTableNumber("rtb-0aaa00000000000001"))
        let bridge = FabricNames.subnetBridge(secondarySubnet)
        #expect(r.state.links[bridge] == .init(kind: .bridge))
        #expect(r.state.addresses.contains(.init(device: bridge, cidr: "10.1.5.1/24")))
        #expect(r.state.rules.contains(.init(priority: FabricPlanner.subnetRulePriority, source: "10.1.5.0/24", table: main)))
        #expect(r.state.routes.contains(.init(type: "throw", destination: "10.1.0.0/16", table: main)))
        #expect(r.state.routes.contains(.init(type: "throw", destination: "10.0.0.0/16", table: main)))
        #expect(r.state.links[FabricNames.interfacePort("eni-far")]?.master == bridge)
    }

    @Test func natGatewayTreatsEveryBlockOfTheVPCAsInside() throws {
        let nat = try #require(FabricPlanner(names: names).plan(model(withNAT: true)).namespaces[names.interfaceNamespace("eni-nat")])
        let rules = try #require(nat.firewall?.ruleset)
        #expect(rules.contains("ip saddr { 10.0.0.0/16, 10.1.0.0/16 } ip daddr != { 10.0.0.0/16, 10.1.0.0/16 } accept"), "\(rules)")
    }

    @Test func theModelCarriesSecondaryBlocksFromTheCloudState() {
        var vpc = Vpc(id: self.vpc, cidrBlock: Fx.cidr("10.0.0.0/16"), cidrAssociationId: "vpc-cidr-assoc-1", instanceTenancy: "default",
                      isDefault: false, dhcpOptionsId: "dopt-1", ownerId: "123456789012", tags: [], createdAt: .init(timeIntervalSince1970: 0))
        vpc.secondaryCidrBlocks = [.init(associationId: "vpc-cidr-assoc-2", cidrBlock: Fx.cidr("10.1.0.0/16"))]
        var state = CloudState()
        state.vpcs[vpc.id] = vpc
        #expect(FabricModel(state: state).vpcs == [.init(id: self.vpc, cidr: Fx.cidr("10.0.0.0/16"), secondaryCidrs: [Fx.cidr("10.1.0.0/16")])])
    }
}
