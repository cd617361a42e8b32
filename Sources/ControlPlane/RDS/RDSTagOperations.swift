import AWSWire
import CloudModel

/// Tags on DB instances and DB subnet groups, addressed by ARN.
extension RDSService {
    func addTags(_ p: QueryParameters, _ c: RequestContext) throws -> String {
        let arn = try required(p, "ResourceName")
        let added = p.tagMembers()
        try retag(arn) { $0.merging(added) }
        return Self.response("AddTagsToResource", requestID: c.requestID)
    }

    func removeTags(_ p: QueryParameters, _ c: RequestContext) throws -> String {
        let arn = try required(p, "ResourceName")
        let keys = Set(p.members("TagKeys"))
        try retag(arn) { $0.filter { !keys.contains($0.key) } }
        return Self.response("RemoveTagsFromResource", requestID: c.requestID)
    }

    func listTags(_ p: QueryParameters, _ c: RequestContext) throws -> String {
        let arn = try required(p, "ResourceName")
        let (kind, name) = try parseArn(arn)
        let s = store.snapshot()
        let tags: [Tag]
        switch kind {
        case "db":
            guard let db = s.dbInstances[name] else { throw RDSErrors.instanceNotFound(name) }
            tags = db.tags
        case "subgrp":
            guard let g = s.dbSubnetGroups[name] else { throw RDSErrors.subnetGroupNotFound(name) }
            tags = g.tags
        case "snapshot":
            guard let snap = s.dbSnapshots[name] else { throw RDSErrors.snapshotNotFound(name) }
            tags = snap.tags
        default: throw RDSErrors.invalidArn(arn)
        }
        return Self.response("ListTagsForResource", requestID: c.requestID) { RDSXML.tagList(&$0, tags) }
    }

    private func retag(_ arn: String, _ change: @escaping ([Tag]) -> [Tag]) throws {
        let (kind, name) = try parseArn(arn)
        try store.write { tx in
            switch kind {
            case "db":
                guard tx.update(DBInstance.self, name, { $0.tags = change($0.tags) }) else { throw RDSErrors.instanceNotFound(name) }
            case "subgrp":
                guard tx.update(DBSubnetGroup.self, name, { $0.tags = change($0.tags) }) else { throw RDSErrors.subnetGroupNotFound(name) }
            case "snapshot":
                guard tx.update(DBSnapshot.self, name, { $0.tags = change($0.tags) }) else { throw RDSErrors.snapshotNotFound(name) }
            default: throw RDSErrors.invalidArn(arn)
            }
        }
    }

    private func required(_ p: QueryParameters, _ name: String) throws -> String {
        guard let v = p[name], !v.isEmpty else { throw RDSErrors.missing(name) }
        return v
    }
}
