import AWSWire
import CloudModel

/// A subnet's IPv6 /64: given at CreateSubnet or by AssociateSubnetCidrBlock, taken from one of its VPC's /56 blocks.
/// The block is bookkeeping only: the kernel fabric carries IPv4.
extension EC2Service {
    /// Validates a subnet IPv6 block: a /64 inside one of the VPC's IPv6 blocks that no other subnet uses.
    static func subnetIpv6Block(_ text: String, vpc: Vpc, subnetId: String?, state: CloudState) throws -> IPv6Block {
        guard let block = IPv6Block(text), block.isNetwork else { throw EC2Errors.invalidCidr(text, parameter: "ipv6CidrBlock") }
        let vpcBlocks = (vpc.ipv6CidrBlocks ?? []).compactMap { IPv6Block($0.cidrBlock) }
        guard block.prefixLength == 64, vpcBlocks.contains(where: { $0.contains(block) }) else { throw EC2Errors.subnetRange(text) }
        let clash = state.subnets.values.contains { other in
            guard other.vpcId == vpc.id, other.id != subnetId, let t = other.ipv6CidrBlock?.cidrBlock, let b = IPv6Block(t) else { return false }
            return b.overlaps(block)
        }
        if clash { throw EC2Errors.subnetConflict(text) }
        return block
    }

    func associateSubnetCidrBlock(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let subnetId = try required(p, "SubnetId")
        try checkID(subnetId, "subnet")
        for unsupported in ["Ipv6IpamPoolId", "Ipv6NetmaskLength"] where p[unsupported] != nil {
            throw EC2Errors.unsupportedCidrSource(unsupported)
        }
        let text = try required(p, "Ipv6CidrBlock")
        let assoc = try mutate(p) { tx -> Ipv6CidrBlockAssociation in
            guard var subnet = tx.get(Subnet.self, subnetId) else { throw EC2Errors.subnetNotFound(subnetId) }
            guard let vpc = tx.get(Vpc.self, subnet.vpcId) else { throw EC2Errors.vpcNotFound(subnet.vpcId) }
            if subnet.ipv6CidrBlock != nil { throw EC2Errors.subnetHasIpv6(subnetId) }
            let block = try Self.subnetIpv6Block(text, vpc: vpc, subnetId: subnetId, state: tx.state)
            let assoc = Ipv6CidrBlockAssociation(associationId: ResourceID.make("subnet-cidr-assoc"), cidrBlock: block.description)
            subnet.ipv6CidrBlock = assoc
            tx.put(subnet)
            return assoc
        }
        return EC2XML.response("AssociateSubnetCidrBlock", requestID: ctx.requestID) { w in
            w.element("ipv6CidrBlockAssociation") { EC2XML.subnetIpv6Association(&$0, assoc, state: "associating") }
            w.element("subnetId", subnetId)
        }
    }

    func disassociateSubnetCidrBlock(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let id = try required(p, "AssociationId")
        let (subnetId, assoc) = try mutate(p) { tx -> (String, Ipv6CidrBlockAssociation) in
            guard var subnet = tx.state.subnets.values.first(where: { $0.ipv6CidrBlock?.associationId == id }),
                  let assoc = subnet.ipv6CidrBlock else { throw EC2Errors.subnetCidrAssociationNotFound(id) }
            if subnet.attributes?.assignIpv6AddressOnCreation == true { throw EC2Errors.subnetIpv6InUse(id) }
            subnet.ipv6CidrBlock = nil
            tx.put(subnet)
            return (subnet.id, assoc)
        }
        return EC2XML.response("DisassociateSubnetCidrBlock", requestID: ctx.requestID) { w in
            w.element("ipv6CidrBlockAssociation") { EC2XML.subnetIpv6Association(&$0, assoc, state: "disassociating") }
            w.element("subnetId", subnetId)
        }
    }
}
