import AWSWire
import CloudModel
import Foundation

extension IAMService {
    static let tagOperations: [String: Operation] = [
        "TagRole": { try $0.tag(IAMRole.self, "TagRole", $1, $2) },
        "UntagRole": { try $0.untag(IAMRole.self, "UntagRole", $1, $2) },
        "ListRoleTags": { try $0.listTags(IAMRole.self, "ListRoleTags", $1, $2) },
        "TagUser": { try $0.tag(IAMUser.self, "TagUser", $1, $2) },
        "UntagUser": { try $0.untag(IAMUser.self, "UntagUser", $1, $2) },
        "ListUserTags": { try $0.listTags(IAMUser.self, "ListUserTags", $1, $2) },
        "TagInstanceProfile": { try $0.tag(IAMInstanceProfile.self, "TagInstanceProfile", $1, $2) },
        "UntagInstanceProfile": { try $0.untag(IAMInstanceProfile.self, "UntagInstanceProfile", $1, $2) },
        "ListInstanceProfileTags": { try $0.listTags(IAMInstanceProfile.self, "ListInstanceProfileTags", $1, $2) },
        "TagPolicy": { try $0.tagPolicy($1, $2) },
        "UntagPolicy": { try $0.untagPolicy($1, $2) },
        "ListPolicyTags": { try $0.listPolicyTags($1, $2) },
    ]

    /// The named resource's table key, or the error IAM gives when it does not exist.
    func taggable<R: TaggableIAMRecord>(_ type: R.Type, _ p: QueryParameters) throws -> (key: String, missing: AWSError) {
        let name = try name(p, R.nameParameter, max: R.nameMax)
        return (IAMName.key(name), R.notFound(name))
    }

    func tag<R: TaggableIAMRecord>(_ type: R.Type, _ action: String, _ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let (key, missing) = try taggable(type, p)
        let tags = try tags(p, required: true)
        try store.write { tx in
            guard var r = tx.get(R.self, key) else { throw missing }
            r.tags = try IAMTagging.merged(r.tags, tags, kind: R.quotaKind)
            tx.put(r)
        }
        return IAMXML.response(action, requestID: ctx.requestID, nil)
    }

    func untag<R: TaggableIAMRecord>(_ type: R.Type, _ action: String, _ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let (key, missing) = try taggable(type, p)
        let keys = try tagKeys(p)
        try store.write { tx in
            guard var r = tx.get(R.self, key) else { throw missing }
            r.tags = IAMTagging.removing(r.tags, keys: keys)
            tx.put(r)
        }
        return IAMXML.response(action, requestID: ctx.requestID, nil)
    }

    func listTags<R: TaggableIAMRecord>(_ type: R.Type, _ action: String, _ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let (key, missing) = try taggable(type, p)
        guard let r = store.snapshot()[keyPath: R.table][key] else { throw missing }
        return try tagListing(action, r.tags, p, ctx)
    }

    func tagListing(_ action: String, _ all: [Tag], _ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let (tags, marker) = try page(all, p)
        return IAMXML.response(action, requestID: ctx.requestID) { w in
            // Unlike a resource's own Tags, a listing's Tags element is there even when empty.
            IAMXML.members(&w, "Tags", tags) { w, t in w.element("Key", t.key); w.element("Value", t.value) }
            Self.truncation(&w, marker)
        }
    }

    // Policies are keyed by ARN, and AWS managed policies cannot be tagged.

    func tagPolicy(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let arn = try policyArn(p)
        let tags = try tags(p, required: true)
        try store.write { tx in
            var pol = try customerPolicy(arn, tx)
            pol.tags = try IAMTagging.merged(pol.tags, tags, kind: "Policy")
            tx.put(pol)
        }
        return IAMXML.response("TagPolicy", requestID: ctx.requestID, nil)
    }

    func untagPolicy(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let arn = try policyArn(p)
        let keys = try tagKeys(p)
        try store.write { tx in
            var pol = try customerPolicy(arn, tx)
            pol.tags = IAMTagging.removing(pol.tags, keys: keys)
            tx.put(pol)
        }
        return IAMXML.response("UntagPolicy", requestID: ctx.requestID, nil)
    }

    func listPolicyTags(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let arn = try policyArn(p)
        guard let view = store.snapshot().managedPolicy(arn) else { throw IAMErrors.policyNotFound(arn) }
        return try tagListing("ListPolicyTags", view.tags, p, ctx)
    }
}

/// A named IAM record with tags: what the tag operations need to find it and to report it missing.
protocol TaggableIAMRecord: Record {
    var tags: [Tag] { get set }
    /// The request parameter that names it (`RoleName`...).
    static var nameParameter: String { get }
    static var nameMax: Int { get }
    /// The word in its tag quota (`TagsPerRole`).
    static var quotaKind: String { get }
    static func notFound(_ name: String) -> AWSError
}

extension IAMRole: TaggableIAMRecord {
    static var nameParameter: String { "RoleName" }
    static var nameMax: Int { 64 }
    static var quotaKind: String { "Role" }
    static func notFound(_ name: String) -> AWSError { IAMErrors.noSuchRole(name) }
}

extension IAMUser: TaggableIAMRecord {
    static var nameParameter: String { "UserName" }
    static var nameMax: Int { 64 }
    static var quotaKind: String { "User" }
    static func notFound(_ name: String) -> AWSError { IAMErrors.noSuchUser(name) }
}

extension IAMInstanceProfile: TaggableIAMRecord {
    static var nameParameter: String { "InstanceProfileName" }
    static var nameMax: Int { 128 }
    static var quotaKind: String { "InstanceProfile" }
    static func notFound(_ name: String) -> AWSError { IAMErrors.noSuchInstanceProfile(name) }
}
