import AWSWire
import CloudModel
import Foundation

extension IAMService {
    static let groupOperations: [String: Operation] = [
        "CreateGroup": { try $0.createGroup($1, $2) },
        "GetGroup": { try $0.getGroup($1, $2) },
        "ListGroups": { try $0.listGroups($1, $2) },
        "DeleteGroup": { try $0.deleteGroup($1, $2) },
        "AddUserToGroup": { try $0.addUserToGroup($1, $2) },
        "RemoveUserFromGroup": { try $0.removeUserFromGroup($1, $2) },
        "ListGroupsForUser": { try $0.listGroupsForUser($1, $2) },
    ]

    func createGroup(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let name = try name(p, "GroupName", max: 128)
        let path = try path(p)
        let group = try store.write { tx -> IAMGroup in
            guard tx.get(IAMGroup.self, IAMName.key(name)) == nil else { throw IAMErrors.groupExists(name) }
            let g = IAMGroup(name: name, groupId: IAMID.make("AGPA"), path: path, arn: arn("group", path, name), createdAt: tx.now)
            tx.put(g)
            return g
        }
        return IAMXML.response("CreateGroup", requestID: ctx.requestID) { w in w.element("Group") { IAMXML.group(&$0, group) } }
    }

    func getGroup(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let name = try name(p, "GroupName", max: 128)
        let s = store.snapshot()
        guard let g = s.iamGroups[IAMName.key(name)] else { throw IAMErrors.noSuchGroup(name) }
        let users = g.memberNames.compactMap { s.iamUsers[IAMName.key($0)] }
        let (pageUsers, marker) = try page(users, p)
        return IAMXML.response("GetGroup", requestID: ctx.requestID) { w in
            w.element("Group") { IAMXML.group(&$0, g) }
            IAMXML.members(&w, "Users", pageUsers) { IAMXML.user(&$0, $1, listed: true) }
            Self.truncation(&w, marker)
        }
    }

    func listGroups(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let prefix = try path(p, "PathPrefix")
        let all = store.snapshot().iamGroups.values.filter { $0.path.hasPrefix(prefix) }.sorted { $0.id < $1.id }
        let (groups, marker) = try page(all, p)
        return IAMXML.response("ListGroups", requestID: ctx.requestID) { w in
            IAMXML.members(&w, "Groups", groups) { IAMXML.group(&$0, $1) }
            Self.truncation(&w, marker)
        }
    }

    func deleteGroup(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let name = try name(p, "GroupName", max: 128)
        try store.write { tx in
            guard let g = tx.get(IAMGroup.self, IAMName.key(name)) else { throw IAMErrors.noSuchGroup(name) }
            if !g.memberNames.isEmpty { throw IAMErrors.mustRemoveUsersFromGroup }
            if !g.inlinePolicies.isEmpty { throw IAMErrors.mustDeletePolicies }
            if !g.attachedPolicyArns.isEmpty { throw IAMErrors.mustDetachPolicies }
            tx.delete(IAMGroup.self, g.id)
        }
        return IAMXML.response("DeleteGroup", requestID: ctx.requestID, nil)
    }

    func addUserToGroup(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let groupName = try name(p, "GroupName", max: 128)
        let userName = try name(p, "UserName")
        try store.write { tx in
            guard let g = tx.get(IAMGroup.self, IAMName.key(groupName)) else { throw IAMErrors.noSuchGroup(groupName) }
            guard let u = tx.get(IAMUser.self, IAMName.key(userName)) else { throw IAMErrors.noSuchUser(userName) }
            // Adding a member twice is not an error in IAM; it changes nothing.
            if g.memberNames.contains(where: { IAMName.key($0) == u.id }) { return }
            tx.update(IAMGroup.self, g.id) { $0.memberNames.append(u.name) }
        }
        return IAMXML.response("AddUserToGroup", requestID: ctx.requestID, nil)
    }

    func removeUserFromGroup(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let groupName = try name(p, "GroupName", max: 128)
        let userName = try name(p, "UserName")
        try store.write { tx in
            guard let g = tx.get(IAMGroup.self, IAMName.key(groupName)) else { throw IAMErrors.noSuchGroup(groupName) }
            guard tx.get(IAMUser.self, IAMName.key(userName)) != nil,
                  g.memberNames.contains(where: { IAMName.key($0) == IAMName.key(userName) }) else {
                throw IAMErrors.noSuchUser(userName)
            }
            tx.update(IAMGroup.self, g.id) { $0.memberNames.removeAll { IAMName.key($0) == IAMName.key(userName) } }
        }
        return IAMXML.response("RemoveUserFromGroup", requestID: ctx.requestID, nil)
    }

    func listGroupsForUser(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let userName = try name(p, "UserName", max: 128)
        let s = store.snapshot()
        guard let u = s.iamUsers[IAMName.key(userName)] else { throw IAMErrors.noSuchUser(userName) }
        let all = s.groups(of: u)
        let (groups, marker) = try page(all, p)
        return IAMXML.response("ListGroupsForUser", requestID: ctx.requestID) { w in
            IAMXML.members(&w, "Groups", groups) { IAMXML.group(&$0, $1) }
            Self.truncation(&w, marker)
        }
    }
}

extension CloudState {
    /// The groups a user belongs to, by name.
    func groups(of user: IAMUser) -> [IAMGroup] {
        iamGroups.values.filter { g in g.memberNames.contains { IAMName.key($0) == user.id } }.sorted { $0.id < $1.id }
    }
}
