import AWSWire
import CloudModel

/// What one requested permission becomes before it is stored: one protocol/port range and one peer.
struct RuleDraft: Equatable {
    var ipProtocol: String
    var fromPort: Int
    var toPort: Int
    var cidrIpv4: IPv4CIDR?
    var cidrIpv6: String?
    var referencedGroupId: String?
    var description: String?

    func matches(_ r: SecurityGroupRule) -> Bool {
        r.ipProtocol == ipProtocol && r.fromPort == fromPort && r.toPort == toPort && r.cidrIpv4 == cidrIpv4
            && r.cidrIpv6 == cidrIpv6 && r.referencedGroupId == referencedGroupId
    }
}

/// Parsing, validation and EC2's wording for security group permissions.
enum SecurityGroupRules {
    static func nextSequence(_ s: CloudState) -> Int { (s.securityGroupRules.values.map(\.sequence).max() ?? 0) + 1 }

    static func allTraffic(group: SecurityGroup, egress: Bool, peerGroup: String?, sequence: Int) -> SecurityGroupRule {
        SecurityGroupRule(id: ResourceID.make("sgr"), groupId: group.id, isEgress: egress, ipProtocol: "-1", fromPort: -1, toPort: -1,
                          cidrIpv4: peerGroup == nil ? VpcDefaults.anywhere : nil, cidrIpv6: nil, referencedGroupId: peerGroup,
                          description: nil, ownerId: group.ownerId, tags: [], sequence: sequence)
    }

    /// EC2 stores `tcp`, `udp`, `icmp` by name (case-insensitive, or their numbers), "all" as `-1`, others as numbers.
    static func normalizeProtocol(_ raw: String) throws -> String {
        switch raw.lowercased() {
        case "-1", "all": return "-1"
        case "tcp", "6": return "tcp"
        case "udp", "17": return "udp"
        case "icmp", "1": return "icmp"
        case "icmpv6", "58": return "58"
        default:
            guard let n = Int(raw), (0...255).contains(n) else { throw EC2Errors.unknownProtocol(raw) }
            return String(n)
        }
    }

    /// Validated (from, to) for a protocol; protocols without ports store -1/-1 as EC2 reports them.
    static func ports(_ proto: String, from: String?, to: String?) throws -> (Int, Int) {
        let f = from.flatMap { Int($0) }, t = to.flatMap { Int($0) }
        switch proto {
        case "tcp", "udp":
            guard let f, let t else { throw EC2Errors.portsRequired() }
            guard (0...65535).contains(f), (0...65535).contains(t), f <= t else { throw EC2Errors.invalidPortRange(from: f, to: t) }
            return (f, t)
        case "icmp", "58":
            let type = f ?? -1, code = t ?? -1
            guard (-1...255).contains(type), (-1...255).contains(code), !(type == -1 && code != -1) else {
                throw EC2Errors.invalidIcmp(type: type, code: code)
            }
            return (type, code)
        default:
            return (-1, -1)
        }
    }

    /// The permissions of an Authorize/Revoke request, from `IpPermissions.N` or the legacy flat parameters.
    /// `resolveGroup` turns a group id or name (for the target's VPC) into an existing group id.
    static func drafts(_ p: QueryParameters, egress: Bool,
                       resolveGroup: (_ id: String?, _ name: String?) throws -> String) throws -> [RuleDraft] {
        var out: [RuleDraft] = []
        let perms = p.structures("IpPermissions")
        if perms.isEmpty {
            let sourceName = egress ? nil : p["SourceSecurityGroupName"]
            guard p["IpProtocol"] != nil || p["CidrIp"] != nil || sourceName != nil else { return [] }
            let proto = try normalizeProtocol(p["IpProtocol"] ?? "-1")
            let (f, t) = try ports(proto, from: p["FromPort"], to: p["ToPort"])
            if let cidrText = p["CidrIp"] {
                out.append(RuleDraft(ipProtocol: proto, fromPort: f, toPort: t, cidrIpv4: try cidr(cidrText)))
            }
            if let sourceName {
                out.append(RuleDraft(ipProtocol: proto, fromPort: f, toPort: t, referencedGroupId: try resolveGroup(nil, sourceName)))
            }
            if out.isEmpty { throw EC2Errors.missingPeer() }
            return out
        }
        for perm in perms {
            let proto = try normalizeProtocol(perm["IpProtocol"] ?? "")
            let (f, t) = try ports(proto, from: perm["FromPort"], to: perm["ToPort"])
            let before = out.count
            for r in perm.structures("IpRanges") {
                out.append(RuleDraft(ipProtocol: proto, fromPort: f, toPort: t, cidrIpv4: try cidr(r["CidrIp"] ?? ""), description: r["Description"]))
            }
            for r in perm.structures("Ipv6Ranges") {
                let text = r["CidrIpv6"] ?? ""
                guard text.contains(":"), text.contains("/") else { throw EC2Errors.invalidCidr(text, parameter: "cidrIpv6") }
                out.append(RuleDraft(ipProtocol: proto, fromPort: f, toPort: t, cidrIpv6: text.lowercased(), description: r["Description"]))
            }
            for g in perm.structures("Groups") {
                let id = try resolveGroup(g["GroupId"], g["GroupName"])
                out.append(RuleDraft(ipProtocol: proto, fromPort: f, toPort: t, referencedGroupId: id, description: g["Description"]))
            }
            if out.count == before { throw EC2Errors.missingPeer() }
        }
        return out
    }

    static func cidr(_ text: String) throws -> IPv4CIDR {
        guard let c = IPv4CIDR(text) else { throw EC2Errors.invalidCidr(text, parameter: "cidrIp") }
        return c.normalized
    }

    /// EC2's rendering of a rule in InvalidPermission.Duplicate: `peer: 10.0.0.0/16, TCP, from port: 22, to port: 22, ALLOW`.
    static func describe(_ d: RuleDraft) -> String {
        let peer = d.cidrIpv4?.description ?? d.cidrIpv6 ?? d.referencedGroupId ?? ""
        switch d.ipProtocol {
        case "-1": return "peer: \(peer), ALL, ALLOW"
        case "tcp", "udp": return "peer: \(peer), \(d.ipProtocol.uppercased()), from port: \(d.fromPort), to port: \(d.toPort), ALLOW"
        case "icmp", "58":
            return "peer: \(peer), \(d.ipProtocol == "icmp" ? "ICMP" : "ICMPV6"), type: \(d.fromPort), code: \(d.toPort), ALLOW"
        default: return "peer: \(peer), \(d.ipProtocol), ALLOW"
        }
    }
}
