import AWSWire
import CloudModel
import Foundation

/// The EC2 response envelope and the XML of each resource, member names as EC2 writes them.
public enum EC2XML {
    public static let xmlns = "http://ec2.amazonaws.com/doc/2016-11-15/"

    /// `<ActionResponse xmlns=…><requestId>…</requestId> body </ActionResponse>`.
    public static func response(_ action: String, requestID: String, _ body: (inout XMLWriter) -> Void) -> String {
        var w = XMLWriter()
        w.open(action + "Response", xmlns: xmlns)
        w.element("requestId", requestID)
        body(&w)
        w.close(action + "Response")
        return w.text
    }

    /// EC2's timestamp format: `2024-01-02T03:04:05.000Z`.
    public static func timestamp(_ d: Date) -> String { CivilTime.isoMilliseconds(d) + "Z" }

    public static func tagSet(_ w: inout XMLWriter, _ tags: [Tag], name: String = "tagSet") {
        if tags.isEmpty { return }
        w.list(name, tags) { w, t in w.element("key", t.key); w.element("value", t.value) }
    }

    public static func vpc(_ w: inout XMLWriter, _ v: Vpc) {
        w.element("vpcId", v.id)
        w.element("ownerId", v.ownerId)
        w.element("state", "available")
        w.element("cidrBlock", v.cidrBlock.description)
        w.open("cidrBlockAssociationSet")
        w.element("item") { vpcCidrAssociation(&$0, id: v.cidrAssociationId, cidr: v.cidrBlock, state: "associated") }
        for a in v.secondaryCidrBlocks ?? [] {
            w.element("item") { vpcCidrAssociation(&$0, id: a.associationId, cidr: a.cidrBlock, state: "associated") }
        }
        w.close("cidrBlockAssociationSet")
        if let v6 = v.ipv6CidrBlocks, !v6.isEmpty {
            w.list("ipv6CidrBlockAssociationSet", v6) { vpcIpv6Association(&$0, $1, state: "associated") }
        }
        w.element("dhcpOptionsId", v.dhcpOptionsId)
        tagSet(&w, v.tags)
        w.element("instanceTenancy", v.instanceTenancy)
        w.element("isDefault", v.isDefault)
        w.open("blockPublicAccessStates"); w.element("internetGatewayBlockMode", "off"); w.close("blockPublicAccessStates")
    }

    /// One member of a VPC's `cidrBlockAssociationSet` (or AssociateVpcCidrBlock's answer).
    public static func vpcCidrAssociation(_ w: inout XMLWriter, id: String, cidr: IPv4CIDR, state: String) {
        w.element("associationId", id)
        w.element("cidrBlock", cidr.description)
        w.element("cidrBlockState") { $0.element("state", state) }
    }

    /// One member of a VPC's `ipv6CidrBlockAssociationSet`: an Amazon-provided block.
    public static func vpcIpv6Association(_ w: inout XMLWriter, _ a: Ipv6CidrBlockAssociation, state: String) {
        w.element("associationId", a.associationId)
        w.element("ipv6CidrBlock", a.cidrBlock)
        w.element("ipv6CidrBlockState") { $0.element("state", state) }
        w.element("networkBorderGroup", a.networkBorderGroup)
        w.element("ipv6Pool", "Amazon")
        w.element("ipv6AddressAttribute", "public")
        w.element("ipSource", "amazon")
    }

    /// A subnet's IPv6 block as `ipv6CidrBlockAssociationSet` and AssociateSubnetCidrBlock show it.
    public static func subnetIpv6Association(_ w: inout XMLWriter, _ a: Ipv6CidrBlockAssociation, state: String) {
        w.element("associationId", a.associationId)
        w.element("ipv6CidrBlock", a.cidrBlock)
        w.element("ipv6CidrBlockState") { $0.element("state", state) }
        w.element("ipv6AddressAttribute", "public")
        w.element("ipSource", "amazon")
    }

    public static func subnet(_ w: inout XMLWriter, _ s: Subnet, interfaces: Int, region: String) {
        w.element("subnetId", s.id)
        w.element("subnetArn", "arn:aws:ec2:\(region):\(s.ownerId):subnet/\(s.id)")
        w.element("state", "available")
        w.element("ownerId", s.ownerId)
        w.element("vpcId", s.vpcId)
        w.element("cidrBlock", s.cidrBlock.description)
        w.open("ipv6CidrBlockAssociationSet")
        if let a = s.ipv6CidrBlock { w.element("item") { subnetIpv6Association(&$0, a, state: "associated") } }
        w.close("ipv6CidrBlockAssociationSet")
        w.element("availableIpAddressCount", SubnetAddressing.available(s.cidrBlock, inUse: interfaces))
        w.element("availabilityZone", s.availabilityZone)
        w.element("availabilityZoneId", s.availabilityZoneId)
        w.element("defaultForAz", s.defaultForAz ?? false)
        let a = s.attributes ?? SubnetAttributes()
        w.element("mapPublicIpOnLaunch", s.mapPublicIpOnLaunch)
        w.element("mapCustomerOwnedIpOnLaunch", a.mapCustomerOwnedIpOnLaunch ?? false)
        if let pool = a.customerOwnedIpv4Pool { w.element("customerOwnedIpv4Pool", pool) }
        w.element("assignIpv6AddressOnCreation", a.assignIpv6AddressOnCreation ?? false)
        if let index = a.enableLniAtDeviceIndex { w.element("enableLniAtDeviceIndex", index) }
        tagSet(&w, s.tags)
        w.open("privateDnsNameOptionsOnLaunch")
        w.element("hostnameType", a.hostnameType ?? "ip-name")
        w.element("enableResourceNameDnsARecord", a.enableResourceNameDnsARecord ?? false)
        w.element("enableResourceNameDnsAAAARecord", a.enableResourceNameDnsAAAARecord ?? false)
        w.close("privateDnsNameOptionsOnLaunch")
        w.element("ipv6Native", false)
        w.element("enableDns64", a.enableDns64 ?? false)
        w.open("blockPublicAccessStates"); w.element("internetGatewayBlockMode", "off"); w.close("blockPublicAccessStates")
    }

