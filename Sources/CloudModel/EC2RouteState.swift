extension CloudState {
    /// A route's state as EC2 reports it: `blackhole` once its target is gone, detached or not running.
    /// Computed from the targets rather than stored, so deleting a target needs no write to every table.
    public func routeState(_ route: RouteTable.Route, vpcId: String) -> String {
        routeIsActive(route, vpcId: vpcId) ? "active" : "blackhole"
    }

    func routeIsActive(_ r: RouteTable.Route, vpcId: String) -> Bool {
        if r.gatewayId == "local" { return true }
        if let g = r.gatewayId, g.hasPrefix("vpce-") { return vpcEndpoints[g].map { $0.state != .deleted } ?? false }
        if let g = r.gatewayId { return internetGateways[g]?.attachedVpcId == vpcId }
        if let n = r.natGatewayId {
            guard let nat = natGateways[n] else { return false }
            return nat.state == .pending || nat.state == .available
        }
        if let i = r.instanceId { return instances[i]?.state == .running }
        if let e = r.networkInterfaceId {
            guard let eni = networkInterfaces[e] else { return false }
            if let i = eni.attachment?.instanceId, let inst = instances[i] { return inst.state == .running }
            return true
        }
        return false
    }

    /// The route table that governs a subnet: its explicit association, else its VPC's main table.
    public func routeTable(forSubnet subnetId: String) -> RouteTable? {
        if let t = routeTables.values.first(where: { $0.associations.contains { $0.subnetId == subnetId } }) { return t }
        guard let vpcId = subnets[subnetId]?.vpcId else { return nil }
        return routeTables.values.first { $0.vpcId == vpcId && $0.isMain }
    }
}
