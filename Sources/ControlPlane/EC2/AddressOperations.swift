import AWSWire
import CloudModel

extension CloudState {
    /// The Elastic IP mapped to a network interface, if any.
    public func address(onInterface eniId: String) -> ElasticAddress? {
        addresses.values.first { $0.association?.networkInterfaceId == eniId }
    }
}

extension EC2Service {
    func allocateAddress(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let domain = p["Domain"] ?? "vpc"
        guard domain == "vpc" else { throw EC2Errors.invalidDomain(domain) }
        let requested = try p["Address"].map { text -> IPv4Address in
            guard let a = IPv4Address(text) else {
                throw EC2Errors.invalidParameterValue("Value (\(text)) for parameter address is invalid. Invalid format.")
            }
            return a
        }
        let tags = try tagSpecifications(p, resourceType: "elastic-ip")
        let address = try publicAddresses.allocating { elsewhere in try mutate(p) { tx -> ElasticAddress in
            let used = elsewhere.union(tx.state.addresses.values.map(\.publicIp))
            let ip: IPv4Address
            if let requested {
                guard ElasticAddress.pool.contains(requested), !used.contains(requested) else {
                    throw EC2Errors.addressNotFound(requested.description)
                }
                ip = requested
            } else {
                guard let free = ElasticAddress.firstFree(used: used) else { throw EC2Errors.addressLimitExceeded() }
                ip = free
            }
            let a = ElasticAddress(id: ResourceID.make("eipalloc"), publicIp: ip, association: nil, ownerId: accountId,
                                   tags: tags, createdAt: tx.now)
            tx.put(a)
            return a
        } }
        return EC2XML.response("AllocateAddress", requestID: ctx.requestID) { w in
            w.element("publicIp", address.publicIp.description)
            w.element("domain", "vpc")
            w.element("allocationId", address.id)
            w.element("publicIpv4Pool", "amazon")
            w.element("networkBorderGroup", self.region)
        }
    }

    /// The address named by `AllocationId` or, failing that, `PublicIp`.
    func namedAddress(_ p: QueryParameters, in s: CloudState) throws -> ElasticAddress {
        if let id = p["AllocationId"], !id.isEmpty {
            try checkID(id, "eipalloc")
            guard let a = s.addresses[id] else { throw EC2Errors.allocationNotFound(id) }
            return a
        }
        if let ip = p["PublicIp"], !ip.isEmpty {
            guard let a = s.addresses.values.first(where: { $0.publicIp.description == ip }) else { throw EC2Errors.addressNotFound(ip) }
            return a
        }
        throw EC2Errors.missingParameter("allocationId")
    }

    func releaseAddress(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        try mutate(p) { tx in
            let a = try namedAddress(p, in: tx.state)
            if a.association != nil || tx.state.natGateways.values.contains(where: { $0.allocationId == a.id && ($0.state == .pending || $0.state == .available) }) {
                throw EC2Errors.addressAssociated(a.id)
            }
            tx.delete(ElasticAddress.self, a.id)
        }
        return EC2XML.response("ReleaseAddress", requestID: ctx.requestID) { $0.element("return", true) }
    }

    func associateAddress(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let instanceId = p["InstanceId"].flatMap { $0.isEmpty ? nil : $0 }
        let eniId = p["NetworkInterfaceId"].flatMap { $0.isEmpty ? nil : $0 }
        if let instanceId { try checkID(instanceId, "i") }
        if let eniId { try checkID(eniId, "eni") }
        if instanceId == nil && eniId == nil { throw EC2Errors.missingParameter("instanceId") }
        let reassociate = p["AllowReassociation"]?.lowercased() == "true"
        let associationId = try mutate(p) { tx -> String in
            let s = tx.state
            let address = try namedAddress(p, in: s)
            let eni: NetworkInterface
            if let eniId {
                guard let e = s.networkInterfaces[eniId] else { throw EC2Errors.networkInterfaceNotFound(eniId) }
                if let instanceId, e.attachment?.instanceId != instanceId {
                    throw EC2Errors.parameterCombination("instanceId", "networkInterfaceId")
                }
                eni = e
            } else {
                let id = instanceId!
                guard let inst = s.instances[id], let e = inst.networkInterfaceId.flatMap({ s.networkInterfaces[$0] }) else {
                    throw EC2Errors.instanceNotFound([id])
                }
                eni = e
            }
            if eni.interfaceType == "nat_gateway" { throw EC2Errors.managedAssociation(eni.id) }
            if let current = address.association {
                if s.networkInterfaces[current.networkInterfaceId]?.interfaceType == "nat_gateway" {
                    throw EC2Errors.managedAssociation(current.id)
                }
                if !reassociate { throw EC2Errors.addressAlreadyAssociated(address.id, association: current.id) }
            }
            if !s.internetGateways.values.contains(where: { $0.attachedVpcId == eni.vpcId }) {
                throw EC2Errors.networkHasNoGateway(eni.vpcId)
            }
            let privateIp = try p["PrivateIpAddress"].map { text -> IPv4Address in
                guard let ip = IPv4Address(text), ip == eni.privateIpAddress else {
                    throw EC2Errors.invalidParameterValue("The private IP address \(text) is not associated with the network interface \(eni.id).")
                }
                return ip
            } ?? eni.privateIpAddress
            // An interface has one public address: a new one replaces the old mapping.
            if let previous = s.address(onInterface: eni.id), previous.id != address.id {
                tx.update(ElasticAddress.self, previous.id) { $0.association = nil }
            }
            let id = ResourceID.make("eipassoc")
            tx.update(ElasticAddress.self, address.id) {
                $0.association = .init(id: id, networkInterfaceId: eni.id, privateIpAddress: privateIp, instanceId: eni.attachment?.instanceId)
            }
            return id
        }
        return EC2XML.response("AssociateAddress", requestID: ctx.requestID) { w in
            w.element("return", true)
            w.element("associationId", associationId)
        }
    }