    /// `state` is the whole state, so each route's `active`/`blackhole` comes from its target.
    public static func routeTable(_ w: inout XMLWriter, _ t: RouteTable, state: CloudState) {
        w.element("routeTableId", t.id)
        w.element("vpcId", t.vpcId)
        w.element("ownerId", t.ownerId)
        // A gateway endpoint's prefix list is one route, whatever number of CIDRs it holds.
        var listed = Set<String>()
        let routes = t.routes.filter { r in r.destinationPrefixListId.map { listed.insert($0).inserted } ?? true }
        w.list("routeSet", routes) { w, r in
            if let pl = r.destinationPrefixListId { w.element("destinationPrefixListId", pl) } else {
                w.element("destinationCidrBlock", r.destination.description)
            }
            w.element("gatewayId", r.gatewayId)
            w.element("natGatewayId", r.natGatewayId)
            w.element("instanceId", r.instanceId)
            if r.instanceId != nil { w.element("instanceOwnerId", t.ownerId) }
            w.element("networkInterfaceId", r.networkInterfaceId)
            w.element("state", state.routeState(r, vpcId: t.vpcId))
            w.element("origin", r.origin)
        }
        w.list("associationSet", t.associations) { w, a in
            w.element("routeTableAssociationId", a.id)
            w.element("routeTableId", t.id)
            w.element("subnetId", a.subnetId)
            w.element("main", a.main)
            w.open("associationState"); w.element("state", "associated"); w.close("associationState")
        }
        w.open("propagatingVgwSet"); w.close("propagatingVgwSet")
        tagSet(&w, t.tags)
    }

    public static func networkAcl(_ w: inout XMLWriter, _ a: NetworkAcl) {
        w.element("networkAclId", a.id)
        w.element("vpcId", a.vpcId)
        w.element("ownerId", a.ownerId)
        w.element("default", a.isDefault)
        w.list("entrySet", a.entries) { w, e in
            w.element("ruleNumber", e.ruleNumber)
            w.element("protocol", e.proto)
            w.element("ruleAction", e.ruleAction)
            w.element("egress", e.egress)
            w.element("cidrBlock", e.cidrBlock.description)
            if let type = e.icmpType, let code = e.icmpCode {
                w.open("icmpTypeCode"); w.element("code", code); w.element("type", type); w.close("icmpTypeCode")
            }
            if let from = e.fromPort, let to = e.toPort {
                w.open("portRange"); w.element("from", from); w.element("to", to); w.close("portRange")
            }
        }
        w.list("associationSet", a.associations) { w, s in
            w.element("networkAclAssociationId", s.id)
            w.element("networkAclId", a.id)
            w.element("subnetId", s.subnetId)
        }
        tagSet(&w, a.tags)
    }

    public static func networkInterface(_ w: inout XMLWriter, _ n: NetworkInterface, groupNames: [String: String],
                                        zoneId: String, region: String, publicAddress: ElasticAddress? = nil) {
        w.element("networkInterfaceId", n.id)
        w.element("subnetId", n.subnetId)
        w.element("vpcId", n.vpcId)
        w.element("availabilityZone", n.availabilityZone)
        w.element("availabilityZoneId", zoneId)
        w.element("description", n.description)
        w.element("ownerId", n.ownerId)
        w.element("requesterId", n.requesterId)
        w.element("requesterManaged", n.requesterManaged)
        w.element("status", n.status)
        w.element("macAddress", n.macAddress)
        w.element("privateIpAddress", n.privateIpAddress.description)
        let dns = privateDnsName(n.privateIpAddress, region: region)
        w.element("privateDnsName", dns)
        w.element("sourceDestCheck", n.sourceDestCheck)
        w.list("groupSet", n.groupIds) { w, g in
            w.element("groupId", g)
            w.element("groupName", groupNames[g])
        }
        if let publicAddress { publicAssociation(&w, publicAddress) }
        if let a = n.attachment {
            w.open("attachment")
            w.element("attachmentId", a.id)
            w.element("instanceId", a.instanceId)
            w.element("instanceOwnerId", a.instanceOwnerId)
            w.element("deviceIndex", a.deviceIndex)
            w.element("networkCardIndex", 0)
            w.element("status", a.status)
            w.element("attachTime", timestamp(a.attachTime))
            w.element("deleteOnTermination", a.deleteOnTermination)
            w.close("attachment")
        }
        tagSet(&w, n.tags)
        w.open("privateIpAddressesSet"); w.open("item")
        w.element("privateIpAddress", n.privateIpAddress.description)
        w.element("privateDnsName", dns)
        w.element("primary", true)
        if let publicAddress { publicAssociation(&w, publicAddress) }
        w.close("item"); w.close("privateIpAddressesSet")
        w.open("ipv6AddressesSet"); w.close("ipv6AddressesSet")
        w.element("interfaceType", n.interfaceType)
    }

    /// `ip-10-0-1-4.ec2.internal` in us-east-1, `ip-10-0-1-4.REGION.compute.internal` elsewhere.
    public static func privateDnsName(_ ip: IPv4Address, region: String) -> String {
        AmazonDNS.privateDnsName(ip, region: region)
    }
}
