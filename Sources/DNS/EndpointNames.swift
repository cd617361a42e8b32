import CloudModel

/// Interface VPC endpoints' names in the VPC resolver: the endpoint's own names answer with its ENIs' addresses, and
/// with private DNS the service's regional name does too, inside the endpoint's VPC only.
public enum EndpointNames {
    public static func overrides(region: String, state: CloudState) -> [DNSZone.Override] {
        state.vpcEndpoints.values.sorted { $0.id < $1.id }.compactMap { e in
            guard e.type == .interface, e.state == .available else { return nil }
            let addresses = e.networkInterfaceIds.compactMap { state.networkInterfaces[$0]?.privateIpAddress }.sorted()
            guard !addresses.isEmpty else { return nil }
            var names = [e.dnsName(region: region)]
            if e.privateDnsEnabled { names.append(e.privateDnsName(region: region)) }
            return DNSZone.Override(vpcId: e.vpcId, names: names, addresses: addresses)
        }
    }
}
