import AWSWire
import CloudModel

/// Request plumbing every EC2 operation shares: DryRun, one-transaction writes, id lists, tag specifications.
extension EC2Service {
    func isDryRun(_ p: QueryParameters) -> Bool { p["DryRun"]?.lowercased() == "true" }

    /// Runs a mutating operation as one transaction. With `DryRun=true` the body still validates
    /// everything, then the transaction is thrown away with `DryRunOperation`.
    func mutate<T>(_ p: QueryParameters, _ body: (inout Transaction) throws -> T) throws -> T {
        let dry = isDryRun(p)
        return try store.write { tx in
            let result = try body(&tx)
            if dry { throw EC2Errors.dryRun }
            return result
        }
    }

    /// A required string parameter.
    func required(_ p: QueryParameters, _ name: String, as wireName: String? = nil) throws -> String {
        guard let v = p[name], !v.isEmpty else { throw EC2Errors.missingParameter(wireName ?? lowerFirst(name)) }
        return v
    }

    func lowerFirst(_ s: String) -> String { s.prefix(1).lowercased() + s.dropFirst() }

    /// Checks an id's shape (`prefix-` + 8 or 17 hex digits) before any lookup, as EC2 does.
    func checkID(_ id: String, _ prefix: String) throws {
        if !ResourceID.isWellFormed(id, prefix: prefix) { throw EC2Errors.malformed(id, prefix: prefix) }
    }

    /// The records named by `Prefix.N`: all malformed ids are reported first, then the first unknown one.
    /// Duplicates are answered once. Returns nil when the request names no ids.
    func lookup<R>(_ p: QueryParameters, _ listName: String, prefix: String, in table: [String: R],
                   notFound: (String) -> AWSError) throws -> [R]? {
        let ids = p.list(listName)
        if ids.isEmpty { return nil }
        for id in ids { try checkID(id, prefix) }
        var seen = Set<String>()
        var out: [R] = []
        for id in ids where seen.insert(id).inserted {
            guard let r = table[id] else { throw notFound(id) }
            out.append(r)
        }
        return out
    }

    /// Tags from `TagSpecification.N` for the resource type the operation creates; any other type is refused.
    func tagSpecifications(_ p: QueryParameters, resourceType: String) throws -> [Tag] {
        var tags: [Tag] = []
        for spec in p.structures("TagSpecification") {
            let type = spec["ResourceType"] ?? ""
            guard type == resourceType else { throw EC2Errors.invalidTagResourceType(type) }
            for t in spec.structures("Tag") {
                let key = t["Key"] ?? ""
                let tag = Tag(key: key, value: t["Value"] ?? "")
                if let i = tags.firstIndex(where: { $0.key == key }) { tags[i] = tag } else { tags.append(tag) }
            }
        }
        if tags.count > 50 { throw EC2Errors.tagLimitExceeded() }
        return tags
    }
}
