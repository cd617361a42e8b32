import AWSWire
import CloudModel
import Foundation
import Testing
@testable import ControlPlane

/// Shared plumbing for the in-process tests of routes, gateways, addresses and instances.
struct EC2Harness {
    let clock = ManualTimeSource()
    let store: StateStore
    let ec2: EC2Service
    let ctx = RequestContext(requestID: "req-1", accountId: "123456789012", region: "us-east-1",
                             principal: .root(accountId: "123456789012", accessKeyId: "test"), sourceIP: "127.0.0.1")

    init(runtime: any InstanceRuntime = InProcessInstanceRuntime()) throws {
        store = try StateStore(durable: NullRecordStore(), clock: clock)
        ec2 = EC2Service(store: store, accountId: "123456789012", region: "us-east-1", runtime: runtime)
    }

    @discardableResult
    func call(_ action: String, _ params: [String: String] = [:]) throws -> String {
        try ec2.handle(action: action, params: QueryParameters(params), context: ctx)
    }

    func value(_ xml: String, _ tag: String) -> String? {
        guard let a = xml.range(of: "<\(tag)>"), let b = xml.range(of: "</\(tag)>", range: a.upperBound..<xml.endIndex) else { return nil }
        return String(xml[a.upperBound..<b.lowerBound])
    }

    func id(_ action: String, _ params: [String: String], _ tag: String) throws -> String {
        try #require(value(try call(action, params), tag))
    }

    /// Expects `body` to fail with `code` (and `message` when given) and the state to be unchanged.
    func expectError(_ code: String, _ message: String? = nil, sourceLocation: SourceLocation = #_sourceLocation,
                     _ body: () throws -> Void) {
        let before = store.snapshot()
        do {
            try body()
            Issue.record("expected \(code)", sourceLocation: sourceLocation)
        } catch let e as AWSError {
            #expect(e.code == code, sourceLocation: sourceLocation)
            if let message { #expect(e.message == message, sourceLocation: sourceLocation) }
        } catch {
            Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
        }
        let after = store.snapshot()
        #expect(before.routeTables == after.routeTables && before.internetGateways == after.internetGateways
                && before.addresses == after.addresses && before.natGateways == after.natGateways
                && before.instances == after.instances && before.networkInterfaces == after.networkInterfaces,
                "a failed call changed the state", sourceLocation: sourceLocation)
    }

    /// A VPC 10.0.0.0/16 with one subnet 10.0.1.0/24; returns (vpc, subnet, main route table).
    func network() throws -> (vpc: String, subnet: String, main: String) {
        let vpc = try id("CreateVpc", ["CidrBlock": "10.0.0.0/16"], "vpcId")
        let subnet = try id("CreateSubnet", ["VpcId": vpc, "CidrBlock": "10.0.1.0/24"], "subnetId")
        let main = try #require(store.snapshot().routeTables.values.first { $0.vpcId == vpc && $0.isMain }?.id)
        return (vpc, subnet, main)
    }

    func attachedGateway(_ vpc: String) throws -> String {
        let igw = try id("CreateInternetGateway", [:], "internetGatewayId")
        try call("AttachInternetGateway", ["InternetGatewayId": igw, "VpcId": vpc])
        return igw
    }
}

@Suite struct EC2RouteTests {
    let h: EC2Harness
    init() throws { h = try EC2Harness() }

