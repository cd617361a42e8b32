import AWSWire
import CloudModel

/// Parses one CreateNetworkAclEntry/ReplaceNetworkAclEntry request into an entry; pure, so it is tested alone.
enum NetworkAclEntries {
    /// Protocol names EC2 accepts, stored as the numbers it reports.
    static let protocolNumbers = ["all": "-1", "tcp": "6", "udp": "17", "icmp": "1"]

    static func ruleNumber(_ p: QueryParameters) throws -> Int {
        guard let text = p["RuleNumber"] else { throw EC2Errors.missingParameter("ruleNumber") }
        guard let n = Int(text), (1...32766).contains(n) else { throw EC2Errors.invalidRuleNumber(text) }
        return n
    }

    static func egress(_ p: QueryParameters) throws -> Bool {
        guard let text = p["Egress"] else { throw EC2Errors.missingParameter("egress") }
        return text.lowercased() == "true"
    }

    static func entry(_ p: QueryParameters) throws -> NetworkAcl.Entry {
        let rule = try ruleNumber(p)
        let egress = try egress(p)
        guard let protoText = p["Protocol"], !protoText.isEmpty else { throw EC2Errors.missingParameter("protocol") }
        let proto = protocolNumbers[protoText.lowercased()] ?? protoText
        guard proto == "-1" || (Int(proto).map { (0...255).contains($0) } ?? false) else { throw EC2Errors.unknownProtocol(protoText) }
        guard let action = p["RuleAction"] else { throw EC2Errors.missingParameter("ruleAction") }
        guard action == "allow" || action == "deny" else { throw EC2Errors.invalidRuleAction(action) }
        if p["Ipv6CidrBlock"] != nil { throw EC2Errors.invalidParameterValue("IPv6 network ACL entries are not supported by this endpoint.") }
        guard let cidrText = p["CidrBlock"] else { throw EC2Errors.missingParameter("cidrBlock") }
        guard let cidr = IPv4CIDR(cidrText) else { throw EC2Errors.invalidCidr(cidrText, parameter: "cidrBlock") }
        var e = NetworkAcl.Entry(ruleNumber: rule, egress: egress, proto: proto, ruleAction: action, cidrBlock: cidr.normalized,
                                 fromPort: nil, toPort: nil)
        if proto == "6" || proto == "17" {
            guard let from = p["PortRange.From"].flatMap(Int.init), let to = p["PortRange.To"].flatMap(Int.init) else {
                throw EC2Errors.aclPortRangeRequired()
            }
            guard (0...65535).contains(from), (0...65535).contains(to), from <= to else { throw EC2Errors.invalidPortRange(from: from, to: to) }
            e.fromPort = from; e.toPort = to
        } else if proto == "1" {
            guard let type = p["Icmp.Type"].flatMap(Int.init), let code = p["Icmp.Code"].flatMap(Int.init) else {
                throw EC2Errors.aclIcmpRequired()
            }
            guard (-1...255).contains(type), (-1...255).contains(code) else { throw EC2Errors.invalidIcmp(type: type, code: code) }
            e.icmpType = type; e.icmpCode = code
        }
        return e
    }

    /// Entries in EC2's order: egress first, each direction by rule number.
    static func sorted(_ entries: [NetworkAcl.Entry]) -> [NetworkAcl.Entry] {
        entries.sorted { ($0.egress ? 0 : 1, $0.ruleNumber) < ($1.egress ? 0 : 1, $1.ruleNumber) }
    }
}

extension EC2Service {
    func createNetworkAcl(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let vpcId = try required(p, "VpcId")
        try checkID(vpcId, "vpc")
        let tags = try tagSpecifications(p, resourceType: "network-acl")
        let acl = try mutate(p) { tx -> NetworkAcl in
            guard tx.get(Vpc.self, vpcId) != nil else { throw EC2Errors.vpcNotFound(vpcId) }
            // A new ACL denies everything until entries are added.
            let entries = [true, false].map {
                NetworkAcl.Entry(ruleNumber: 32767, egress: $0, proto: "-1", ruleAction: "deny", cidrBlock: VpcDefaults.anywhere,
                                 fromPort: nil, toPort: nil)
            }
            let acl = NetworkAcl(id: ResourceID.make("acl"), vpcId: vpcId, isDefault: false, entries: entries, associations: [],
                                 ownerId: accountId, tags: tags)
            tx.put(acl)
            return acl
        }
        return EC2XML.response("CreateNetworkAcl", requestID: ctx.requestID) { w in
            w.element("networkAcl") { EC2XML.networkAcl(&$0, acl) }
            w.element("clientToken", p["ClientToken"])
        }
    }

