import AWSWire
import CloudModel
import Foundation

/// VPC endpoints: a gateway endpoint puts a route to its service's prefix list into each of its route tables; an
/// interface endpoint puts one `vpc_endpoint` ENI into each of its subnets (one per zone) under its security groups.
/// Gateway endpoints are available at once; interface endpoints are `pending` until the lifecycle reconciler
/// provisions them.
extension EC2Service {
    var endpointServices: EndpointServiceCatalog { EndpointServiceCatalog(region: region) }

    func checkEndpointID(_ id: String) throws {
        if !ResourceID.isWellFormed(id, prefix: "vpce") { throw EC2Errors.vpcEndpointMalformed(id) }
    }

    func createVpcEndpoint(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let vpcId = try required(p, "VpcId")
        let serviceName = try required(p, "ServiceName")
        try checkID(vpcId, "vpc")
        let typeText = p["VpcEndpointType"] ?? "Gateway"
        guard let type = VpcEndpoint.EndpointType(rawValue: typeText) else { throw EC2Errors.endpointTypeUnsupported(typeText, serviceName) }
        let policy = try p["PolicyDocument"].map(Self.checkEndpointPolicy) ?? VpcEndpoint.fullAccessPolicy
        let routeTables = p.list("RouteTableId"), subnets = p.list("SubnetId"), groups = p.list("SecurityGroupId")
        for r in routeTables { try checkID(r, "rtb") }
        for s in subnets { try checkID(s, "subnet") }
        for g in groups { try checkID(g, "sg") }
        let privateDns = p["PrivateDnsEnabled"].map { $0.lowercased() == "true" } ?? (type == .interface)
        let tags = try tagSpecifications(p, resourceType: "vpc-endpoint")
        let catalog = endpointServices
        let token = p["ClientToken"]
        let endpoint = try mutate(p) { tx -> VpcEndpoint in
            if let token, let earlier = tx.state.vpcEndpoints.values.first(where: { $0.clientToken == token }) { return earlier }
            guard let vpc = tx.get(Vpc.self, vpcId) else { throw EC2Errors.vpcNotFound(vpcId) }
            guard let service = catalog.service(named: serviceName) else { throw EC2Errors.endpointServiceNotFound(serviceName) }
            guard service.types.contains(type) else { throw EC2Errors.endpointTypeUnsupported(typeText, serviceName) }
            var endpoint = VpcEndpoint(id: ResourceID.make("vpce"), type: type, vpcId: vpcId, serviceName: serviceName,
                                       state: type == .gateway ? .available : .pending, policyDocument: policy,
                                       routeTableIds: [], subnetIds: [], groupIds: [], privateDnsEnabled: type == .interface && privateDns,
                                       ownerId: accountId, tags: tags, createdAt: tx.now)
            endpoint.clientToken = token
            switch type {
            case .gateway:
                endpoint.sourceAddress = VpcEndpoint.gatewaySourceAddress(
                    for: endpoint.id, taken: Set(tx.state.vpcEndpoints.values.compactMap(\.sourceAddress)))
                if !subnets.isEmpty || !groups.isEmpty { throw EC2Errors.gatewayEndpointOptions() }
                try addRoutes(of: &endpoint, to: routeTables, service: service, catalog: catalog, in: &tx)
            case .interface:
                if !routeTables.isEmpty { throw EC2Errors.interfaceEndpointRouteTables() }
                if endpoint.privateDnsEnabled { try checkPrivateDns(vpc, service: service, except: nil, in: tx.state) }
                endpoint.groupIds = try endpointGroups(groups, vpc: vpc, in: tx.state)
                try addInterfaces(of: &endpoint, in: subnets, in: &tx)
            }
            tx.put(endpoint)
            return endpoint
        }
        let s = store.snapshot()
        return EC2XML.response("CreateVpcEndpoint", requestID: ctx.requestID) { w in
            w.element("vpcEndpoint") { vpcEndpointXML(&$0, endpoint, state: s) }
            w.element("clientToken", token)
        }
    }