    @Test func routeToAttachedGatewayThenBlackholeWhenDetached() throws {
        let (vpc, _, main) = try h.network()
        let igw = try h.attachedGateway(vpc)
        try h.call("CreateRoute", ["RouteTableId": main, "DestinationCidrBlock": "0.0.0.0/0", "GatewayId": igw])
        var xml = try h.call("DescribeRouteTables", ["RouteTableId.1": main])
        #expect(xml.contains("<destinationCidrBlock>0.0.0.0/0</destinationCidrBlock><gatewayId>\(igw)</gatewayId><state>active</state><origin>CreateRoute</origin>"))
        h.expectError("RouteAlreadyExists", "The route identified by 0.0.0.0/0 already exists.") {
            try h.call("CreateRoute", ["RouteTableId": main, "DestinationCidrBlock": "0.0.0.0/0", "GatewayId": igw])
        }
        try h.call("DetachInternetGateway", ["InternetGatewayId": igw, "VpcId": vpc])
        xml = try h.call("DescribeRouteTables", ["RouteTableId.1": main, "Filter.1.Name": "route.state", "Filter.1.Value.1": "blackhole"])
        #expect(xml.contains("<gatewayId>\(igw)</gatewayId><state>blackhole</state>"))
    }

    @Test func routeTargetsMustExistAndBelongToTheVpc() throws {
        let (vpc, _, main) = try h.network()
        let loose = try h.id("CreateInternetGateway", [:], "internetGatewayId")
        h.expectError("InvalidParameterValue", "route table \(main) and network gateway \(loose) belong to different networks") {
            try h.call("CreateRoute", ["RouteTableId": main, "DestinationCidrBlock": "0.0.0.0/0", "GatewayId": loose])
        }
        h.expectError("InvalidGatewayID.NotFound", "The gateway ID 'igw-0123456789abcdef0' does not exist") {
            try h.call("CreateRoute", ["RouteTableId": main, "DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-0123456789abcdef0"])
        }
        h.expectError("InvalidNatGatewayID.NotFound") {
            try h.call("CreateRoute", ["RouteTableId": main, "DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": "nat-0123456789abcdef0"])
        }
        h.expectError("MissingParameter") { try h.call("CreateRoute", ["RouteTableId": main, "DestinationCidrBlock": "0.0.0.0/0"]) }
        h.expectError("InvalidParameterCombination") {
            try h.call("CreateRoute", ["RouteTableId": main, "DestinationCidrBlock": "0.0.0.0/0", "GatewayId": loose,
                                       "NatGatewayId": "nat-0123456789abcdef0"])
        }
        h.expectError("InvalidParameterValue") {
            try h.call("CreateRoute", ["RouteTableId": main, "DestinationCidrBlock": "10.0.5.0/24", "GatewayId": loose])
        }
        h.expectError("InvalidRoute.NotFound", "The route identified by 1.2.3.0/24 does not exist.") {
            try h.call("DeleteRoute", ["RouteTableId": main, "DestinationCidrBlock": "1.2.3.0/24"])
        }
        h.expectError("InvalidParameterValue", "cannot remove local route 10.0.0.0/16 in route table \(main)") {
            try h.call("DeleteRoute", ["RouteTableId": main, "DestinationCidrBlock": "10.0.0.0/16"])
        }
        h.expectError("InvalidRoute.NotFound") {
            try h.call("ReplaceRoute", ["RouteTableId": main, "DestinationCidrBlock": "0.0.0.0/0", "GatewayId": loose])
        }
        _ = vpc
    }

    @Test func replaceAndDeleteRouteToInterface() throws {
        let (vpc, subnet, main) = try h.network()
        let igw = try h.attachedGateway(vpc)
        let eni = try h.id("CreateNetworkInterface", ["SubnetId": subnet], "networkInterfaceId")
        try h.call("CreateRoute", ["RouteTableId": main, "DestinationCidrBlock": "192.168.0.0/16", "GatewayId": igw])
        try h.call("ReplaceRoute", ["RouteTableId": main, "DestinationCidrBlock": "192.168.0.0/16", "NetworkInterfaceId": eni])
        var route = try #require(h.store.snapshot().routeTables[main]?.routes.last)
        #expect(route.networkInterfaceId == eni && route.gatewayId == nil)
        try h.call("DeleteNetworkInterface", ["NetworkInterfaceId": eni])
        route = try #require(h.store.snapshot().routeTables[main]?.routes.last)
        #expect(h.store.snapshot().routeState(route, vpcId: vpc) == "blackhole")
        try h.call("DeleteRoute", ["RouteTableId": main, "DestinationCidrBlock": "192.168.0.0/16"])
        #expect(h.store.snapshot().routeTables[main]?.routes.count == 1)
    }

