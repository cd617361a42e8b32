import AWSWire
import CloudModel
import Foundation

extension IAMService {
    static let instanceProfileOperations: [String: Operation] = [
        "CreateInstanceProfile": { try $0.createInstanceProfile($1, $2) },
        "GetInstanceProfile": { try $0.getInstanceProfile($1, $2) },
        "DeleteInstanceProfile": { try $0.deleteInstanceProfile($1, $2) },
        "ListInstanceProfiles": { try $0.listInstanceProfiles($1, $2) },
        "AddRoleToInstanceProfile": { try $0.addRoleToInstanceProfile($1, $2) },
        "RemoveRoleFromInstanceProfile": { try $0.removeRoleFromInstanceProfile($1, $2) },
        "ListInstanceProfilesForRole": { try $0.listInstanceProfilesForRole($1, $2) },
    ]

    func profileName(_ p: QueryParameters) throws -> String { try name(p, "InstanceProfileName", max: 128) }

    /// The profile's roles as records, in the order they were added. DeleteRole refuses a role a profile holds,
    /// so every name resolves; one that did not would be left out rather than crash the answer.
    static func roles(of ip: IAMInstanceProfile, in s: CloudState) -> [IAMRole] {
        ip.roleNames.compactMap { s.iamRoles[IAMName.key($0)] }
    }

    /// `InstanceProfiles` of a listing, each with its roles and without its tags.
    static func profiles(_ w: inout XMLWriter, _ profiles: [IAMInstanceProfile], _ s: CloudState) {
        IAMXML.members(&w, "InstanceProfiles", profiles) { w, ip in
            IAMXML.instanceProfile(&w, ip, roles: roles(of: ip, in: s), listed: true)
        }
    }

    func createInstanceProfile(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let name = try profileName(p)
        let path = try path(p)
        let tags = try tags(p)
        let profile = try store.write { tx -> IAMInstanceProfile in
            guard tx.get(IAMInstanceProfile.self, IAMName.key(name)) == nil else { throw IAMErrors.instanceProfileExists(name) }
            let ip = IAMInstanceProfile(name: name, instanceProfileId: IAMID.make("AIPA"), path: path,
                                        arn: arn("instance-profile", path, name), createdAt: tx.now, tags: tags)
            tx.put(ip)
            return ip
        }
        return IAMXML.response("CreateInstanceProfile", requestID: ctx.requestID) { w in
            w.element("InstanceProfile") { IAMXML.instanceProfile(&$0, profile, roles: []) }
        }
    }

    func getInstanceProfile(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let name = try profileName(p)
        let s = store.snapshot()
        guard let ip = s.iamInstanceProfiles[IAMName.key(name)] else { throw IAMErrors.noSuchInstanceProfile(name) }
        let roles = Self.roles(of: ip, in: s)
        return IAMXML.response("GetInstanceProfile", requestID: ctx.requestID) { w in
            w.element("InstanceProfile") { IAMXML.instanceProfile(&$0, ip, roles: roles) }
        }
    }

    func deleteInstanceProfile(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let name = try profileName(p)
        try store.write { tx in
            guard let ip = tx.get(IAMInstanceProfile.self, IAMName.key(name)) else { throw IAMErrors.noSuchInstanceProfile(name) }
            if !ip.roleNames.isEmpty { throw IAMErrors.mustRemoveRolesFromInstanceProfile }
            tx.delete(IAMInstanceProfile.self, ip.id)
        }
        return IAMXML.response("DeleteInstanceProfile", requestID: ctx.requestID, nil)
    }

    func listInstanceProfiles(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let prefix = try path(p, "PathPrefix")
        let s = store.snapshot()
        let all = s.iamInstanceProfiles.values.filter { $0.path.hasPrefix(prefix) }.sorted { $0.id < $1.id }
        let (profiles, marker) = try page(all, p)
        return IAMXML.response("ListInstanceProfiles", requestID: ctx.requestID) { w in
            Self.profiles(&w, profiles, s)
            Self.truncation(&w, marker)
        }
    }

    func addRoleToInstanceProfile(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let name = try profileName(p)
        let roleName = try self.name(p, "RoleName")
        try store.write { tx in
            guard var ip = tx.get(IAMInstanceProfile.self, IAMName.key(name)) else { throw IAMErrors.noSuchInstanceProfile(name) }
            guard let role = tx.get(IAMRole.self, IAMName.key(roleName)) else { throw IAMErrors.noSuchRole(roleName) }
            // A profile holds one role, so adding any role to a full profile (the same one included) is over quota.
            guard ip.roleNames.isEmpty else { throw IAMErrors.tooManyRolesInInstanceProfile }
            ip.roleNames.append(role.name)
            tx.put(ip)
        }
        return IAMXML.response("AddRoleToInstanceProfile", requestID: ctx.requestID, nil)
    }

    func removeRoleFromInstanceProfile(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let name = try profileName(p)
        let roleName = try self.name(p, "RoleName")
        try store.write { tx in
            guard var ip = tx.get(IAMInstanceProfile.self, IAMName.key(name)) else { throw IAMErrors.noSuchInstanceProfile(name) }
            guard tx.get(IAMRole.self, IAMName.key(roleName)) != nil else { throw IAMErrors.noSuchRole(roleName) }
            guard ip.holds(role: roleName) else { throw IAMErrors.roleNotInInstanceProfile(roleName, ip.name) }
            ip.roleNames.removeAll { IAMName.key($0) == IAMName.key(roleName) }
            tx.put(ip)
        }
        return IAMXML.response("RemoveRoleFromInstanceProfile", requestID: ctx.requestID, nil)
    }

    func listInstanceProfilesForRole(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let roleName = try name(p, "RoleName")
        let s = store.snapshot()
        guard s.iamRoles[IAMName.key(roleName)] != nil else { throw IAMErrors.noSuchRole(roleName) }
        let all = s.iamInstanceProfiles.values.filter { $0.holds(role: roleName) }.sorted { $0.id < $1.id }
        let (profiles, marker) = try page(all, p)
        return IAMXML.response("ListInstanceProfilesForRole", requestID: ctx.requestID) { w in
            Self.profiles(&w, profiles, s)
            Self.truncation(&w, marker)
        }
    }
}
