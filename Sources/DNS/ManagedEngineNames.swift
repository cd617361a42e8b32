import CloudModel

/// RDS endpoints and ElastiCache node and configuration endpoints: inside their VPC each name answers its
/// interface's private address. (A publicly accessible instance's public name is not served yet: the name exists
/// in the VPC only.)
public enum ManagedEngineNames {
    public static func overrides(state: CloudState) -> [DNSZone.Override] {
        var out: [DNSZone.Override] = []
        for db in state.dbInstances.values.sorted(by: { $0.id < $1.id }) {
            guard let eni = db.networkInterfaceId.flatMap({ state.networkInterfaces[$0] }) else { continue }
            out.append(DNSZone.Override(vpcId: eni.vpcId, names: [db.endpointAddress], addresses: [eni.privateIpAddress]))
        }
        for c in state.cacheClusters.values.sorted(by: { $0.id < $1.id }) {
            guard let eni = c.networkInterfaceId.flatMap({ state.networkInterfaces[$0] }) else { continue }
            out.append(DNSZone.Override(vpcId: eni.vpcId, names: [c.nodeAddress] + (c.configurationAddress.map { [$0] } ?? []),
                                        addresses: [eni.privateIpAddress]))
        }
        return out
    }
}
