import AWSWire
import CloudFormationTemplate
import CloudModel
import Foundation

extension XMLElement {
    /// The texts of every descendant named `local`, in document order.
    func findAll(_ local: String) -> [String] {
        var out: [String] = []
        for c in children {
            if c.localName == local { out.append(c.text.trimmingCharacters(in: .whitespacesAndNewlines)) }
            out += c.findAll(local)
        }
        return out
    }
}

/// Attaching to and detaching from the roles, users and groups a policy resource lists.
enum IAMAttachments {
    static let kinds = [("Roles", "Role"), ("Users", "User"), ("Groups", "Group")]

    /// Calls `action(kind)` with `KIND`Name for each principal added (`attach`) or removed (`detach`).
    static func apply(old: ResourceProperties, new: ResourceProperties, _ c: ProviderContext,
                      attach: (String, String) throws -> Void, detach: (String, String) throws -> Void) throws {
        for (property, kind) in kinds {
            let before = Set(old.strings(property)), after = Set(new.strings(property))
            for name in before.subtracting(after).sorted() { try detach(kind, name) }
            for name in after.subtracting(before).sorted() { try attach(kind, name) }
        }
    }
}

/// AWS::IAM::ManagedPolicy: CreatePolicy and its attachments; `Ref` is the policy's ARN.
struct IAMManagedPolicyProvider: ResourceProvider {
    let type = "AWS::IAM::ManagedPolicy"
    let replacementProperties: Set<String> = ["ManagedPolicyName", "Path", "Description"]

