import AWSWire
import CloudModel
import Foundation

extension EC2Service {
    func createSecurityGroup(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let name = try required(p, "GroupName")
        let description = try required(p, "GroupDescription")
        guard let vpcId = p["VpcId"] ?? DefaultVpc.existing(store.snapshot())?.id, !vpcId.isEmpty else { throw EC2Errors.noDefaultVpc() }
        try checkID(vpcId, "vpc")
        if name.lowercased().hasPrefix("sg-") { throw EC2Errors.groupNameLikeId() }
        if name == "default" { throw EC2Errors.groupNameReserved(name) }
        if name.count > 255 || description.count > 255 {
            throw EC2Errors.invalidParameterValue("Value for parameter groupName or groupDescription exceeds 255 characters")
        }
        let tags = try tagSpecifications(p, resourceType: "security-group")
        let group = try mutate(p) { tx -> SecurityGroup in
            guard tx.get(Vpc.self, vpcId) != nil else { throw EC2Errors.vpcNotFound(vpcId) }
            if tx.state.securityGroups.values.contains(where: { $0.vpcId == vpcId && $0.name == name }) {
                throw EC2Errors.groupDuplicate(name, vpcId: vpcId)
            }
            let g = SecurityGroup(id: ResourceID.make("sg"), vpcId: vpcId, name: name, description: description,
                                  ownerId: accountId, tags: tags, createdAt: tx.now)
            tx.put(g)
            tx.put(SecurityGroupRules.allTraffic(group: g, egress: true, peerGroup: nil, sequence: SecurityGroupRules.nextSequence(tx.state)))
            return g
        }
        return EC2XML.response("CreateSecurityGroup", requestID: ctx.requestID) { w in
            w.element("return", true)
            w.element("groupId", group.id)
            EC2XML.tagSet(&w, group.tags)
            w.element("securityGroupArn", EC2XML.groupArn(self.region, group.ownerId, group.id))
        }
    }

    func describeSecurityGroups(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let s = store.snapshot()
        var rulesByGroup: [String: [SecurityGroupRule]] = [:]
        for r in s.securityGroupRules.values { rulesByGroup[r.groupId, default: []].append(r) }
        for k in rulesByGroup.keys { rulesByGroup[k]!.sort { $0.sequence < $1.sequence } }
        let filter = try EC2Filters.compile(p, tags: { (g: SecurityGroup) in g.tags }) {
            var f: EC2Filters.Fields<SecurityGroup> = [
                "group-id": { [$0.id] }, "group-name": { [$0.name] }, "vpc-id": { [$0.vpcId] },
                "description": { [$0.description] }, "owner-id": { [$0.ownerId] },
            ]
            for (prefix, egress) in [("ip-permission.", false), ("egress.ip-permission.", true)] {
                func field(_ extract: @escaping (SecurityGroupRule) -> String?) -> (SecurityGroup) -> [String] {
                    { g in (rulesByGroup[g.id] ?? []).filter { $0.isEgress == egress }.compactMap(extract) }
                }
                f[prefix + "protocol"] = field { $0.ipProtocol }
                f[prefix + "from-port"] = field { String($0.fromPort) }
                f[prefix + "to-port"] = field { String($0.toPort) }
                f[prefix + "cidr"] = field { $0.cidrIpv4?.description }
                f[prefix + "ipv6-cidr"] = field { $0.cidrIpv6 }
                f[prefix + "group-id"] = field { $0.referencedGroupId }
                f[prefix + "group-name"] = field { r in r.referencedGroupId.flatMap { s.securityGroups[$0]?.name } }
                f[prefix + "user-id"] = field { r in r.referencedGroupId == nil ? nil : r.ownerId }
            }
            return f
        }
        var groups: [SecurityGroup]
        let ids = p.list("GroupId"), names = p.list("GroupName")
        if ids.isEmpty && names.isEmpty {
            groups = Array(s.securityGroups.values)
        } else {
            groups = try lookup(p, "GroupId", prefix: "sg", in: s.securityGroups, notFound: EC2Errors.groupNotFound) ?? []
            for n in names {
                let found = s.securityGroups.values.filter { $0.name == n }
                if found.isEmpty { throw EC2Errors.groupNotFound(n) }
                groups += found
            }
            var seen = Set<String>()
            groups = groups.filter { seen.insert($0.id).inserted }
        }
        if !filter.isEmpty { groups = groups.filter(filter.matches) }
        groups.sort { $0.id < $1.id }
        let page = try EC2Pagination.page(groups, key: \.id, p)
        return EC2XML.response("DescribeSecurityGroups", requestID: ctx.requestID) { w in
            w.list("securityGroupInfo", Array(page.items)) { w, g in
                EC2XML.securityGroup(&w, g, rules: rulesByGroup[g.id] ?? [], region: self.region)
            }
            w.element("nextToken", page.nextToken)
        }
    }

    func deleteSecurityGroup(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let idParam = p["GroupId"].flatMap { $0.isEmpty ? nil : $0 }
        let nameParam = p["GroupName"].flatMap { $0.isEmpty ? nil : $0 }
        guard idParam != nil || nameParam != nil else { throw EC2Errors.missingParameter("groupId") }
        if let idParam { try checkID(idParam, "sg") }
        let deleted = try mutate(p) { tx -> String in
            let s = tx.state
            let group: SecurityGroup
            if let idParam {
                guard let g = s.securityGroups[idParam] else { throw EC2Errors.groupNotFound(idParam) }
                group = g
            } else {
                guard let g = s.securityGroups.values.first(where: { $0.name == nameParam }) else { throw EC2Errors.groupNotFound(nameParam!) }
                group = g
            }
            if group.name == "default" { throw EC2Errors.cannotDeleteDefaultGroup(group.id) }
            let referenced = s.securityGroupRules.values.contains { $0.referencedGroupId == group.id && $0.groupId != group.id }
            let inUse = s.networkInterfaces.values.contains { $0.groupIds.contains(group.id) }
            if referenced || inUse { throw EC2Errors.groupHasDependents(group.id) }
            for r in s.securityGroupRules.values where r.groupId == group.id { tx.delete(SecurityGroupRule.self, r.id) }
            tx.delete(SecurityGroup.self, group.id)
            return group.id
        }
        return EC2XML.response("DeleteSecurityGroup", requestID: ctx.requestID) { w in
            w.element("return", true)
            w.element("groupId", deleted)
        }
    }
}
