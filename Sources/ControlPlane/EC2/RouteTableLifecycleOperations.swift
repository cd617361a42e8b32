import AWSWire
import CloudModel

extension EC2Service {
    func createRouteTable(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let vpcId = try required(p, "VpcId")
        try checkID(vpcId, "vpc")
        let tags = try tagSpecifications(p, resourceType: "route-table")
        let table = try mutate(p) { tx -> RouteTable in
            guard let vpc = tx.get(Vpc.self, vpcId) else { throw EC2Errors.vpcNotFound(vpcId) }
            let t = RouteTable(id: ResourceID.make("rtb"), vpcId: vpcId,
                               routes: vpc.ipv4CidrBlocks.map { .init(destination: $0, gatewayId: "local", origin: "CreateRouteTable") },
                               associations: [], ownerId: accountId, tags: tags, createdAt: tx.now)
            tx.put(t)
            return t
        }
        let s = store.snapshot()
        return EC2XML.response("CreateRouteTable", requestID: ctx.requestID) { w in
            w.element("routeTable") { EC2XML.routeTable(&$0, table, state: s) }
        }
    }

    func deleteRouteTable(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let id = try required(p, "RouteTableId")
        try checkID(id, "rtb")
        try mutate(p) { tx in
            guard let t = tx.get(RouteTable.self, id) else { throw EC2Errors.routeTableNotFound(id) }
            // The main table and any table with subnets cannot go (EC2 answers the same for both).
            if !t.associations.isEmpty { throw EC2Errors.routeTableHasDependencies(id) }
            tx.delete(RouteTable.self, id)
        }
        return EC2XML.response("DeleteRouteTable", requestID: ctx.requestID) { $0.element("return", true) }
    }
}
