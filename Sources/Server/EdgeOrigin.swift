import AWSWire
import CloudModel
import ControlPlane

/// Where a request that came through the service edge came from, told from its source address as the edge saw it:
/// a NAT gateway's or an instance's Elastic IP belongs to a VPC (AWS sees that public address, so it stays the
/// request's `aws:SourceIp`); the lambda network's address and internet hosts belong to none. A VPC endpoint
/// (`sourceVpce`) is filled in by whoever recognises the endpoint path.
enum EdgeOrigin {
    /// `states`: every region's latest state (an Elastic IP is unique across regions, its VPC in one of them).
    static func fill(_ ctx: inout RequestContext, arrival: EdgeArrival, states: [CloudState]) {
        ctx.edgeAddress = arrival.address
        ctx.secureTransport = arrival.secure
        if let endpoint = arrival.endpoint {
            // Inside the VPC, through an interface endpoint: the caller's own private address, its VPC, the endpoint.
            ctx.sourceVpce = endpoint
            ctx.vpcSourceIp = ctx.sourceIP
            ctx.sourceVpc = states.lazy.compactMap { $0.vpcEndpoints[endpoint]?.vpcId }.first
            return
        }
        guard let source = IPv4Address(ctx.sourceIP) else { return }
        if VpcEndpoint.gatewaySourceBlock.contains(source) {
            // Through a gateway endpoint: its source address names it (the caller's private address stays in the VPC).
            for state in states {
                guard let e = state.vpcEndpoints.values.first(where: { $0.sourceAddress == source }) else { continue }
                ctx.sourceVpce = e.id
                ctx.sourceVpc = e.vpcId
                return
            }
            return
        }
        for state in states {
            for a in state.addresses.values where a.publicIp == source {
                guard let association = a.association, let eni = state.networkInterfaces[association.networkInterfaceId] else { continue }
                ctx.sourceVpc = eni.vpcId
                return
            }
        }
    }
}
