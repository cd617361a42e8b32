import AWSWire
import CloudModel
import Foundation

extension IAMService {
    static let userOperations: [String: Operation] = [
        "CreateUser": { try $0.createUser($1, $2) },
        "GetUser": { try $0.getUser($1, $2) },
        "ListUsers": { try $0.listUsers($1, $2) },
        "DeleteUser": { try $0.deleteUser($1, $2) },
    ]

    func createUser(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let name = try name(p, "UserName")
        let path = try path(p)
        let tags = try tags(p)
        let user = try store.write { tx -> IAMUser in
            guard tx.get(IAMUser.self, IAMName.key(name)) == nil else { throw IAMErrors.userExists(name) }
            let u = IAMUser(name: name, userId: IAMID.make("AIDA"), path: path, arn: arn("user", path, name),
                            createdAt: tx.now, tags: tags)
            tx.put(u)
            return u
        }
        return IAMXML.response("CreateUser", requestID: ctx.requestID) { w in w.element("User") { IAMXML.user(&$0, user) } }
    }

    func getUser(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let s = store.snapshot()
        let user: IAMUser
        if p["UserName"] == nil {
            // Without a name, GetUser describes the caller (for the root, the account itself).
            if let u = s.iamUsers.values.first(where: { $0.arn == ctx.principal.arn }) {
                user = u
            } else {
                user = IAMUser(name: "", userId: ctx.principal.userId, path: "", arn: ctx.principal.arn,
                               createdAt: Date(timeIntervalSince1970: 0))
                return IAMXML.response("GetUser", requestID: ctx.requestID) { w in
                    w.element("User") { w in
                        w.element("UserId", user.userId)
                        w.element("Arn", user.arn)
                        w.element("CreateDate", IAMXML.date(user.createdAt))
                    }
                }
            }
        } else {
            let name = try name(p, "UserName", max: 128)
            guard let u = s.iamUsers[IAMName.key(name)] else { throw IAMErrors.noSuchUser(name) }
            user = u
        }
        return IAMXML.response("GetUser", requestID: ctx.requestID) { w in w.element("User") { IAMXML.user(&$0, user) } }
    }

    func listUsers(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let prefix = try path(p, "PathPrefix")
        let all = store.snapshot().iamUsers.values.filter { $0.path.hasPrefix(prefix) }.sorted { $0.id < $1.id }
        let (users, marker) = try page(all, p)
        return IAMXML.response("ListUsers", requestID: ctx.requestID) { w in
            IAMXML.members(&w, "Users", users) { IAMXML.user(&$0, $1, listed: true) }
            Self.truncation(&w, marker)
        }
    }

    func deleteUser(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let name = try name(p, "UserName", max: 128)
        try store.write { tx in
            guard let u = tx.get(IAMUser.self, IAMName.key(name)) else { throw IAMErrors.noSuchUser(name) }
            if !u.inlinePolicies.isEmpty { throw IAMErrors.mustDeletePolicies }
            if !u.attachedPolicyArns.isEmpty { throw IAMErrors.mustDetachPolicies }
            if tx.all(IAMAccessKey.self).contains(where: { IAMName.key($0.userName) == u.id }) { throw IAMErrors.mustDeleteAccessKeys }
            if tx.all(IAMGroup.self).contains(where: { g in g.memberNames.contains { IAMName.key($0) == u.id } }) {
                throw IAMErrors.mustRemoveFromGroups
            }
            tx.delete(IAMUser.self, u.id)
        }
        return IAMXML.response("DeleteUser", requestID: ctx.requestID, nil)
    }
}