    func deleteNetworkAcl(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let id = try required(p, "NetworkAclId")
        try checkID(id, "acl")
        try mutate(p) { tx in
            guard let acl = tx.get(NetworkAcl.self, id) else { throw EC2Errors.networkAclNotFound(id) }
            if acl.isDefault { throw EC2Errors.cannotDeleteDefaultAcl(id) }
            if !acl.associations.isEmpty { throw EC2Errors.networkAclHasDependencies(id) }
            tx.delete(NetworkAcl.self, id)
        }
        return EC2XML.response("DeleteNetworkAcl", requestID: ctx.requestID) { $0.element("return", true) }
    }

    func aclId(_ p: QueryParameters) throws -> String {
        let id = try required(p, "NetworkAclId")
        try checkID(id, "acl")
        return id
    }

    func createNetworkAclEntry(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let id = try aclId(p)
        let entry = try NetworkAclEntries.entry(p)
        try mutate(p) { tx in
            guard let acl = tx.get(NetworkAcl.self, id) else { throw EC2Errors.networkAclNotFound(id) }
            if acl.entries.contains(where: { $0.ruleNumber == entry.ruleNumber && $0.egress == entry.egress }) {
                throw EC2Errors.aclEntryExists(entry.ruleNumber)
            }
            tx.update(NetworkAcl.self, id) { $0.entries = NetworkAclEntries.sorted($0.entries + [entry]) }
        }
        return EC2XML.response("CreateNetworkAclEntry", requestID: ctx.requestID) { $0.element("return", true) }
    }

    func replaceNetworkAclEntry(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let id = try aclId(p)
        let entry = try NetworkAclEntries.entry(p)
        try mutate(p) { tx in
            guard let acl = tx.get(NetworkAcl.self, id) else { throw EC2Errors.networkAclNotFound(id) }
            guard let i = acl.entries.firstIndex(where: { $0.ruleNumber == entry.ruleNumber && $0.egress == entry.egress }) else {
                throw EC2Errors.aclEntryNotFound(entry.ruleNumber, egress: entry.egress, acl: id)
            }
            tx.update(NetworkAcl.self, id) { $0.entries[i] = entry }
        }
        return EC2XML.response("ReplaceNetworkAclEntry", requestID: ctx.requestID) { $0.element("return", true) }
    }

    func deleteNetworkAclEntry(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let id = try aclId(p)
        let rule = try NetworkAclEntries.ruleNumber(p)
        let egress = try NetworkAclEntries.egress(p)
        try mutate(p) { tx in
            guard let acl = tx.get(NetworkAcl.self, id) else { throw EC2Errors.networkAclNotFound(id) }
            guard acl.entries.contains(where: { $0.ruleNumber == rule && $0.egress == egress }) else {
                throw EC2Errors.aclEntryNotFound(rule, egress: egress, acl: id)
            }
            tx.update(NetworkAcl.self, id) { $0.entries.removeAll { $0.ruleNumber == rule && $0.egress == egress } }
        }
        return EC2XML.response("DeleteNetworkAclEntry", requestID: ctx.requestID) { $0.element("return", true) }
    }

    /// Moves a subnet from the ACL holding `AssociationId` to `NetworkAclId` (same VPC), under a new association id.
    func replaceNetworkAclAssociation(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let assocId = try required(p, "AssociationId")
        try checkID(assocId, "aclassoc")
        let id = try aclId(p)
        let newId = try mutate(p) { tx -> String in
            guard let old = tx.state.networkAcls.values.first(where: { $0.associations.contains { $0.id == assocId } }),
                  let assoc = old.associations.first(where: { $0.id == assocId }) else { throw EC2Errors.associationNotFound(assocId) }
            guard let target = tx.get(NetworkAcl.self, id) else { throw EC2Errors.networkAclNotFound(id) }
            if target.vpcId != old.vpcId {
                throw EC2Errors.invalidParameterValue("Network ACL \(id) and subnet \(assoc.subnetId) belong to different networks")
            }
            let newId = ResourceID.make("aclassoc")
            tx.update(NetworkAcl.self, old.id) { $0.associations.removeAll { $0.id == assocId } }
            tx.update(NetworkAcl.self, id) { $0.associations.append(.init(id: newId, subnetId: assoc.subnetId)) }
            return newId
        }
        return EC2XML.response("ReplaceNetworkAclAssociation", requestID: ctx.requestID) { $0.element("newAssociationId", newId) }
    }
}
