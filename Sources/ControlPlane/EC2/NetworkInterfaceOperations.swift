import AWSWire
import CloudModel
import Foundation

extension EC2Service {
    func createNetworkInterface(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let subnetId = try required(p, "SubnetId")
        try checkID(subnetId, "subnet")
        let groupIds = p.list("SecurityGroupId")
        for g in groupIds { try checkID(g, "sg") }
        let requestedIP = try p["PrivateIpAddress"].map { text -> IPv4Address in
            guard let a = IPv4Address(text) else {
                throw EC2Errors.invalidParameterValue("Value (\(text)) for parameter privateIpAddress is invalid. Invalid format.")
            }
            return a
        }
        let tags = try tagSpecifications(p, resourceType: "network-interface")
        let eni = try mutate(p) { tx -> NetworkInterface in
            let s = tx.state
            guard let subnet = s.subnets[subnetId] else { throw EC2Errors.subnetNotFound(subnetId) }
            var groups = groupIds
            for g in groups {
                guard let sg = s.securityGroups[g] else { throw EC2Errors.groupNotFound(g) }
                if sg.vpcId != subnet.vpcId { throw EC2Errors.differentNetworks(g, subnetId) }
            }
            if groups.isEmpty, let d = s.securityGroups.values.first(where: { $0.vpcId == subnet.vpcId && $0.name == "default" }) {
                groups = [d.id]
            }
            var seen = Set<String>()
            groups = groups.filter { seen.insert($0).inserted }
            let used = s.usedAddresses(inSubnet: subnetId)
            let address: IPv4Address
            if let requestedIP {
                let offset = requestedIP.value &- subnet.cidrBlock.network.value
                guard subnet.cidrBlock.contains(requestedIP), SubnetAddressing.assignableRange(subnet.cidrBlock).contains(offset) else {
                    throw EC2Errors.addressOutsideSubnet(requestedIP.description)
                }
                if used.contains(requestedIP) { throw EC2Errors.addressInUse(requestedIP.description) }
                address = requestedIP
            } else {
                guard let a = SubnetAddressing.firstFree(subnet.cidrBlock, used: used) else { throw EC2Errors.insufficientAddresses(subnetId) }
                address = a
            }
            let eni = NetworkInterface(id: ResourceID.make("eni"), subnetId: subnetId, vpcId: subnet.vpcId,
                                       availabilityZone: subnet.availabilityZone, privateIpAddress: address,
                                       macAddress: ResourceID.macAddress(), groupIds: groups, interfaceType: "interface",
                                       description: p["Description"] ?? "", requesterId: nil, requesterManaged: false,
                                       status: "available", sourceDestCheck: true, attachment: nil, ownerId: accountId,
                                       tags: tags, createdAt: tx.now)
            tx.put(eni)
            return eni
        }
        let s = store.snapshot()
        return EC2XML.response("CreateNetworkInterface", requestID: ctx.requestID) { w in
            w.element("networkInterface") {
                EC2XML.networkInterface(&$0, eni, groupNames: self.groupNames(eni, s), zoneId: self.zones.zoneId(ofName: eni.availabilityZone),
                                        region: self.region)
            }
        }
    }

    func groupNames(_ eni: NetworkInterface, _ s: CloudState) -> [String: String] {
        var out: [String: String] = [:]
        for g in eni.groupIds { out[g] = s.securityGroups[g]?.name }
        return out
    }

    func describeNetworkInterfaces(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let s = store.snapshot()
        if p["MaxResults"] != nil && !p.list("NetworkInterfaceId").isEmpty {
            throw EC2Errors.parameterCombination("networkInterfaceIds", "maxResults")
        }
        let region = self.region
        let filter = try EC2Filters.compile(p, tags: { (n: NetworkInterface) in n.tags }) {
            [
                "network-interface-id": { [$0.id] },
                "subnet-id": { [$0.subnetId] },
                "vpc-id": { [$0.vpcId] },
                "group-id": { $0.groupIds },
                "group-name": { n in n.groupIds.compactMap { s.securityGroups[$0]?.name } },
                "interface-type": { [$0.interfaceType] },
                "description": { [$0.description] },
                "status": { [$0.status] },
                "private-ip-address": { [$0.privateIpAddress.description] },
                "addresses.private-ip-address": { [$0.privateIpAddress.description] },
                "private-dns-name": { [EC2XML.privateDnsName($0.privateIpAddress, region: region)] },
                "mac-address": { [$0.macAddress] },
                "owner-id": { [$0.ownerId] },
                "requester-id": { $0.requesterId.map { [$0] } ?? [] },
                "requester-managed": { EC2Filters.bool($0.requesterManaged) },
                "source-dest-check": { EC2Filters.bool($0.sourceDestCheck) },
                "availability-zone": { [$0.availabilityZone] },
                "attachment.attachment-id": { $0.attachment.map { [$0.id] } ?? [] },
                "attachment.status": { $0.attachment.map { [$0.status] } ?? [] },
                "attachment.instance-id": { $0.attachment?.instanceId.map { [$0] } ?? [] },
                "attachment.instance-owner-id": { $0.attachment.map { [$0.instanceOwnerId] } ?? [] },
            ]
        }
        var enis = try lookup(p, "NetworkInterfaceId", prefix: "eni", in: s.networkInterfaces,
                              notFound: EC2Errors.networkInterfaceNotFound) ?? Array(s.networkInterfaces.values)
        if !filter.isEmpty { enis = enis.filter(filter.matches) }
        enis.sort { $0.id < $1.id }
        let page = try EC2Pagination.page(enis, key: \.id, p)
        return EC2XML.response("DescribeNetworkInterfaces", requestID: ctx.requestID) { w in
            w.list("networkInterfaceSet", Array(page.items)) { w, n in
                EC2XML.networkInterface(&w, n, groupNames: self.groupNames(n, s), zoneId: self.zones.zoneId(ofName: n.availabilityZone),
                                        region: region)
            }
            w.element("nextToken", page.nextToken)
        }
    }

    func deleteNetworkInterface(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let id = try required(p, "NetworkInterfaceId")
        try checkID(id, "eni")
        try mutate(p) { tx in
            guard let eni = tx.get(NetworkInterface.self, id) else { throw EC2Errors.networkInterfaceNotFound(id) }
            if let a = eni.attachment {
                if a.id.hasPrefix("ela-attach-") { throw EC2Errors.notAllowedElaAttachment() }
                throw EC2Errors.interfaceInUse(id)
            }
            if eni.status == "in-use" { throw EC2Errors.interfaceInUse(id) }
            tx.delete(NetworkInterface.self, id)
        }
        return EC2XML.response("DeleteNetworkInterface", requestID: ctx.requestID) { $0.element("return", true) }
    }
}
