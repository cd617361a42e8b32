import AWSWire
import CloudModel

extension QueryParameters {
    /// A Query-protocol list whatever its member name: `Prefix.Member.N` (RDS's `VpcSecurityGroupIds.VpcSecurityGroupId.1`,
    /// ElastiCache's `SecurityGroupIds.SecurityGroupId.1`) or `Prefix.member.N`, in index order.
    func members(_ prefix: String) -> [String] {
        let p = prefix + "."
        var byIndex: [(Int, String)] = []
        for (k, v) in values where k.hasPrefix(p) {
            let rest = k.dropFirst(p.count)
            let parts = rest.split(separator: ".")
            guard parts.count == 2, let i = Int(parts[1]) else {
                if parts.count == 1, let i = Int(parts[0]) { byIndex.append((i, v)) }
                continue
            }
            byIndex.append((i, v))
        }
        return byIndex.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// `Tags.Tag.N.Key`/`Value` (or `Tags.member.N.*`).
    func tagMembers(_ prefix: String = "Tags") -> [Tag] {
        let p = prefix + "."
        var byIndex: [Int: (key: String?, value: String?)] = [:]
        for (k, v) in values where k.hasPrefix(p) {
            let parts = k.dropFirst(p.count).split(separator: ".")
            guard parts.count == 3, let i = Int(parts[1]) else { continue }
            if parts[2] == "Key" { byIndex[i, default: (nil, nil)].key = v }
            if parts[2] == "Value" { byIndex[i, default: (nil, nil)].value = v }
        }
        return byIndex.keys.sorted().compactMap { i in byIndex[i]!.key.map { Tag(key: $0, value: byIndex[i]!.value ?? "") } }
    }

    /// A boolean parameter (`true`/`false`), nil when absent.
    func flag(_ name: String) -> Bool? { self[name].map { $0.lowercased() == "true" } }
}

extension Array where Element == Tag {
    /// Tags added over existing ones: a key given again takes the new value.
    func merging(_ added: [Tag]) -> [Tag] {
        var out = self
        for t in added {
            if let i = out.firstIndex(where: { $0.key == t.key }) { out[i] = t } else { out.append(t) }
        }
        return out
    }
}