    func disassociateAddress(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        try mutate(p) { tx in
            let s = tx.state
            let address: ElasticAddress
            if let id = p["AssociationId"], !id.isEmpty {
                try checkID(id, "eipassoc")
                guard let a = s.addresses.values.first(where: { $0.association?.id == id }) else { throw EC2Errors.associationNotFound(id) }
                address = a
            } else if let ip = p["PublicIp"], !ip.isEmpty {
                guard let a = s.addresses.values.first(where: { $0.publicIp.description == ip }) else { throw EC2Errors.addressNotFound(ip) }
                address = a
            } else {
                throw EC2Errors.missingParameter("associationId")
            }
            guard let assoc = address.association else { return }
            if s.networkInterfaces[assoc.networkInterfaceId]?.interfaceType == "nat_gateway" { throw EC2Errors.managedAssociation(assoc.id) }
            tx.update(ElasticAddress.self, address.id) { $0.association = nil }
        }
        return EC2XML.response("DisassociateAddress", requestID: ctx.requestID) { $0.element("return", true) }
    }

    func describeAddresses(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let s = store.snapshot()
        let filter = try EC2Filters.compile(p, tags: { (a: ElasticAddress) in a.tags }) {
            [
                "allocation-id": { [$0.id] },
                "public-ip": { [$0.publicIp.description] },
                "domain": { _ in ["vpc"] },
                "association-id": { $0.association.map { [$0.id] } ?? [] },
                "network-interface-id": { $0.association.map { [$0.networkInterfaceId] } ?? [] },
                "network-interface-owner-id": { a in a.association.map { _ in [a.ownerId] } ?? [] },
                "private-ip-address": { $0.association.map { [$0.privateIpAddress.description] } ?? [] },
                "instance-id": { $0.association?.instanceId.map { [$0] } ?? [] },
                "public-ipv4-pool": { _ in ["amazon"] },
                "network-border-group": { [region = self.region] _ in [region] },
            ]
        }
        var found: [ElasticAddress]
        let ids = p.list("AllocationId"), ips = p.list("PublicIp")
        if ids.isEmpty && ips.isEmpty {
            found = Array(s.addresses.values)
        } else {
            found = try lookup(p, "AllocationId", prefix: "eipalloc", in: s.addresses, notFound: EC2Errors.allocationNotFound) ?? []
            for ip in ips {
                guard let a = s.addresses.values.first(where: { $0.publicIp.description == ip }) else { throw EC2Errors.addressNotFound(ip) }
                if !found.contains(where: { $0.id == a.id }) { found.append(a) }
            }
        }
        if !filter.isEmpty { found = found.filter(filter.matches) }
        found.sort { $0.publicIp < $1.publicIp }
        return EC2XML.response("DescribeAddresses", requestID: ctx.requestID) { w in
            w.list("addressesSet", found) { EC2XML.address(&$0, $1, region: self.region) }
        }
    }
}

extension EC2XML {
    public static func address(_ w: inout XMLWriter, _ a: ElasticAddress, region: String) {
        w.element("publicIp", a.publicIp.description)
        w.element("allocationId", a.id)
        w.element("domain", "vpc")
        if let assoc = a.association {
            w.element("instanceId", assoc.instanceId)
            w.element("associationId", assoc.id)
            w.element("networkInterfaceId", assoc.networkInterfaceId)
            w.element("networkInterfaceOwnerId", a.ownerId)
            w.element("privateIpAddress", assoc.privateIpAddress.description)
        }
        tagSet(&w, a.tags)
        w.element("publicIpv4Pool", "amazon")
        w.element("networkBorderGroup", region)
    }

    /// The `association` element of an interface that has a public address.
    public static func publicAssociation(_ w: inout XMLWriter, _ a: ElasticAddress) {
        guard let assoc = a.association else { return }
        w.open("association")
        w.element("publicIp", a.publicIp.description)
        w.element("publicDnsName", "")
        w.element("ipOwnerId", a.ownerId)
        w.element("allocationId", a.id)
        w.element("associationId", assoc.id)
        w.close("association")
    }
}
