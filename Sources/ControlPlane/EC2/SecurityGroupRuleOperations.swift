import AWSWire
import CloudModel
import Foundation

extension EC2Service {
    /// The group an Authorize/Revoke call targets, by `GroupId` or (legacy) `GroupName`.
    func targetGroup(_ p: QueryParameters, in s: CloudState) throws -> SecurityGroup {
        if let id = p["GroupId"], !id.isEmpty {
            try checkID(id, "sg")
            guard let g = s.securityGroups[id] else { throw EC2Errors.groupNotFound(id) }
            return g
        }
        guard let name = p["GroupName"], !name.isEmpty else { throw EC2Errors.missingParameter("groupId") }
        guard let g = s.securityGroups.values.first(where: { $0.name == name }) else { throw EC2Errors.groupNotFound(name) }
        return g
    }

    /// Resolves a peer group named in a permission, by id or by name within the target's VPC.
    func peerResolver(_ s: CloudState, vpcId: String) -> (String?, String?) throws -> String {
        { id, name in
            if let id, !id.isEmpty {
                try self.checkID(id, "sg")
                guard s.securityGroups[id] != nil else { throw EC2Errors.groupNotFound(id) }
                return id
            }
            guard let name, !name.isEmpty else { throw EC2Errors.missingPeer() }
            guard let g = s.securityGroups.values.first(where: { $0.vpcId == vpcId && $0.name == name }) else {
                throw EC2Errors.groupNotFound(name)
            }
            return g.id
        }
    }

    func authorizeIngress(_ p: QueryParameters, _ ctx: RequestContext) throws -> String { try authorize(p, ctx, egress: false) }
    func authorizeEgress(_ p: QueryParameters, _ ctx: RequestContext) throws -> String { try authorize(p, ctx, egress: true) }
    func revokeIngress(_ p: QueryParameters, _ ctx: RequestContext) throws -> String { try revoke(p, ctx, egress: false) }
    func revokeEgress(_ p: QueryParameters, _ ctx: RequestContext) throws -> String { try revoke(p, ctx, egress: true) }

    func authorize(_ p: QueryParameters, _ ctx: RequestContext, egress: Bool) throws -> String {
        let action = egress ? "AuthorizeSecurityGroupEgress" : "AuthorizeSecurityGroupIngress"
        let tags = try tagSpecifications(p, resourceType: "security-group-rule")
        let added = try mutate(p) { tx -> [SecurityGroupRule] in
            let s = tx.state
            let group = try targetGroup(p, in: s)
            let drafts = try SecurityGroupRules.drafts(p, egress: egress, resolveGroup: peerResolver(s, vpcId: group.vpcId))
            if drafts.isEmpty { throw EC2Errors.missingParameter("ipPermissions") }
            let existing = s.securityGroupRules.values.filter { $0.groupId == group.id && $0.isEgress == egress }
            var seq = SecurityGroupRules.nextSequence(s)
            var added: [SecurityGroupRule] = []
            for d in drafts {
                if existing.contains(where: d.matches) || added.contains(where: d.matches) {
                    throw EC2Errors.permissionDuplicate(SecurityGroupRules.describe(d))
                }
                let r = SecurityGroupRule(id: ResourceID.make("sgr"), groupId: group.id, isEgress: egress, ipProtocol: d.ipProtocol,
                                          fromPort: d.fromPort, toPort: d.toPort, cidrIpv4: d.cidrIpv4, cidrIpv6: d.cidrIpv6,
                                          referencedGroupId: d.referencedGroupId, description: d.description, ownerId: group.ownerId,
                                          tags: tags, sequence: seq)
                seq += 1
                tx.put(r)
                added.append(r)
            }
            return added
        }
        return EC2XML.response(action, requestID: ctx.requestID) { w in
            w.element("return", true)
            w.list("securityGroupRuleSet", added) { EC2XML.securityGroupRule(&$0, $1, region: self.region) }
        }
    }