    func modifyVpcEndpoint(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let id = try required(p, "VpcEndpointId")
        try checkEndpointID(id)
        let newPolicy: String?
        if p["ResetPolicy"]?.lowercased() == "true" { newPolicy = VpcEndpoint.fullAccessPolicy } else {
            newPolicy = try p["PolicyDocument"].map(Self.checkEndpointPolicy)
        }
        let catalog = endpointServices
        try mutate(p) { tx in
            guard var endpoint = tx.get(VpcEndpoint.self, id), endpoint.state != .deleted else { throw EC2Errors.vpcEndpointNotFound(id) }
            guard let vpc = tx.get(Vpc.self, endpoint.vpcId), let service = catalog.service(named: endpoint.serviceName) else {
                throw EC2Errors.vpcEndpointNotFound(id)
            }
            if let newPolicy { endpoint.policyDocument = newPolicy }
            let addRoutes = p.list("AddRouteTableId"), removeRoutes = p.list("RemoveRouteTableId")
            let addSubnets = p.list("AddSubnetId"), removeSubnets = p.list("RemoveSubnetId")
            let addGroups = p.list("AddSecurityGroupId"), removeGroups = p.list("RemoveSecurityGroupId")
            switch endpoint.type {
            case .gateway:
                if !(addSubnets + removeSubnets + addGroups + removeGroups).isEmpty { throw EC2Errors.gatewayEndpointOptions() }
                for r in removeRoutes {
                    guard endpoint.routeTableIds.contains(r) else { throw EC2Errors.routeTableNotFound(r) }
                    Self.removeEndpointRoute(endpoint.id, from: r, in: &tx)
                    endpoint.routeTableIds.removeAll { $0 == r }
                }
                try self.addRoutes(of: &endpoint, to: addRoutes, service: service, catalog: catalog, in: &tx)
            case .interface:
                if !(addRoutes + removeRoutes).isEmpty { throw EC2Errors.interfaceEndpointRouteTables() }
                if let text = p["PrivateDnsEnabled"] {
                    let on = text.lowercased() == "true"
                    if on && !endpoint.privateDnsEnabled { try checkPrivateDns(vpc, service: service, except: endpoint.id, in: tx.state) }
                    endpoint.privateDnsEnabled = on
                }
                for s in removeSubnets {
                    guard endpoint.subnetIds.contains(s) else { throw EC2Errors.subnetNotFound(s) }
                    for eni in endpoint.networkInterfaceIds where tx.state.networkInterfaces[eni]?.subnetId == s {
                        tx.delete(NetworkInterface.self, eni)
                        endpoint.networkInterfaceIds.removeAll { $0 == eni }
                    }
                    endpoint.subnetIds.removeAll { $0 == s }
                }
                try addInterfaces(of: &endpoint, in: addSubnets, in: &tx)
                if !addGroups.isEmpty || !removeGroups.isEmpty {
                    var groups = endpoint.groupIds.filter { !removeGroups.contains($0) }
                    for g in try endpointGroups(addGroups, vpc: vpc, in: tx.state) where !groups.contains(g) { groups.append(g) }
                    if groups.isEmpty { throw EC2Errors.endpointNeedsGroup() }
                    endpoint.groupIds = groups
                    for eni in endpoint.networkInterfaceIds { tx.update(NetworkInterface.self, eni) { $0.groupIds = groups } }
                }
            }
            tx.put(endpoint)
        }
        return EC2XML.response("ModifyVpcEndpoint", requestID: ctx.requestID) { $0.element("return", true) }
    }

    func deleteVpcEndpoints(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let ids = p.list("VpcEndpointId")
        if ids.isEmpty { throw EC2Errors.missingParameter("VpcEndpointId") }
        for id in ids { try checkEndpointID(id) }
        let failed = try mutate(p) { tx -> [String] in
            var failed: [String] = []
            for id in ids {
                guard let endpoint = tx.get(VpcEndpoint.self, id), endpoint.state != .deleted else { failed.append(id); continue }
                for r in endpoint.routeTableIds { Self.removeEndpointRoute(id, from: r, in: &tx) }
                for eni in endpoint.networkInterfaceIds { tx.delete(NetworkInterface.self, eni) }
                tx.delete(VpcEndpoint.self, id)
            }
            return failed
        }
        return EC2XML.response("DeleteVpcEndpoints", requestID: ctx.requestID) { w in
            w.list("unsuccessful", failed) { w, id in
                w.element("error") { e in
                    let err = EC2Errors.vpcEndpointNotFound(id)
                    e.element("code", err.code); e.element("message", err.message)
                }
                w.element("resourceId", id)
            }
        }
    }

