import AWSWire
import CloudModel

/// Turns CreateRoute/ReplaceRoute parameters into a route: exactly one target, which must exist and
/// belong to the table's VPC. Pure over a state, so the rules are tested without a server.
enum RouteTargets {
    /// The target parameters EC2 knows, in the order its messages list them.
    static let targetParameters = ["GatewayId", "NatGatewayId", "NetworkInterfaceId", "VpcPeeringConnectionId",
                                   "EgressOnlyInternetGatewayId", "TransitGatewayId", "LocalGatewayId", "CarrierGatewayId",
                                   "InstanceId", "VpcEndpointId", "CoreNetworkArn"]

    static func destination(_ p: QueryParameters) throws -> IPv4CIDR {
        if p["DestinationIpv6CidrBlock"] != nil || p["DestinationPrefixListId"] != nil {
            throw EC2Errors.invalidParameterValue("Only IPv4 destinations (DestinationCidrBlock) are supported by this endpoint.")
        }
        guard let text = p["DestinationCidrBlock"], !text.isEmpty else { throw EC2Errors.missingParameter("destinationCidrBlock") }
        guard let cidr = IPv4CIDR(text) else { throw EC2Errors.invalidCidr(text, parameter: "destinationCidrBlock") }
        return cidr.normalized
    }

    /// The route `p` asks for in `table`; `origin` is `CreateRoute` for user routes.
    static func route(_ p: QueryParameters, destination: IPv4CIDR, table: RouteTable, in s: CloudState) throws -> RouteTable.Route {
        let given = targetParameters.filter { (p[$0] ?? "").isEmpty == false }
        let localTarget = p["LocalTarget"]?.lowercased() == "true"
        if given.isEmpty && !localTarget { throw EC2Errors.missingRouteTarget() }
        if given.count > 1 { throw EC2Errors.parameterCombination(given[0], given[1]) }
        if localTarget {
            if let other = given.first { throw EC2Errors.parameterCombination("LocalTarget", other) }
            return .init(destination: destination, gatewayId: "local", origin: "CreateRoute")
        }
        let name = given[0], id = p[name]!
        let vpcCidrs = s.vpcs[table.vpcId]?.ipv4CidrBlocks ?? []
        let interfaceLike = name == "NetworkInterfaceId" || name == "InstanceId"
        if vpcCidrs.contains(where: { $0.contains(destination) }), !interfaceLike {
            throw EC2Errors.routeMoreSpecificThanVpc(destination.description)
        }
        switch name {
        case "GatewayId":
            guard id.hasPrefix("igw-"), let igw = s.internetGateways[id] else { throw EC2Errors.gatewayNotFound(id) }
            if igw.attachedVpcId != table.vpcId { throw EC2Errors.differentNetworksGateway(table: table.id, gateway: id) }
            return .init(destination: destination, gatewayId: id, origin: "CreateRoute")
        case "NatGatewayId":
            guard let nat = s.natGateways[id], nat.state != .deleted else { throw EC2Errors.natGatewayIdNotFound(id) }
            if nat.vpcId != table.vpcId { throw EC2Errors.differentNetworksGateway(table: table.id, gateway: id) }
            return .init(destination: destination, natGatewayId: id, origin: "CreateRoute")
        case "NetworkInterfaceId":
            guard let eni = s.networkInterfaces[id] else { throw EC2Errors.networkInterfaceNotFound(id) }
            if eni.vpcId != table.vpcId { throw EC2Errors.differentNetworksTarget(table: table.id, target: id) }
            return .init(destination: destination, networkInterfaceId: id, instanceId: eni.attachment?.instanceId, origin: "CreateRoute")
        case "InstanceId":
            guard let inst = s.instances[id], let eniId = inst.networkInterfaceId else { throw EC2Errors.instanceNotFound([id]) }
            if inst.vpcId != table.vpcId { throw EC2Errors.differentNetworksTarget(table: table.id, target: id) }
            return .init(destination: destination, networkInterfaceId: eniId, instanceId: id, origin: "CreateRoute")
        case "VpcPeeringConnectionId": throw EC2Errors.vpcPeeringNotFound(id)
        case "TransitGatewayId": throw EC2Errors.transitGatewayNotFound(id)
        default: throw EC2Errors.gatewayNotFound(id)
        }
    }
}

extension EC2Service {
    func createRoute(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let tableId = try required(p, "RouteTableId")
        try checkID(tableId, "rtb")
        let destination = try RouteTargets.destination(p)
        try mutate(p) { tx in
            guard let table = tx.get(RouteTable.self, tableId) else { throw EC2Errors.routeTableNotFound(tableId) }
            if table.routes.contains(where: { $0.destination == destination }) {
                throw EC2Errors.routeAlreadyExists(destination.description)
            }
            let route = try RouteTargets.route(p, destination: destination, table: table, in: tx.state)
            if route.gatewayId == "local" { throw EC2Errors.invalidParameterValue("LocalTarget is only valid with ReplaceRoute") }
            tx.update(RouteTable.self, tableId) { $0.routes.append(route) }
        }
        return EC2XML.response("CreateRoute", requestID: ctx.requestID) { $0.element("return", true) }
    }

    func replaceRoute(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let tableId = try required(p, "RouteTableId")
        try checkID(tableId, "rtb")
        let destination = try RouteTargets.destination(p)
        try mutate(p) { tx in
            guard let table = tx.get(RouteTable.self, tableId) else { throw EC2Errors.routeTableNotFound(tableId) }
            guard let i = table.routes.firstIndex(where: { $0.destination == destination }) else {
                throw EC2Errors.routeToReplaceNotFound(destination.description)
            }
            let old = table.routes[i]
            var route = try RouteTargets.route(p, destination: destination, table: table, in: tx.state)
            if old.gatewayId == "local" { throw EC2Errors.cannotReplaceLocalRoute(destination.description, table: tableId) }
            if route.gatewayId == "local" { throw EC2Errors.invalidParameterValue("LocalTarget can only restore a local route.") }
            route.origin = old.origin
            tx.update(RouteTable.self, tableId) { $0.routes[i] = route }
        }
        return EC2XML.response("ReplaceRoute", requestID: ctx.requestID) { $0.element("return", true) }
    }

    func deleteRoute(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let tableId = try required(p, "RouteTableId")
        try checkID(tableId, "rtb")
        let destination = try RouteTargets.destination(p)
        try mutate(p) { tx in
            guard let table = tx.get(RouteTable.self, tableId) else { throw EC2Errors.routeTableNotFound(tableId) }
            guard let i = table.routes.firstIndex(where: { $0.destination == destination }) else {
                throw EC2Errors.routeNotFound(destination.description)
            }
            if table.routes[i].gatewayId == "local" {
                throw EC2Errors.cannotRemoveLocalRoute(destination.description, table: tableId)
            }
            tx.update(RouteTable.self, tableId) { $0.routes.remove(at: i) }
        }
        return EC2XML.response("DeleteRoute", requestID: ctx.requestID) { $0.element("return", true) }
    }
}
