import AWSWire
import CloudModel

/// The XML of security groups and their rules, as EC2 writes it.
extension EC2XML {
    static func groupArn(_ region: String, _ owner: String, _ id: String) -> String {
        "arn:aws:ec2:\(region):\(owner):security-group/\(id)"
    }

    static func ruleArn(_ region: String, _ owner: String, _ id: String) -> String {
        "arn:aws:ec2:\(region):\(owner):security-group-rule/\(id)"
    }

    /// `rules` are the group's rules in the order they were added.
    static func securityGroup(_ w: inout XMLWriter, _ g: SecurityGroup, rules: [SecurityGroupRule], region: String) {
        w.element("ownerId", g.ownerId)
        w.element("groupId", g.id)
        w.element("groupName", g.name)
        w.element("groupDescription", g.description)
        w.element("vpcId", g.vpcId)
        ipPermissions(&w, "ipPermissions", rules.filter { !$0.isEgress })
        ipPermissions(&w, "ipPermissionsEgress", rules.filter { $0.isEgress })
        tagSet(&w, g.tags)
        w.element("securityGroupArn", groupArn(region, g.ownerId, g.id))
    }

    /// Rules grouped as EC2 shows them: one item per (protocol, ports), peers listed inside.
    static func ipPermissions(_ w: inout XMLWriter, _ name: String, _ rules: [SecurityGroupRule]) {
        struct Key: Hashable { let proto: String; let from: Int; let to: Int }
        var order: [Key] = []
        var byKey: [Key: [SecurityGroupRule]] = [:]
        for r in rules {
            let k = Key(proto: r.ipProtocol, from: r.fromPort, to: r.toPort)
            if byKey[k] == nil { order.append(k) }
            byKey[k, default: []].append(r)
        }
        ipPermissionItems(&w, name, order.map { ($0.proto, $0.from, $0.to, byKey[$0]!) })
    }

    static func ipPermissionItems(_ w: inout XMLWriter, _ name: String, _ items: [(String, Int, Int, [SecurityGroupRule])]) {
        w.list(name, items) { w, item in
            let (proto, from, to, peers) = item
            w.element("ipProtocol", proto)
            if hasPorts(proto) { w.element("fromPort", from); w.element("toPort", to) }
            w.list("groups", peers.filter { $0.referencedGroupId != nil }) { w, r in
                w.element("description", r.description)
                w.element("userId", r.ownerId)
                w.element("groupId", r.referencedGroupId)
            }
            w.list("ipRanges", peers.filter { $0.cidrIpv4 != nil }) { w, r in
                w.element("cidrIp", r.cidrIpv4?.description)
                w.element("description", r.description)
            }
            w.list("ipv6Ranges", peers.filter { $0.cidrIpv6 != nil }) { w, r in
                w.element("cidrIpv6", r.cidrIpv6)
                w.element("description", r.description)
            }
            w.open("prefixListIds"); w.close("prefixListIds")
        }
    }

    static func hasPorts(_ proto: String) -> Bool { ["tcp", "udp", "icmp", "58"].contains(proto) }

    static func securityGroupRule(_ w: inout XMLWriter, _ r: SecurityGroupRule, region: String) {
        w.element("securityGroupRuleId", r.id)
        w.element("groupId", r.groupId)
        w.element("groupOwnerId", r.ownerId)
        w.element("isEgress", r.isEgress)
        w.element("ipProtocol", r.ipProtocol)
        w.element("fromPort", r.fromPort)
        w.element("toPort", r.toPort)
        w.element("cidrIpv4", r.cidrIpv4?.description)
        w.element("cidrIpv6", r.cidrIpv6)
        if let g = r.referencedGroupId {
            w.open("referencedGroupInfo"); w.element("groupId", g); w.element("userId", r.ownerId); w.close("referencedGroupInfo")
        }
        w.element("description", r.description)
        tagSet(&w, r.tags)
        w.element("securityGroupRuleArn", ruleArn(region, r.ownerId, r.id))
    }
}