    func describeVpcEndpoints(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let s = store.snapshot()
        let filter = try EC2Filters.compile(p, tags: { (e: VpcEndpoint) in e.tags }) {
            [
                "vpc-endpoint-id": { [$0.id] },
                "vpc-id": { [$0.vpcId] },
                "service-name": { [$0.serviceName] },
                "vpc-endpoint-state": { [$0.state.rawValue] },
                "vpc-endpoint-type": { [$0.type.rawValue] },
                "ip-address-type": { [$0.ipAddressType] },
            ]
        }
        let ids = p.list("VpcEndpointId")
        for id in ids { try checkEndpointID(id) }
        var endpoints: [VpcEndpoint]
        if ids.isEmpty {
            endpoints = Array(s.vpcEndpoints.values)
        } else {
            endpoints = []
            for id in Set(ids) {
                guard let e = s.vpcEndpoints[id] else { throw EC2Errors.vpcEndpointNotFound(id) }
                endpoints.append(e)
            }
        }
        if !filter.isEmpty { endpoints = endpoints.filter(filter.matches) }
        endpoints.sort { $0.id < $1.id }
        let page = try EC2Pagination.page(endpoints, key: \.id, p)
        return EC2XML.response("DescribeVpcEndpoints", requestID: ctx.requestID) { w in
            w.list("vpcEndpointSet", Array(page.items)) { vpcEndpointXML(&$0, $1, state: s) }
            w.element("nextToken", page.nextToken)
        }
    }

    // MARK: building blocks

    /// A policy must be a JSON object (EC2 stores it as given; the edge evaluates it).
    static func checkEndpointPolicy(_ text: String) throws -> String {
        guard let data = text.data(using: .utf8), (try? JSONSerialization.jsonObject(with: data)) is [String: Any] else {
            throw EC2Errors.malformedEndpointPolicy()
        }
        return text
    }

    func addRoutes(of endpoint: inout VpcEndpoint, to tables: [String], service: EndpointServiceCatalog.Service,
                   catalog: EndpointServiceCatalog, in tx: inout Transaction) throws {
        guard let list = catalog.prefixList(for: service) else { throw EC2Errors.endpointTypeUnsupported("Gateway", service.name) }
        for r in tables where !endpoint.routeTableIds.contains(r) {
            guard let table = tx.get(RouteTable.self, r), table.vpcId == endpoint.vpcId else { throw EC2Errors.routeTableNotFound(r) }
            if table.routes.contains(where: { $0.destinationPrefixListId == list.id }) { throw EC2Errors.prefixListRouteExists(r, list.id) }
            let id = endpoint.id
            tx.update(RouteTable.self, r) { t in
                for cidr in list.cidrs {
                    var route = RouteTable.Route(destination: cidr, gatewayId: id, origin: "CreateRoute")
                    route.destinationPrefixListId = list.id
                    t.routes.append(route)
                }
            }
            endpoint.routeTableIds.append(r)
        }
    }

    static func removeEndpointRoute(_ endpointId: String, from table: String, in tx: inout Transaction) {
        tx.update(RouteTable.self, table) { $0.routes.removeAll { $0.gatewayId == endpointId } }
    }

    /// The groups an interface endpoint's ENIs get: the ones named (all in the VPC), else the VPC's default group.
    func endpointGroups(_ ids: [String], vpc: Vpc, in s: CloudState) throws -> [String] {
        var out: [String] = []
        for g in ids where !out.contains(g) {
            guard let sg = s.securityGroups[g] else { throw EC2Errors.groupNotFound(g) }
            if sg.vpcId != vpc.id { throw EC2Errors.groupNotFound(g) }
            out.append(g)
        }
        if out.isEmpty, let d = s.securityGroups.values.first(where: { $0.vpcId == vpc.id && $0.name == "default" }) { out = [d.id] }
        return out
    }

