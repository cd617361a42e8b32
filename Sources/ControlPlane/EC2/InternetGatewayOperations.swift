import AWSWire
import CloudModel

extension EC2Service {
    func createInternetGateway(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let tags = try tagSpecifications(p, resourceType: "internet-gateway")
        let igw = try mutate(p) { tx -> InternetGateway in
            let igw = InternetGateway(id: ResourceID.make("igw"), attachedVpcId: nil, ownerId: accountId, tags: tags, createdAt: tx.now)
            tx.put(igw)
            return igw
        }
        return EC2XML.response("CreateInternetGateway", requestID: ctx.requestID) { w in
            w.element("internetGateway") { EC2XML.internetGateway(&$0, igw) }
        }
    }

    /// The gateway and VPC ids of Attach/Detach, checked for shape.
    func gatewayAndVpc(_ p: QueryParameters) throws -> (igw: String, vpc: String) {
        let igw = try required(p, "InternetGatewayId")
        let vpc = try required(p, "VpcId")
        try checkID(igw, "igw")
        try checkID(vpc, "vpc")
        return (igw, vpc)
    }

    func attachInternetGateway(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let (igwId, vpcId) = try gatewayAndVpc(p)
        try mutate(p) { tx in
            guard let igw = tx.get(InternetGateway.self, igwId) else { throw EC2Errors.internetGatewayNotFound(igwId) }
            guard tx.get(Vpc.self, vpcId) != nil else { throw EC2Errors.vpcNotFound(vpcId) }
            if let attached = igw.attachedVpcId { throw EC2Errors.gatewayAlreadyAttached(igwId, vpc: attached) }
            if tx.state.internetGateways.values.contains(where: { $0.attachedVpcId == vpcId }) {
                throw EC2Errors.vpcAlreadyHasGateway(vpcId)
            }
            tx.update(InternetGateway.self, igwId) { $0.attachedVpcId = vpcId }
        }
        return EC2XML.response("AttachInternetGateway", requestID: ctx.requestID) { $0.element("return", true) }
    }

    func detachInternetGateway(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let (igwId, vpcId) = try gatewayAndVpc(p)
        try mutate(p) { tx in
            guard let igw = tx.get(InternetGateway.self, igwId) else { throw EC2Errors.internetGatewayNotFound(igwId) }
            guard tx.get(Vpc.self, vpcId) != nil else { throw EC2Errors.vpcNotFound(vpcId) }
            if igw.attachedVpcId != vpcId { throw EC2Errors.gatewayNotAttached(igwId, vpc: vpcId) }
            let s = tx.state
            let mapped = s.addresses.values.contains { a in
                guard let eni = a.association.flatMap({ s.networkInterfaces[$0.networkInterfaceId] }) else { return false }
                return eni.vpcId == vpcId
            }
            if mapped { throw EC2Errors.vpcHasMappedAddresses(vpcId) }
            tx.update(InternetGateway.self, igwId) { $0.attachedVpcId = nil }
        }
        return EC2XML.response("DetachInternetGateway", requestID: ctx.requestID) { $0.element("return", true) }
    }

    func deleteInternetGateway(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let id = try required(p, "InternetGatewayId")
        try checkID(id, "igw")
        try mutate(p) { tx in
            guard let igw = tx.get(InternetGateway.self, id) else { throw EC2Errors.internetGatewayNotFound(id) }
            if igw.attachedVpcId != nil { throw EC2Errors.internetGatewayHasDependencies(id) }
            tx.delete(InternetGateway.self, id)
        }
        return EC2XML.response("DeleteInternetGateway", requestID: ctx.requestID) { $0.element("return", true) }
    }

    func describeInternetGateways(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let s = store.snapshot()
        let filter = try EC2Filters.compile(p, tags: { (g: InternetGateway) in g.tags }) {
            [
                "internet-gateway-id": { [$0.id] },
                "owner-id": { [$0.ownerId] },
                "attachment.vpc-id": { $0.attachedVpcId.map { [$0] } ?? [] },
                "attachment.state": { $0.attachedVpcId == nil ? [] : ["available"] },
            ]
        }
        var gws = try lookup(p, "InternetGatewayId", prefix: "igw", in: s.internetGateways, notFound: EC2Errors.internetGatewayNotFound)
            ?? Array(s.internetGateways.values)
        if !filter.isEmpty { gws = gws.filter(filter.matches) }
        gws.sort { $0.id < $1.id }
        let page = try EC2Pagination.page(gws, key: \.id, p)
        return EC2XML.response("DescribeInternetGateways", requestID: ctx.requestID) { w in
            w.list("internetGatewaySet", Array(page.items)) { EC2XML.internetGateway(&$0, $1) }
            w.element("nextToken", page.nextToken)
        }
    }
}

extension EC2XML {
    public static func internetGateway(_ w: inout XMLWriter, _ g: InternetGateway) {
        w.element("internetGatewayId", g.id)
        w.element("ownerId", g.ownerId)
        w.list("attachmentSet", g.attachedVpcId.map { [$0] } ?? []) { w, vpc in
            w.element("vpcId", vpc)
            w.element("state", "available")
        }
        tagSet(&w, g.tags)
    }
}
