import AWSWire
import CloudModel
import Foundation

/// DB subnet groups: a name, a description and subnets of one VPC covering at least two zones; the default
/// VPC's `default` group is made the first time a DB instance is created without one.
extension RDSService {
    func createSubnetGroup(_ p: QueryParameters, _ c: RequestContext) throws -> String {
        guard let given = p["DBSubnetGroupName"] else { throw RDSErrors.missing("DBSubnetGroupName") }
        let name = given.lowercased()
        guard let description = p["DBSubnetGroupDescription"] else { throw RDSErrors.missing("DBSubnetGroupDescription") }
        let subnetIds = p.members("SubnetIds")
        let group = try store.write { tx -> DBSubnetGroup in
            if tx.get(DBSubnetGroup.self, name) != nil { throw RDSErrors.subnetGroupExists(name) }
            let vpcId = try Self.checkSubnets(subnetIds, in: tx.state)
            let g = DBSubnetGroup(id: name, description: description, vpcId: vpcId, subnetIds: subnetIds,
                                  tags: p.tagMembers(), createdAt: tx.now)
            tx.put(g)
            return g
        }
        let s = store.snapshot()
        return Self.response("CreateDBSubnetGroup", requestID: c.requestID) { w in
            w.element("DBSubnetGroup") { RDSXML.subnetGroup(&$0, group, s, arn: subnetGroupArn(group.id)) }
        }
    }

    func describeSubnetGroups(_ p: QueryParameters, _ c: RequestContext) throws -> String {
        let s = store.snapshot()
        var groups = s.dbSubnetGroups.values.sorted { $0.id < $1.id }
        if let name = p["DBSubnetGroupName"]?.lowercased() {
            guard let g = s.dbSubnetGroups[name] else { throw RDSErrors.subnetGroupNotFound(name) }
            groups = [g]
        }
        return Self.response("DescribeDBSubnetGroups", requestID: c.requestID) { w in
            w.list("DBSubnetGroups", groups, member: "DBSubnetGroup") { RDSXML.subnetGroup(&$0, $1, s, arn: subnetGroupArn($1.id)) }
        }
    }

    func modifySubnetGroup(_ p: QueryParameters, _ c: RequestContext) throws -> String {
        guard let name = p["DBSubnetGroupName"]?.lowercased() else { throw RDSErrors.missing("DBSubnetGroupName") }
        let subnetIds = p.members("SubnetIds")
        let group = try store.write { tx -> DBSubnetGroup in
            guard var g = tx.get(DBSubnetGroup.self, name) else { throw RDSErrors.subnetGroupNotFound(name) }
            let vpcId = try Self.checkSubnets(subnetIds, in: tx.state)
            let inUse = tx.all(DBInstance.self).filter { $0.subnetGroupName == name }
            if vpcId != g.vpcId, !inUse.isEmpty {
                throw RDSErrors.invalidParameter("The new subnets are not in the same VPC as the existing subnet group.")
            }
            // A subnet that holds an instance's interface must stay.
            for db in inUse {
                if let eni = db.networkInterfaceId.flatMap({ tx.get(NetworkInterface.self, $0) }), !subnetIds.contains(eni.subnetId) {
                    throw AWSError(code: "SubnetAlreadyInUse", message: "Some of the subnets to be deleted are currently in use: \(eni.subnetId)")
                }
            }
            g.vpcId = vpcId
            g.subnetIds = subnetIds
            if let d = p["DBSubnetGroupDescription"] { g.description = d }
            tx.put(g)
            return g
        }
        let s = store.snapshot()
        return Self.response("ModifyDBSubnetGroup", requestID: c.requestID) { w in
            w.element("DBSubnetGroup") { RDSXML.subnetGroup(&$0, group, s, arn: subnetGroupArn(group.id)) }
        }
    }

    func deleteSubnetGroup(_ p: QueryParameters, _ c: RequestContext) throws -> String {
        guard let name = p["DBSubnetGroupName"]?.lowercased() else { throw RDSErrors.missing("DBSubnetGroupName") }
        try store.write { tx in
            guard tx.get(DBSubnetGroup.self, name) != nil else { throw RDSErrors.subnetGroupNotFound(name) }
            if tx.all(DBInstance.self).contains(where: { $0.subnetGroupName == name }) { throw RDSErrors.subnetGroupInUse(name) }
            tx.delete(DBSubnetGroup.self, name)
        }
        return Self.response("DeleteDBSubnetGroup", requestID: c.requestID)
    }

    /// The subnets must exist, share one VPC and cover two zones; returns the VPC.
    static func checkSubnets(_ ids: [String], in s: CloudState) throws -> String {
        let missing = ids.filter { s.subnets[$0] == nil }
        if ids.isEmpty || !missing.isEmpty { throw RDSErrors.invalidSubnets(missing.isEmpty ? ids : missing) }
        let vpcs = Set(ids.compactMap { s.subnets[$0]?.vpcId })
        guard vpcs.count == 1, let vpcId = vpcs.first else { throw RDSErrors.subnetsInManyVpcs() }
        let zones = ManagedInterfaces.zones(ids, in: s)
        if zones.count < 2 { throw RDSErrors.notEnoughZones(zones) }
        return vpcId
    }

    /// The default VPC's `default` group, made now if it does not exist yet.
    static func defaultSubnetGroup(_ tx: inout Transaction) throws -> DBSubnetGroup {
        if let g = tx.get(DBSubnetGroup.self, "default") { return g }
        guard let (vpcId, subnetIds) = ManagedInterfaces.defaultVpcSubnets(in: tx.state), !subnetIds.isEmpty else {
            throw AWSError(code: "InvalidVPCNetworkStateFault",
                           message: "Cannot create a DB instance because no default VPC exists in this region; name a DB subnet group.")
        }
        let g = DBSubnetGroup(id: "default", description: "default", vpcId: vpcId, subnetIds: subnetIds, tags: [], createdAt: tx.now)
        tx.put(g)
        return g
    }
}