    func addInterfaces(of endpoint: inout VpcEndpoint, in subnets: [String], in tx: inout Transaction) throws {
        for id in subnets where !endpoint.subnetIds.contains(id) {
            guard let subnet = tx.get(Subnet.self, id), subnet.vpcId == endpoint.vpcId else { throw EC2Errors.subnetNotFound(id) }
            let zones = endpoint.subnetIds.compactMap { tx.state.subnets[$0]?.availabilityZone }
            if zones.contains(subnet.availabilityZone) { throw EC2Errors.endpointSubnetsInOneZone(id) }
            let ip = try InterfaceAddressing.pick(nil, in: subnet, state: tx.state)
            let eni = NetworkInterface(id: ResourceID.make("eni"), subnetId: id, vpcId: subnet.vpcId, availabilityZone: subnet.availabilityZone,
                                       privateIpAddress: ip, macAddress: ResourceID.macAddress(), groupIds: endpoint.groupIds,
                                       interfaceType: "vpc_endpoint", description: "VPC Endpoint Interface \(endpoint.id)",
                                       requesterId: Self.endpointRequesterId, requesterManaged: true, status: "in-use",
                                       sourceDestCheck: true, attachment: nil, ownerId: accountId, tags: [], createdAt: tx.now)
            tx.put(eni)
            endpoint.subnetIds.append(id)
            endpoint.networkInterfaceIds.append(eni.id)
        }
    }

    /// Private DNS overrides the service's regional name inside the VPC: the VPC must resolve and name hosts, and no
    /// other endpoint of the VPC may already claim the name.
    func checkPrivateDns(_ vpc: Vpc, service: EndpointServiceCatalog.Service, except: String?, in s: CloudState) throws {
        guard vpc.enableDnsSupport, vpc.enableDnsHostnames else { throw EC2Errors.privateDnsNeedsVpcDns(vpc.id) }
        let taken = s.vpcEndpoints.values.contains {
            $0.id != except && $0.vpcId == vpc.id && $0.serviceName == service.name && $0.privateDnsEnabled && $0.state != .deleted
        }
        if taken { throw EC2Errors.privateDnsConflict(service.privateDnsName, vpc: vpc.id) }
    }

    /// The account EC2 shows as the requester of endpoint interfaces (an Amazon-owned id; the value is ours).
    static let endpointRequesterId = "727180483921"

    /// The names an interface endpoint answers to: its regional name, one per zone, and with private DNS the service's.
    func dnsEntries(_ e: VpcEndpoint, state s: CloudState) -> [(name: String, zone: String)] {
        guard e.type == .interface else { return [] }
        let hostedZone = "Z7HUB22UULQXV"
        var out = [(e.dnsName(region: region), hostedZone)]
        for subnet in e.subnetIds.compactMap({ s.subnets[$0] }).sorted(by: { $0.availabilityZone < $1.availabilityZone }) {
            out.append((e.dnsName(region: region, zone: subnet.availabilityZone), hostedZone))
        }
        if e.privateDnsEnabled { out.append((e.privateDnsName(region: region), "ZONEIDPENDING")) }
        return out
    }

    func vpcEndpointXML(_ w: inout XMLWriter, _ e: VpcEndpoint, state s: CloudState) {
        w.element("vpcEndpointId", e.id)
        w.element("vpcEndpointType", e.type.rawValue)
        w.element("vpcId", e.vpcId)
        w.element("serviceName", e.serviceName)
        w.element("state", e.state.rawValue)
        w.element("policyDocument", e.policyDocument)
        w.list("routeTableIdSet", e.routeTableIds) { $0.appendEscaped($1) }
        w.list("subnetIdSet", e.subnetIds) { $0.appendEscaped($1) }
        w.list("groupSet", e.groupIds) { w, g in
            w.element("groupId", g)
            w.element("groupName", s.securityGroups[g]?.name)
        }
        w.element("ipAddressType", e.ipAddressType)
        if e.type == .interface { w.element("dnsOptions") { $0.element("dnsRecordIpType", e.dnsRecordIpType) } }
        w.element("privateDnsEnabled", e.privateDnsEnabled)
        w.element("requesterManaged", false)
        w.list("networkInterfaceIdSet", e.networkInterfaceIds) { $0.appendEscaped($1) }
        w.list("dnsEntrySet", dnsEntries(e, state: s)) { w, d in
            w.element("dnsName", d.name)
            w.element("hostedZoneId", d.zone)
        }
        w.element("creationTimestamp", EC2XML.timestamp(e.createdAt))
        EC2XML.tagSet(&w, e.tags)
        w.element("ownerId", e.ownerId)
    }
}
