import AWSWire
import CloudModel

extension EC2Service {
    func checkNatID(_ id: String) throws {
        if !ResourceID.isWellFormed(id, prefix: "nat") { throw EC2Errors.natGatewayMalformed(id) }
    }

    func createNatGateway(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let subnetId = try required(p, "SubnetId")
        try checkID(subnetId, "subnet")
        let connectivity = p["ConnectivityType"] ?? "public"
        guard connectivity == "public" || connectivity == "private" else { throw EC2Errors.invalidConnectivityType(connectivity) }
        let allocationId = p["AllocationId"].flatMap { $0.isEmpty ? nil : $0 }
        if let allocationId { try checkID(allocationId, "eipalloc") }
        if connectivity == "public" && allocationId == nil { throw EC2Errors.missingParameter("allocationId") }
        if connectivity == "private" && allocationId != nil { throw EC2Errors.privateNatWithAllocation() }
        let requestedIP = try p["PrivateIpAddress"].map { text -> IPv4Address in
            guard let a = IPv4Address(text) else {
                throw EC2Errors.invalidParameterValue("Value (\(text)) for parameter privateIpAddress is invalid. Invalid format.")
            }
            return a
        }
        let tags = try tagSpecifications(p, resourceType: "natgateway")
        let nat = try mutate(p) { tx -> NatGateway in
            let s = tx.state
            guard let subnet = s.subnets[subnetId] else { throw EC2Errors.subnetNotFound(subnetId) }
            var address: ElasticAddress?
            if let allocationId {
                guard let a = s.addresses[allocationId] else { throw EC2Errors.allocationNotFound(allocationId) }
                let usedByNat = s.natGateways.values.contains { $0.allocationId == allocationId && ($0.state == .pending || $0.state == .available) }
                if a.association != nil || usedByNat { throw EC2Errors.elasticIpInUse(allocationId) }
                address = a
            }
            let natId = ResourceID.make("nat")
            let ip = try InterfaceAddressing.pick(requestedIP, in: subnet, state: s)
            let eni = NetworkInterface(id: ResourceID.make("eni"), subnetId: subnetId, vpcId: subnet.vpcId,
                                       availabilityZone: subnet.availabilityZone, privateIpAddress: ip, macAddress: ResourceID.macAddress(),
                                       groupIds: [], interfaceType: "nat_gateway", description: "Interface for NAT Gateway \(natId)",
                                       requesterId: nil, requesterManaged: true, status: "in-use", sourceDestCheck: false,
                                       attachment: .init(id: ResourceID.make("ela-attach"), attachTime: tx.now, deleteOnTermination: false,
                                                         deviceIndex: 1, instanceId: nil, instanceOwnerId: "amazon-aws", status: "attached"),
                                       ownerId: accountId, tags: [], createdAt: tx.now)
            tx.put(eni)
            if let address {
                tx.update(ElasticAddress.self, address.id) {
                    $0.association = .init(id: ResourceID.make("eipassoc"), networkInterfaceId: eni.id, privateIpAddress: ip, instanceId: nil)
                }
            }
            let nat = NatGateway(id: natId, vpcId: subnet.vpcId, subnetId: subnetId, connectivityType: connectivity,
                                 allocationId: address?.id, publicIp: address?.publicIp, networkInterfaceId: eni.id, privateIp: ip,
                                 state: .pending, stateChangedAt: tx.now, ownerId: accountId, tags: tags, createdAt: tx.now)
            tx.put(nat)
            return nat
        }
        let s = store.snapshot()
        return EC2XML.response("CreateNatGateway", requestID: ctx.requestID) { w in
            w.element("clientToken", p["ClientToken"])
            w.element("natGateway") { EC2XML.natGateway(&$0, nat, state: s) }
        }
    }