    @Test func associationsAndMainTable() throws {
        let (vpc, subnet, main) = try h.network()
        let custom = try h.id("CreateRouteTable", ["VpcId": vpc], "routeTableId")
        let assoc = try h.id("AssociateRouteTable", ["RouteTableId": custom, "SubnetId": subnet], "associationId")
        #expect(assoc.hasPrefix("rtbassoc-"))
        #expect(h.store.snapshot().routeTable(forSubnet: subnet)?.id == custom)
        h.expectError("Resource.AlreadyAssociated") { try h.call("AssociateRouteTable", ["RouteTableId": main, "SubnetId": subnet]) }
        h.expectError("DependencyViolation", "The routeTable '\(custom)' has dependencies and cannot be deleted.") {
            try h.call("DeleteRouteTable", ["RouteTableId": custom])
        }
        h.expectError("DependencyViolation", "The routeTable '\(main)' has dependencies and cannot be deleted.") {
            try h.call("DeleteRouteTable", ["RouteTableId": main])
        }
        let mainAssoc = try #require(h.store.snapshot().routeTables[main]?.associations.first?.id)
        h.expectError("InvalidParameterValue") { try h.call("DisassociateRouteTable", ["AssociationId": mainAssoc]) }
        // Making the custom table the main one moves the marker.
        let newMain = try h.id("ReplaceRouteTableAssociation", ["AssociationId": mainAssoc, "RouteTableId": custom], "newAssociationId")
        let s = h.store.snapshot()
        #expect(s.routeTables[custom]?.isMain == true && s.routeTables[main]?.isMain == false)
        #expect(s.routeTables[custom]?.associations.contains { $0.id == newMain && $0.main } == true)
        try h.call("DisassociateRouteTable", ["AssociationId": assoc])
        try h.call("DeleteRouteTable", ["RouteTableId": main])
        h.expectError("InvalidAssociationID.NotFound") { try h.call("DisassociateRouteTable", ["AssociationId": assoc]) }
    }
}

@Suite struct EC2InternetGatewayTests {
    let h: EC2Harness
    init() throws { h = try EC2Harness() }

    @Test func attachDetachDeleteRules() throws {
        let (vpc, _, _) = try h.network()
        let igw = try h.attachedGateway(vpc)
        let other = try h.id("CreateInternetGateway", [:], "internetGatewayId")
        h.expectError("Resource.AlreadyAssociated", "resource \(igw) is already attached to network \(vpc)") {
            try h.call("AttachInternetGateway", ["InternetGatewayId": igw, "VpcId": vpc])
        }
        h.expectError("Resource.AlreadyAssociated") { try h.call("AttachInternetGateway", ["InternetGatewayId": other, "VpcId": vpc]) }
        h.expectError("DependencyViolation", "The internetGateway '\(igw)' has dependencies and cannot be deleted.") {
            try h.call("DeleteInternetGateway", ["InternetGatewayId": igw])
        }
        h.expectError("Gateway.NotAttached", "resource \(other) is not attached to network \(vpc)") {
            try h.call("DetachInternetGateway", ["InternetGatewayId": other, "VpcId": vpc])
        }
        let xml = try h.call("DescribeInternetGateways", ["Filter.1.Name": "attachment.vpc-id", "Filter.1.Value.1": vpc])
        #expect(xml.contains("<internetGatewayId>\(igw)</internetGatewayId><ownerId>123456789012</ownerId><attachmentSet><item><vpcId>\(vpc)</vpcId><state>available</state></item></attachmentSet>"))
        #expect(!xml.contains(other))
        try h.call("DetachInternetGateway", ["InternetGatewayId": igw, "VpcId": vpc])
        try h.call("DeleteInternetGateway", ["InternetGatewayId": igw])
        h.expectError("InvalidInternetGatewayID.NotFound", "The internetGateway ID '\(igw)' does not exist") {
            try h.call("DeleteInternetGateway", ["InternetGatewayId": igw])
        }
        h.expectError("InvalidInternetGatewayID.Malformed") { try h.call("DeleteInternetGateway", ["InternetGatewayId": "igw-zz"]) }
    }

