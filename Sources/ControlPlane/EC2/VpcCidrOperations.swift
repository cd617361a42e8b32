import AWSWire
import CloudModel
import Foundation

/// AssociateVpcCidrBlock/DisassociateVpcCidrBlock: secondary IPv4 blocks (each with a local route in every route
/// table of the VPC) and Amazon-provided IPv6 /56 blocks.
extension EC2Service {
    /// EC2's quota of IPv4 (and of IPv6) blocks per VPC.
    static let cidrBlocksPerVpc = 5
    static let privateRanges = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"].compactMap { IPv4CIDR($0) }

    func associateVpcCidrBlock(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let vpcId = try required(p, "VpcId")
        try checkID(vpcId, "vpc")
        for unsupported in ["Ipv6CidrBlock", "Ipv6Pool", "Ipv4IpamPoolId", "Ipv6IpamPoolId", "Ipv4NetmaskLength", "Ipv6NetmaskLength"]
        where p[unsupported] != nil { throw EC2Errors.unsupportedCidrSource(unsupported) }
        let amazonIpv6 = p["AmazonProvidedIpv6CidrBlock"]?.lowercased() == "true"
        let cidrText = p["CidrBlock"]
        if amazonIpv6, cidrText != nil { throw EC2Errors.parameterCombination("CidrBlock", "AmazonProvidedIpv6CidrBlock") }
        if let group = p["Ipv6CidrBlockNetworkBorderGroup"], group != region {
            throw EC2Errors.invalidParameterValue("The network border group '\(group)' is invalid.")
        }
        if amazonIpv6 {
            let assoc = try mutate(p) { tx -> Ipv6CidrBlockAssociation in
                guard var vpc = tx.get(Vpc.self, vpcId) else { throw EC2Errors.vpcNotFound(vpcId) }
                var blocks = vpc.ipv6CidrBlocks ?? []
                if blocks.count >= Self.cidrBlocksPerVpc { throw EC2Errors.cidrLimitExceeded(vpc: vpcId) }
                let taken = Set(tx.state.vpcs.values.flatMap { ($0.ipv6CidrBlocks ?? []).map(\.cidrBlock) })
                let assoc = Ipv6CidrBlockAssociation(associationId: ResourceID.make("vpc-cidr-assoc"),
                                                     cidrBlock: AmazonIpv6Pool.allocate(taken: taken), networkBorderGroup: region)
                blocks.append(assoc)
                vpc.ipv6CidrBlocks = blocks
                tx.put(vpc)
                return assoc
            }
            return EC2XML.response("AssociateVpcCidrBlock", requestID: ctx.requestID) { w in
                w.element("ipv6CidrBlockAssociation") { EC2XML.vpcIpv6Association(&$0, assoc, state: "associating") }
                w.element("vpcId", vpcId)
            }
        }
        guard let cidrText else { throw EC2Errors.missingParameter("cidrBlock") }
        guard let parsed = IPv4CIDR(cidrText) else { throw EC2Errors.invalidCidr(cidrText, parameter: "cidrBlock") }
        let cidr = parsed.normalized
        guard (16...28).contains(cidr.prefixLength) else { throw EC2Errors.vpcRange(cidrText) }
        let assoc = try mutate(p) { tx -> CidrBlockAssociation in
            guard var vpc = tx.get(Vpc.self, vpcId) else { throw EC2Errors.vpcNotFound(vpcId) }
            let current = vpc.ipv4CidrBlocks
            if current.count >= Self.cidrBlocksPerVpc { throw EC2Errors.cidrLimitExceeded(vpc: vpcId) }
            if current.contains(where: { $0.overlaps(cidr) }) { throw EC2Errors.vpcRange(cidrText) }
            // A private block must come from the primary block's RFC 1918 range; public blocks are allowed.
            if let range = Self.privateRanges.first(where: { $0.contains(cidr) }), !range.contains(vpc.cidrBlock) {
                throw EC2Errors.vpcRangeRestricted(cidrText)
            }
            let assoc = CidrBlockAssociation(associationId: ResourceID.make("vpc-cidr-assoc"), cidrBlock: cidr)
            vpc.secondaryCidrBlocks = (vpc.secondaryCidrBlocks ?? []) + [assoc]
            tx.put(vpc)
            for t in tx.state.routeTables.values where t.vpcId == vpcId && !t.routes.contains(where: { $0.destination == cidr }) {
                tx.update(RouteTable.self, t.id) {
                    $0.routes.append(.init(destination: cidr, gatewayId: "local", origin: "CreateRouteTable"))
                }
            }
            return assoc
        }
        return EC2XML.response("AssociateVpcCidrBlock", requestID: ctx.requestID) { w in
            w.element("cidrBlockAssociation") { EC2XML.vpcCidrAssociation(&$0, id: assoc.associationId, cidr: assoc.cidrBlock, state: "associating") }
            w.element("vpcId", vpcId)
        }
    }

