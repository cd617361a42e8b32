import AWSWire
import CloudModel
import Foundation

extension IAMService {
    static let accessKeyOperations: [String: Operation] = [
        "CreateAccessKey": { try $0.createAccessKey($1, $2) },
        "ListAccessKeys": { try $0.listAccessKeys($1, $2) },
        "DeleteAccessKey": { try $0.deleteAccessKey($1, $2) },
        "UpdateAccessKey": { try $0.updateAccessKey($1, $2) },
    ]

    /// The user an access-key operation is about: `UserName`, or the calling user when it is left out.
    func keyOwner(_ p: QueryParameters, _ ctx: RequestContext, _ s: CloudState) throws -> IAMUser {
        if p["UserName"] != nil {
            let name = try name(p, "UserName", max: 128)
            guard let u = s.iamUsers[IAMName.key(name)] else { throw IAMErrors.noSuchUser(name) }
            return u
        }
        guard let u = s.iamUsers.values.first(where: { $0.arn == ctx.principal.arn }) else {
            // The root has no IAM user to hang keys on (unconfirmed wording).
            throw IAMErrors.invalidInput("Must specify a userName when calling with non-User credentials")
        }
        return u
    }

    func createAccessKey(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let key = try store.write { tx -> IAMAccessKey in
            let u = try keyOwner(p, ctx, tx.state)
            let existing = tx.all(IAMAccessKey.self).filter { IAMName.key($0.userName) == u.id }.count
            guard existing < 2 else { throw IAMErrors.tooManyAccessKeys }
            var id = IAMID.make("AKIA", length: 16)
            while tx.get(IAMAccessKey.self, id) != nil { id = IAMID.make("AKIA", length: 16) }
            let k = IAMAccessKey(id: id, userName: u.name, secretAccessKey: IAMID.secret(), status: "Active", createdAt: tx.now)
            tx.put(k)
            return k
        }
        return IAMXML.response("CreateAccessKey", requestID: ctx.requestID) { w in
            w.element("AccessKey") { w in
                w.element("UserName", key.userName)
                w.element("AccessKeyId", key.id)
                w.element("Status", key.status)
                w.element("SecretAccessKey", key.secretAccessKey)
                w.element("CreateDate", IAMXML.date(key.createdAt))
            }
        }
    }

    func listAccessKeys(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let s = store.snapshot()
        let u = try keyOwner(p, ctx, s)
        let all = s.iamAccessKeys.values.filter { IAMName.key($0.userName) == u.id }.sorted { $0.createdAt < $1.createdAt }
        let (keys, marker) = try page(all, p)
        return IAMXML.response("ListAccessKeys", requestID: ctx.requestID) { w in
            IAMXML.members(&w, "AccessKeyMetadata", keys) { w, k in
                w.element("UserName", k.userName)
                w.element("AccessKeyId", k.id)
                w.element("Status", k.status)
                w.element("CreateDate", IAMXML.date(k.createdAt))
            }
            Self.truncation(&w, marker)
        }
    }

    func deleteAccessKey(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        guard let id = p["AccessKeyId"] else { throw IAMErrors.missing("accessKeyId") }
        try store.write { tx in
            let u = try keyOwner(p, ctx, tx.state)
            guard let k = tx.get(IAMAccessKey.self, id), IAMName.key(k.userName) == u.id else { throw IAMErrors.noSuchAccessKey(id) }
            tx.delete(IAMAccessKey.self, id)
        }
        return IAMXML.response("DeleteAccessKey", requestID: ctx.requestID, nil)
    }

    func updateAccessKey(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        guard let id = p["AccessKeyId"] else { throw IAMErrors.missing("accessKeyId") }
        guard let status = p["Status"] else { throw IAMErrors.missing("status") }
        guard status == "Active" || status == "Inactive" else {
            throw IAMErrors.validation(status, "status", "Member must satisfy enum value set: [Active, Inactive, Expired]")
        }
        try store.write { tx in
            let u = try keyOwner(p, ctx, tx.state)
            guard let k = tx.get(IAMAccessKey.self, id), IAMName.key(k.userName) == u.id else { throw IAMErrors.noSuchAccessKey(id) }
            tx.update(IAMAccessKey.self, id) { $0.status = status }
        }
        return IAMXML.response("UpdateAccessKey", requestID: ctx.requestID, nil)
    }
}