    @Test func deleteVpcRefusedWhileGatewayAttached() throws {
        let vpc = try h.id("CreateVpc", ["CidrBlock": "10.1.0.0/16"], "vpcId")
        let igw = try h.attachedGateway(vpc)
        h.expectError("DependencyViolation", "The vpc '\(vpc)' has dependencies and cannot be deleted.") { try h.call("DeleteVpc", ["VpcId": vpc]) }
        try h.call("DetachInternetGateway", ["InternetGatewayId": igw, "VpcId": vpc])
        try h.call("DeleteVpc", ["VpcId": vpc])
    }
}

@Suite struct EC2AddressTests {
    let h: EC2Harness
    init() throws { h = try EC2Harness() }

    @Test func allocationTakesTheLowestFreePoolAddress() throws {
        #expect(ElasticAddress.firstFree(used: []) == IPv4Address("192.88.99.1"))
        let used = Set((1...253).map { IPv4Address(ElasticAddress.pool.address(at: UInt32($0)).value) })
        #expect(ElasticAddress.firstFree(used: used) == IPv4Address("192.88.99.254"))
        #expect(ElasticAddress.firstFree(used: used.union([IPv4Address("192.88.99.254")!])) == nil)
        let a = try h.call("AllocateAddress", ["Domain": "vpc"])
        let b = try h.call("AllocateAddress")
        #expect(h.value(a, "publicIp") == "192.88.99.1" && h.value(b, "publicIp") == "192.88.99.2")
        let first = try #require(h.value(a, "allocationId"))
        try h.call("ReleaseAddress", ["AllocationId": first])
        #expect(h.value(try h.call("AllocateAddress"), "publicIp") == "192.88.99.1")
        h.expectError("InvalidAllocationID.NotFound", "The allocation ID '\(first)' does not exist") {
            try h.call("ReleaseAddress", ["AllocationId": first])
        }
    }

    @Test func associateNeedsAGatewayAndBlocksRelease() throws {
        let (vpc, subnet, _) = try h.network()
        let eni = try h.id("CreateNetworkInterface", ["SubnetId": subnet], "networkInterfaceId")
        let alloc = try h.id("AllocateAddress", [:], "allocationId")
        h.expectError("Gateway.NotAttached", "Network \(vpc) is not attached to any internet gateway") {
            try h.call("AssociateAddress", ["AllocationId": alloc, "NetworkInterfaceId": eni])
        }
        let igw = try h.attachedGateway(vpc)
        let assoc = try h.id("AssociateAddress", ["AllocationId": alloc, "NetworkInterfaceId": eni], "associationId")
        h.expectError("InvalidIPAddress.InUse") { try h.call("ReleaseAddress", ["AllocationId": alloc]) }
        h.expectError("DependencyViolation") { try h.call("DetachInternetGateway", ["InternetGatewayId": igw, "VpcId": vpc]) }
        let xml = try h.call("DescribeAddresses", ["Filter.1.Name": "association-id", "Filter.1.Value.1": assoc])
        #expect(xml.contains("<networkInterfaceId>\(eni)</networkInterfaceId>") && xml.contains("<privateIpAddress>10.0.1.4</privateIpAddress>"))
        try h.call("DisassociateAddress", ["AssociationId": assoc])
        try h.call("ReleaseAddress", ["AllocationId": alloc])
    }
}
