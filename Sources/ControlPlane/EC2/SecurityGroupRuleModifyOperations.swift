import AWSWire
import CloudModel

/// ModifySecurityGroupRules (a rule replaced in place, keeping its id) and UpdateSecurityGroupRuleDescriptions*
/// (descriptions changed on rules found by id or by permission).
extension EC2Service {
    func modifySecurityGroupRules(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let groupId = try required(p, "GroupId")
        try checkID(groupId, "sg")
        let changes = p.structures("SecurityGroupRule")
        guard !changes.isEmpty else { throw EC2Errors.missingParameter("SecurityGroupRules") }
        try mutate(p) { tx in
            let s = tx.state
            guard let group = s.securityGroups[groupId] else { throw EC2Errors.groupNotFound(groupId) }
            let resolve = peerResolver(s, vpcId: group.vpcId)
            var seen: Set<String> = []
            for change in changes {
                let id = change["SecurityGroupRuleId"] ?? ""
                try checkID(id, "sgr")
                guard var rule = s.securityGroupRules[id], rule.groupId == groupId else {
                    throw EC2Errors.ruleNotInGroup(id, groupId)
                }
                guard seen.insert(id).inserted else { throw EC2Errors.invalidParameterValue("Duplicate rule id \(id)") }
                let spec = change.structure("SecurityGroupRule")
                let proto = try SecurityGroupRules.normalizeProtocol(spec["IpProtocol"] ?? "")
                let (from, to) = try SecurityGroupRules.ports(proto, from: spec["FromPort"], to: spec["ToPort"])
                var draft = RuleDraft(ipProtocol: proto, fromPort: from, toPort: to, description: spec["Description"])
                if let text = spec["CidrIpv4"], !text.isEmpty {
                    draft.cidrIpv4 = try SecurityGroupRules.cidr(text)
                } else if let text = spec["CidrIpv6"], !text.isEmpty {
                    guard text.contains(":"), text.contains("/") else { throw EC2Errors.invalidCidr(text, parameter: "cidrIpv6") }
                    draft.cidrIpv6 = text.lowercased()
                } else if let peer = spec["ReferencedGroupId"], !peer.isEmpty {
                    draft.referencedGroupId = try resolve(peer, nil)
                } else {
                    throw EC2Errors.missingPeer()
                }
                let others = s.securityGroupRules.values.filter {
                    $0.groupId == groupId && $0.isEgress == rule.isEgress && $0.id != id
                }
                if others.contains(where: draft.matches) { throw EC2Errors.permissionDuplicate(SecurityGroupRules.describe(draft)) }
                rule.ipProtocol = draft.ipProtocol
                rule.fromPort = draft.fromPort
                rule.toPort = draft.toPort
                rule.cidrIpv4 = draft.cidrIpv4
                rule.cidrIpv6 = draft.cidrIpv6
                rule.referencedGroupId = draft.referencedGroupId
                rule.description = draft.description
                tx.put(rule)
            }
        }
        return EC2XML.response("ModifySecurityGroupRules", requestID: ctx.requestID) { $0.element("return", true) }
    }

    func updateRuleDescriptionsIngress(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        try updateRuleDescriptions(p, ctx, egress: false)
    }

    func updateRuleDescriptionsEgress(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        try updateRuleDescriptions(p, ctx, egress: true)
    }

    /// By `SecurityGroupRuleDescription.N` (id + description) or by `IpPermissions` (each permission's description).
    private func updateRuleDescriptions(_ p: QueryParameters, _ ctx: RequestContext, egress: Bool) throws -> String {
        let action = egress ? "UpdateSecurityGroupRuleDescriptionsEgress" : "UpdateSecurityGroupRuleDescriptionsIngress"
        try mutate(p) { tx in
            let s = tx.state
            let group = try targetGroup(p, in: s)
            let current = s.securityGroupRules.values.filter { $0.groupId == group.id && $0.isEgress == egress }
            let byId = p.structures("SecurityGroupRuleDescription")
            let drafts = try SecurityGroupRules.drafts(p, egress: egress, resolveGroup: peerResolver(s, vpcId: group.vpcId))
            if byId.isEmpty && drafts.isEmpty { throw EC2Errors.missingParameter("ipPermissions") }
            for entry in byId {
                let id = entry["SecurityGroupRuleId"] ?? ""
                try checkID(id, "sgr")
                guard var rule = current.first(where: { $0.id == id }) else { throw EC2Errors.ruleNotInGroup(id, group.id) }
                rule.description = entry["Description"]
                tx.put(rule)
            }
            for d in drafts {
                guard var rule = current.first(where: d.matches) else {
                    throw EC2Errors.permissionNotFound(SecurityGroupRules.describe(d))
                }
                rule.description = d.description
                tx.put(rule)
            }
        }
        return EC2XML.response(action, requestID: ctx.requestID) { $0.element("return", true) }
    }
}