    func create(_ p: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned {
        var form = ["PolicyName": p.string("ManagedPolicyName") ?? PhysicalNames.generate(c, maxLength: 128)]
        form["PolicyDocument"] = IAMRoleProvider.document(p["PolicyDocument"])
        form["Path"] = p.string("Path")
        form["Description"] = p.string("Description")
        guard let arn = try IAMRoleProvider.call("CreatePolicy", form, c).find("Arn") else { throw ResourceFailure("Internal Failure") }
        try attachments(arn, old: ResourceProperties([:]), new: p, c)
        return Provisioned(arn, attributes: ["PolicyArn": .string(arn)])
    }

    func attachments(_ arn: String, old: ResourceProperties, new: ResourceProperties, _ c: ProviderContext) throws {
        try IAMAttachments.apply(old: old, new: new, c,
                                 attach: { kind, name in _ = try IAMRoleProvider.call("Attach\(kind)Policy", ["\(kind)Name": name, "PolicyArn": arn], c) },
                                 detach: { kind, name in _ = try IAMRoleProvider.call("Detach\(kind)Policy", ["\(kind)Name": name, "PolicyArn": arn], c) })
    }

    func update(_ id: String, old: ResourceProperties, new: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned? {
        if let doc = IAMRoleProvider.document(new["PolicyDocument"]), doc != IAMRoleProvider.document(old["PolicyDocument"]) {
            try pruneVersions(id, keep: 4, c)
            _ = try IAMRoleProvider.call("CreatePolicyVersion", ["PolicyArn": id, "PolicyDocument": doc, "SetAsDefault": "true"], c)
        }
        try attachments(id, old: old, new: new, c)
        return Provisioned(id, attributes: ["PolicyArn": .string(id)])
    }

    /// Deletes the oldest non-default versions so at most `keep` remain (IAM keeps five).
    func pruneVersions(_ arn: String, keep: Int, _ c: ProviderContext) throws {
        let r = try IAMRoleProvider.call("ListPolicyVersions", ["PolicyArn": arn], c)
        let ids = r.findAll("VersionId"), defaults = r.findAll("IsDefaultVersion")
        let old = zip(ids, defaults).filter { $0.1 != "true" }.map(\.0).sorted { (Int($0.dropFirst()) ?? 0) < (Int($1.dropFirst()) ?? 0) }
        for v in old.prefix(max(0, ids.count - keep)) { _ = try IAMRoleProvider.call("DeletePolicyVersion", ["PolicyArn": arn, "VersionId": v], c) }
    }

    func delete(_ id: String, _ p: ResourceProperties, _ c: ProviderContext) async throws -> Bool {
        try ignoringNotFound {
            try attachments(id, old: p, new: ResourceProperties([:]), c)
            try pruneVersions(id, keep: 1, c)
            _ = try IAMRoleProvider.call("DeletePolicy", ["PolicyArn": id], c)
        }
        return true
    }
}

/// AWS::IAM::Policy: one inline policy put on each role, user and group it lists.
struct IAMPolicyProvider: ResourceProvider {
    let type = "AWS::IAM::Policy"

    func put(_ p: ResourceProperties, old: ResourceProperties, _ c: ProviderContext) throws {
        let name = try p.required("PolicyName", of: type)
        let doc = IAMRoleProvider.document(p["PolicyDocument"]) ?? "{}"
        let oldName = old.string("PolicyName") ?? name
        for (property, kind) in IAMAttachments.kinds {
            let before = Set(old.strings(property)), after = Set(p.strings(property))
            for n in before.subtracting(after).sorted() {
                try ignoringNotFound { _ = try IAMRoleProvider.call("Delete\(kind)Policy", ["\(kind)Name": n, "PolicyName": oldName], c) }
            }
            for n in after.sorted() {
                _ = try IAMRoleProvider.call("Put\(kind)Policy", ["\(kind)Name": n, "PolicyName": name, "PolicyDocument": doc], c)
            }
        }
    }

    func create(_ p: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned {
        try put(p, old: ResourceProperties([:]), c)
        return Provisioned(PhysicalNames.generate(c, maxLength: 64))
    }

    func update(_ id: String, old: ResourceProperties, new: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned? {
        if old.string("PolicyName") != new.string("PolicyName") { return nil }
        try put(new, old: old, c)
        return Provisioned(id)
    }

    func delete(_ id: String, _ p: ResourceProperties, _ c: ProviderContext) async throws -> Bool {
        guard let name = p.string("PolicyName") else { return true }
        for (property, kind) in IAMAttachments.kinds {
            for n in p.strings(property) {
                try ignoringNotFound { _ = try IAMRoleProvider.call("Delete\(kind)Policy", ["\(kind)Name": n, "PolicyName": name], c) }
            }
        }
        return true
    }
}

/// AWS::IAM::InstanceProfile: the profile and its role; `Ref` is the name.
struct IAMInstanceProfileProvider: ResourceProvider {
    let type = "AWS::IAM::InstanceProfile"
    let replacementProperties: Set<String> = ["InstanceProfileName", "Path"]

    func create(_ p: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned {
        let name = p.string("InstanceProfileName") ?? PhysicalNames.generate(c, maxLength: 128)
        var form = ["InstanceProfileName": name]
        form["Path"] = p.string("Path")
        let arn = try IAMRoleProvider.call("CreateInstanceProfile", form, c).find("Arn") ?? ""
        for role in p.strings("Roles") { _ = try IAMRoleProvider.call("AddRoleToInstanceProfile", ["InstanceProfileName": name, "RoleName": role], c) }
        return Provisioned(name, attributes: ["Arn": .string(arn)])
    }

    func update(_ id: String, old: ResourceProperties, new: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned? {
        let before = Set(old.strings("Roles")), after = Set(new.strings("Roles"))
        for r in before.subtracting(after) { _ = try IAMRoleProvider.call("RemoveRoleFromInstanceProfile", ["InstanceProfileName": id, "RoleName": r], c) }
        for r in after.subtracting(before) { _ = try IAMRoleProvider.call("AddRoleToInstanceProfile", ["InstanceProfileName": id, "RoleName": r], c) }
        let arn = try IAMRoleProvider.call("GetInstanceProfile", ["InstanceProfileName": id], c).find("Arn") ?? ""
        return Provisioned(id, attributes: ["Arn": .string(arn)])
    }

    func delete(_ id: String, _ p: ResourceProperties, _ c: ProviderContext) async throws -> Bool {
        try ignoringNotFound {
            for r in p.strings("Roles") {
                try ignoringNotFound { _ = try IAMRoleProvider.call("RemoveRoleFromInstanceProfile", ["InstanceProfileName": id, "RoleName": r], c) }
            }
            _ = try IAMRoleProvider.call("DeleteInstanceProfile", ["InstanceProfileName": id], c)
        }
        return true
    }
}
