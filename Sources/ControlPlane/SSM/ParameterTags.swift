import AWSWire
import CloudModel

/// AddTagsToResource, RemoveTagsFromResource and ListTagsForResource for `ResourceType: Parameter` (the only
/// taggable SSM resource this server holds; the other types name nothing here: InvalidResourceId).
extension SSMService {
    static let resourceTypes = ["Document", "ManagedInstance", "MaintenanceWindow", "Parameter", "PatchBaseline", "OpsItem",
                                "OpsMetadata", "Automation", "Association"]
    static let maxTags = 50

    /// The parameter's ARN the operation is authorized on; the resource type is checked first.
    func taggedArn(_ i: SSMInput, _ ctx: RequestContext) throws -> String {
        arn(try taggedName(i), ctx)
    }

    func taggedName(_ i: SSMInput) throws(AWSError) -> String {
        let type = try i.required("ResourceType", member: "resourceType")
        guard Self.resourceTypes.contains(type) else {
            throw SSMErrors.constraint("resourceType", type, "Member must satisfy enum value set: [" + Self.resourceTypes.joined(separator: ", ") + "]")
        }
        let id = ParameterName.trimmed(try i.required("ResourceId", member: "resourceId"))
        guard type == "Parameter" else { throw SSMErrors.invalidResourceId }
        return id
    }

    static func checkTags(_ tags: [(key: String, value: String)]) throws(AWSError) {
        for t in tags {
            if t.key.isEmpty || t.key.count > 128 {
                throw SSMErrors.constraint("tags.1.member.key", t.key, "Member must have length less than or equal to 128")
            }
            if t.value.count > 256 {
                throw SSMErrors.constraint("tags.1.member.value", t.value, "Member must have length less than or equal to 256")
            }
            if t.key.lowercased().hasPrefix("aws:") {
                throw SSMErrors.validation("The tag key \"\(t.key)\" is not valid. Tag keys can't start with \"aws:\".")
            }
        }
    }

    func addTags(_ i: SSMInput, _ ctx: RequestContext) throws -> [String: Any] {
        let name = try taggedName(i)
        guard let tags = try i.tags("Tags") else { throw SSMErrors.missing("tags") }
        try Self.checkTags(tags)
        try store.write { tx in
            guard var p = tx.get(SSMParameter.self, name) else { throw SSMErrors.invalidResourceId }
            for t in tags { p.tags[t.key] = t.value }
            if p.tags.count > Self.maxTags { throw SSMErrors.tooManyTags }
            tx.put(p)
        }
        return [:]
    }

    func removeTags(_ i: SSMInput, _ ctx: RequestContext) throws -> [String: Any] {
        let name = try taggedName(i)
        guard let keys = try i.strings("TagKeys") else { throw SSMErrors.missing("tagKeys") }
        try store.write { tx in
            guard var p = tx.get(SSMParameter.self, name) else { throw SSMErrors.invalidResourceId }
            for k in keys { p.tags[k] = nil }
            tx.put(p)
        }
        return [:]
    }

    func listTags(_ i: SSMInput, _ ctx: RequestContext) throws -> [String: Any] {
        let name = try taggedName(i)
        guard let p = store.snapshot().ssmParameters[name] else { throw SSMErrors.invalidResourceId }
        return ["TagList": p.tags.keys.sorted().map { ["Key": $0, "Value": p.tags[$0]!] }]
    }
}