    func deleteNatGateway(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let id = try required(p, "NatGatewayId")
        try checkNatID(id)
        try mutate(p) { tx in
            guard let nat = tx.get(NatGateway.self, id), nat.state != .deleted else { throw EC2Errors.natGatewayNotFound(id) }
            if nat.state == .deleting { return }
            guard let next = nat.state.next(.deleteRequested) else { throw EC2Errors.natGatewayNotFound(id) }
            let now = tx.now
            tx.update(NatGateway.self, id) { $0.state = next; $0.stateChangedAt = now }
        }
        return EC2XML.response("DeleteNatGateway", requestID: ctx.requestID) { $0.element("natGatewayId", id) }
    }

    func describeNatGateways(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let s = store.snapshot()
        let filter = try EC2Filters.compile(p, tags: { (n: NatGateway) in n.tags }) {
            [
                "nat-gateway-id": { [$0.id] },
                "state": { [$0.state.rawValue] },
                "subnet-id": { [$0.subnetId] },
                "vpc-id": { [$0.vpcId] },
            ]
        }
        let ids = p.list("NatGatewayId")
        for id in ids { try checkNatID(id) }
        var nats: [NatGateway]
        if ids.isEmpty {
            nats = Array(s.natGateways.values)
        } else {
            nats = []
            for id in Set(ids) {
                guard let n = s.natGateways[id] else { throw EC2Errors.natGatewayNotFound(id) }
                nats.append(n)
            }
        }
        if !filter.isEmpty { nats = nats.filter(filter.matches) }
        nats.sort { $0.id < $1.id }
        let page = try EC2Pagination.page(nats, key: \.id, p)
        return EC2XML.response("DescribeNatGateways", requestID: ctx.requestID) { w in
            w.list("natGatewaySet", Array(page.items)) { EC2XML.natGateway(&$0, $1, state: s) }
            w.element("nextToken", page.nextToken)
        }
    }
}

/// Picks an interface's primary address in a subnet: the one asked for, or the lowest free one.
enum InterfaceAddressing {
    static func pick(_ requested: IPv4Address?, in subnet: Subnet, state s: CloudState) throws -> IPv4Address {
        try pick(requested, in: subnet, used: s.usedAddresses(inSubnet: subnet.id))
    }

    static func pick(_ requested: IPv4Address?, in subnet: Subnet, used: Set<IPv4Address>) throws -> IPv4Address {
        if let requested {
            let offset = requested.value &- subnet.cidrBlock.network.value
            guard subnet.cidrBlock.contains(requested), SubnetAddressing.assignableRange(subnet.cidrBlock).contains(offset) else {
                throw EC2Errors.addressOutsideSubnet(requested.description)
            }
            if used.contains(requested) { throw EC2Errors.addressInUse(requested.description) }
            return requested
        }
        guard let a = SubnetAddressing.firstFree(subnet.cidrBlock, used: used) else { throw EC2Errors.insufficientAddresses(subnet.id) }
        return a
    }
}

extension EC2XML {
    public static func natGateway(_ w: inout XMLWriter, _ n: NatGateway, state s: CloudState) {
        w.element("createTime", timestamp(n.createdAt))
        w.element("deleteTime", n.deletedAt.map(timestamp))
        w.element("failureCode", n.failureCode)
        w.element("failureMessage", n.failureMessage)
        let addressStatus: String = switch n.state {
        case .pending: "associating"
        case .available, .deleted: "succeeded"
        case .deleting: "disassociating"
        case .failed: "failed"
        }
        w.open("natGatewayAddressSet"); w.open("item")
        w.element("allocationId", n.allocationId)
        w.element("networkInterfaceId", n.networkInterfaceId)
        w.element("privateIp", n.privateIp.description)
        w.element("publicIp", n.publicIp?.description)
        w.element("associationId", s.address(onInterface: n.networkInterfaceId)?.association?.id)
        w.element("isPrimary", true)
        w.element("status", addressStatus)
        w.close("item"); w.close("natGatewayAddressSet")
        w.element("natGatewayId", n.id)
        w.element("state", n.state.rawValue)
        w.element("subnetId", n.subnetId)
        w.element("vpcId", n.vpcId)
        tagSet(&w, n.tags)
        w.element("connectivityType", n.connectivityType)
    }
}