    func revoke(_ p: QueryParameters, _ ctx: RequestContext, egress: Bool) throws -> String {
        let action = egress ? "RevokeSecurityGroupEgress" : "RevokeSecurityGroupIngress"
        let (revoked, unknown) = try mutate(p) { tx -> ([SecurityGroupRule], [RuleDraft]) in
            let s = tx.state
            let group = try targetGroup(p, in: s)
            let current = s.securityGroupRules.values.filter { $0.groupId == group.id && $0.isEgress == egress }
            var toRevoke: [SecurityGroupRule] = []
            for id in p.list("SecurityGroupRuleId") {
                try checkID(id, "sgr")
                guard let r = current.first(where: { $0.id == id }) else { throw EC2Errors.ruleNotInGroup(id, group.id) }
                if !toRevoke.contains(where: { $0.id == id }) { toRevoke.append(r) }
            }
            let drafts = try SecurityGroupRules.drafts(p, egress: egress, resolveGroup: peerResolver(s, vpcId: group.vpcId))
            if drafts.isEmpty && toRevoke.isEmpty { throw EC2Errors.missingParameter("ipPermissions") }
            var unknown: [RuleDraft] = []
            for d in drafts {
                if let r = current.first(where: d.matches) {
                    if !toRevoke.contains(where: { $0.id == r.id }) { toRevoke.append(r) }
                } else {
                    unknown.append(d)
                }
            }
            for r in toRevoke { tx.delete(SecurityGroupRule.self, r.id) }
            return (toRevoke.sorted { $0.sequence < $1.sequence }, unknown)
        }
        return EC2XML.response(action, requestID: ctx.requestID) { w in
            w.element("return", true)
            if !unknown.isEmpty {
                let asRules = unknown.map {
                    SecurityGroupRule(id: "", groupId: "", isEgress: egress, ipProtocol: $0.ipProtocol, fromPort: $0.fromPort, toPort: $0.toPort,
                                      cidrIpv4: $0.cidrIpv4, cidrIpv6: $0.cidrIpv6, referencedGroupId: $0.referencedGroupId,
                                      description: $0.description, ownerId: self.accountId, tags: [], sequence: 0)
                }
                EC2XML.ipPermissionItems(&w, "unknownIpPermissionSet", asRules.map { ($0.ipProtocol, $0.fromPort, $0.toPort, [$0]) })
            }
            w.list("revokedSecurityGroupRuleSet", revoked) { w, r in
                w.element("securityGroupRuleId", r.id)
                w.element("groupId", r.groupId)
                w.element("isEgress", r.isEgress)
                w.element("ipProtocol", r.ipProtocol)
                w.element("fromPort", r.fromPort)
                w.element("toPort", r.toPort)
                w.element("cidrIpv4", r.cidrIpv4?.description)
                w.element("cidrIpv6", r.cidrIpv6)
                w.element("referencedGroupId", r.referencedGroupId)
                w.element("description", r.description)
            }
        }
    }

    func describeSecurityGroupRules(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let s = store.snapshot()
        let filter = try EC2Filters.compile(p, tags: { (r: SecurityGroupRule) in r.tags }) {
            ["group-id": { [$0.groupId] }, "security-group-rule-id": { [$0.id] }]
        }
        var rules = try lookup(p, "SecurityGroupRuleId", prefix: "sgr", in: s.securityGroupRules,
                               notFound: EC2Errors.securityGroupRuleNotFound) ?? Array(s.securityGroupRules.values)
        if !filter.isEmpty { rules = rules.filter(filter.matches) }
        rules.sort { $0.id < $1.id }
        let page = try EC2Pagination.page(rules, key: \.id, p)
        return EC2XML.response("DescribeSecurityGroupRules", requestID: ctx.requestID) { w in
            w.list("securityGroupRuleSet", Array(page.items)) { EC2XML.securityGroupRule(&$0, $1, region: self.region) }
            w.element("nextToken", page.nextToken)
        }
    }
}
