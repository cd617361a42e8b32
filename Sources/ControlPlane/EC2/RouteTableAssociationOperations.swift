import AWSWire
import CloudModel

extension EC2Service {
    func associateRouteTable(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let tableId = try required(p, "RouteTableId")
        try checkID(tableId, "rtb")
        if p["GatewayId"] != nil { throw EC2Errors.invalidParameterValue("Gateway route table associations are not supported by this endpoint.") }
        let subnetId = try required(p, "SubnetId")
        try checkID(subnetId, "subnet")
        let associationId = try mutate(p) { tx -> String in
            guard let table = tx.get(RouteTable.self, tableId) else { throw EC2Errors.routeTableNotFound(tableId) }
            guard let subnet = tx.get(Subnet.self, subnetId) else { throw EC2Errors.subnetNotFound(subnetId) }
            if subnet.vpcId != table.vpcId { throw EC2Errors.routeTableSubnetDifferentNetworks(table: tableId, subnet: subnetId) }
            if tx.state.routeTables.values.contains(where: { $0.associations.contains { $0.subnetId == subnetId } }) {
                throw EC2Errors.subnetAlreadyAssociated(table: tableId)
            }
            let id = ResourceID.make("rtbassoc")
            tx.update(RouteTable.self, tableId) { $0.associations.append(.init(id: id, main: false, subnetId: subnetId)) }
            return id
        }
        return EC2XML.response("AssociateRouteTable", requestID: ctx.requestID) { w in
            w.element("associationId", associationId)
            w.element("associationState") { $0.element("state", "associated") }
        }
    }

    /// The table holding an association id, or EC2's not-found error.
    func tableHolding(association id: String, in s: CloudState) throws -> (RouteTable, RouteTable.Association) {
        for t in s.routeTables.values {
            if let a = t.associations.first(where: { $0.id == id }) { return (t, a) }
        }
        throw EC2Errors.associationNotFound(id)
    }

    func disassociateRouteTable(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let id = try required(p, "AssociationId")
        try checkID(id, "rtbassoc")
        try mutate(p) { tx in
            let (table, assoc) = try tableHolding(association: id, in: tx.state)
            if assoc.main { throw EC2Errors.cannotDisassociateMain(id) }
            tx.update(RouteTable.self, table.id) { $0.associations.removeAll { $0.id == id } }
        }
        return EC2XML.response("DisassociateRouteTable", requestID: ctx.requestID) { $0.element("return", true) }
    }

    /// Moves a subnet association, or the VPC's main marker, to another table of the same VPC.
    func replaceRouteTableAssociation(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let id = try required(p, "AssociationId")
        try checkID(id, "rtbassoc")
        let tableId = try required(p, "RouteTableId")
        try checkID(tableId, "rtb")
        let newId = try mutate(p) { tx -> String in
            let (old, assoc) = try tableHolding(association: id, in: tx.state)
            guard let target = tx.get(RouteTable.self, tableId) else { throw EC2Errors.routeTableNotFound(tableId) }
            if target.vpcId != old.vpcId {
                throw EC2Errors.routeTableSubnetDifferentNetworks(table: tableId, subnet: assoc.subnetId ?? old.vpcId)
            }
            let newId = ResourceID.make("rtbassoc")
            tx.update(RouteTable.self, old.id) { $0.associations.removeAll { $0.id == id } }
            tx.update(RouteTable.self, tableId) { $0.associations.append(.init(id: newId, main: assoc.main, subnetId: assoc.subnetId)) }
            return newId
        }
        return EC2XML.response("ReplaceRouteTableAssociation", requestID: ctx.requestID) { w in
            w.element("newAssociationId", newId)
            w.element("associationState") { $0.element("state", "associated") }
        }
    }
}
