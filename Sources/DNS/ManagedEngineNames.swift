import CloudModel

/// RDS endpoints and ElastiCache node and configuration endpoints: inside their VPC each name answers its
/// interface's private address (a configuration endpoint every node's); outside it, a publicly accessible DB instance's name answers its public address.
public enum ManagedEngineNames {
    public static func overrides(state: CloudState) -> [DNSZone.Override] {
        var out: [DNSZone.Override] = []
        for db in state.dbInstances.values.sorted(by: { $0.id < $1.id }) {
            guard let eni = db.networkInterfaceId.flatMap({ state.networkInterfaces[$0] }) else { continue }
            out.append(DNSZone.Override(vpcId: eni.vpcId, names: [db.endpointAddress], addresses: [eni.privateIpAddress]))
        }
        for c in state.cacheClusters.values.sorted(by: { $0.id < $1.id }) {
            var addresses: [IPv4Address] = []
            var vpcId: String?
            for node in c.nodes {
                guard let eni = node.networkInterfaceId.flatMap({ state.networkInterfaces[$0] }) else { continue }
                out.append(DNSZone.Override(vpcId: eni.vpcId, names: [node.address], addresses: [eni.privateIpAddress]))
                if node.status != .deleting { addresses.append(eni.privateIpAddress) }
                vpcId = eni.vpcId
            }
            // The configuration endpoint answers every node (memcached clients discover the cluster through it).
            if let cfg = c.configurationAddress, let vpcId, !addresses.isEmpty {
                out.append(DNSZone.Override(vpcId: vpcId, names: [cfg], addresses: addresses))
            }
        }
        // A replication group's primary endpoint answers its primary; the reader endpoint its replicas (the primary
        // when it has none).
        for g in state.replicationGroups.values.sorted(by: { $0.id < $1.id }) {
            func interface(_ cluster: String) -> NetworkInterface? {
                state.cacheClusters[cluster]?.nodes.first?.networkInterfaceId.flatMap { state.networkInterfaces[$0] }
            }
            guard let primary = interface(g.primaryClusterId) else { continue }
            let replicas = g.memberClusters.filter { $0 != g.primaryClusterId && state.cacheClusters[$0]?.status != .deleting }
                .compactMap(interface)
            out.append(DNSZone.Override(vpcId: primary.vpcId, names: [g.primaryAddress], addresses: [primary.privateIpAddress]))
            out.append(DNSZone.Override(vpcId: primary.vpcId, names: [g.readerAddress],
                                        addresses: replicas.isEmpty ? [primary.privateIpAddress] : replicas.map(\.privateIpAddress)))
        }
        return out
    }

    /// Publicly accessible DB instances' names with their public addresses, answered everywhere outside their VPC.
    public static func publicHosts(state: CloudState) -> [DNSZone.InternetHost] {
        state.dbInstances.values.sorted { $0.id < $1.id }.compactMap { db in
            db.publicIp.map { DNSZone.InternetHost(name: db.endpointAddress, address: $0) }
        }
    }
}