    func disassociateVpcCidrBlock(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let id = try required(p, "AssociationId")
        enum Removed { case ipv4(CidrBlockAssociation), ipv6(Ipv6CidrBlockAssociation) }
        let (vpcId, removed) = try mutate(p) { tx -> (String, Removed) in
            let s = tx.state
            if s.vpcs.values.contains(where: { $0.cidrAssociationId == id }) { throw EC2Errors.primaryCidrNotRemovable(id) }
            if var vpc = s.vpcs.values.first(where: { ($0.secondaryCidrBlocks ?? []).contains { $0.associationId == id } }),
               let assoc = vpc.secondaryCidrBlocks?.first(where: { $0.associationId == id }) {
                if s.subnets.values.contains(where: { $0.vpcId == vpc.id && assoc.cidrBlock.overlaps($0.cidrBlock) }) {
                    throw EC2Errors.vpcCidrInUse(vpc: vpc.id, cidr: assoc.cidrBlock.description)
                }
                vpc.secondaryCidrBlocks?.removeAll { $0.associationId == id }
                tx.put(vpc)
                for t in s.routeTables.values where t.vpcId == vpc.id {
                    tx.update(RouteTable.self, t.id) { $0.routes.removeAll { $0.destination == assoc.cidrBlock && $0.gatewayId == "local" } }
                }
                return (vpc.id, .ipv4(assoc))
            }
            if var vpc = s.vpcs.values.first(where: { ($0.ipv6CidrBlocks ?? []).contains { $0.associationId == id } }),
               let assoc = vpc.ipv6CidrBlocks?.first(where: { $0.associationId == id }) {
                let block = IPv6Block(assoc.cidrBlock)
                let inUse = s.subnets.values.contains { sub in
                    guard sub.vpcId == vpc.id, let text = sub.ipv6CidrBlock?.cidrBlock, let b = IPv6Block(text) else { return false }
                    return block?.contains(b) ?? false
                }
                if inUse { throw EC2Errors.vpcCidrInUse(vpc: vpc.id, cidr: assoc.cidrBlock) }
                vpc.ipv6CidrBlocks?.removeAll { $0.associationId == id }
                tx.put(vpc)
                return (vpc.id, .ipv6(assoc))
            }
            throw EC2Errors.vpcCidrAssociationNotFound(id)
        }
        return EC2XML.response("DisassociateVpcCidrBlock", requestID: ctx.requestID) { w in
            switch removed {
            case .ipv4(let a):
                w.element("cidrBlockAssociation") { EC2XML.vpcCidrAssociation(&$0, id: a.associationId, cidr: a.cidrBlock, state: "disassociating") }
            case .ipv6(let a):
                w.element("ipv6CidrBlockAssociation") { EC2XML.vpcIpv6Association(&$0, a, state: "disassociating") }
            }
            w.element("vpcId", vpcId)
        }
    }
}
