import AWSWire
import CloudFormationTemplate
import Foundation

/// AWS::IAM::Role through IAM's own handler: the role, its managed policies and inline policies; `Ref` is the name.
struct IAMRoleProvider: ResourceProvider {
    let type = "AWS::IAM::Role"
    let replacementProperties: Set<String> = ["RoleName", "Path"]

    static func call(_ action: String, _ params: [String: String], _ c: ProviderContext) throws -> XMLElement {
        guard let iam = c.backends.iam else { throw ResourceFailure("IAM is not available") }
        let ctx = c.context { Authorizer.iamDenied($0, action: $1, resource: $2, explicit: $3) }
        var all = params
        all["Action"] = action
        all["Version"] = "2010-05-08"
        do {
            let xml = try iam.handle(action: action, params: QueryParameters(all), context: ctx)
            guard let root = XMLElement.parse(Array(xml.utf8)) else { throw ResourceFailure("Internal Failure") }
            return root
        } catch let e as AWSError {
            throw ProviderContext.failure(e, service: "Iam", requestID: ctx.requestID)
        }
    }

    static func document(_ v: TemplateValue?) -> String? {
        switch v {
        case .string(let s)?: return s
        case let d?: return d.jsonText()
        case nil: return nil
        }
    }

    func create(_ p: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned {
        let name = p.string("RoleName") ?? PhysicalNames.generate(c, maxLength: 64)
        var form = ["RoleName": name]
        form["AssumeRolePolicyDocument"] = Self.document(p["AssumeRolePolicyDocument"])
        form["Path"] = p.string("Path")
        form["Description"] = p.string("Description")
        form["MaxSessionDuration"] = p.string("MaxSessionDuration")
        form["PermissionsBoundary"] = p.string("PermissionsBoundary")
        for (i, t) in p.tags.enumerated() { form["Tags.member.\(i + 1).Key"] = t.key; form["Tags.member.\(i + 1).Value"] = t.value }
        let r = try Self.call("CreateRole", form, c)
        try applyPolicies(name, old: ResourceProperties([:]), new: p, c)
        return Provisioned(name, attributes: ["Arn": .string(r.find("Arn") ?? ""), "RoleId": .string(r.find("RoleId") ?? "")])
    }

    private func inline(_ p: ResourceProperties) -> [String: String] {
        var out: [String: String] = [:]
        for pol in p["Policies"]?.listValue ?? [] {
            if let n = pol["PolicyName"]?.scalarText { out[n] = Self.document(pol["PolicyDocument"]) ?? "{}" }
        }
        return out
    }

    private func applyPolicies(_ name: String, old: ResourceProperties, new: ResourceProperties, _ c: ProviderContext) throws {
        let oldArns = Set(old.strings("ManagedPolicyArns")), newArns = Set(new.strings("ManagedPolicyArns"))
        for arn in oldArns.subtracting(newArns).sorted() { _ = try Self.call("DetachRolePolicy", ["RoleName": name, "PolicyArn": arn], c) }
        for arn in newArns.subtracting(oldArns).sorted() { _ = try Self.call("AttachRolePolicy", ["RoleName": name, "PolicyArn": arn], c) }
        let oldInline = inline(old), newInline = inline(new)
        for n in Set(oldInline.keys).subtracting(newInline.keys).sorted() { _ = try Self.call("DeleteRolePolicy", ["RoleName": name, "PolicyName": n], c) }
        for (n, doc) in newInline.sorted(by: { $0.key < $1.key }) where oldInline[n] != doc {
            _ = try Self.call("PutRolePolicy", ["RoleName": name, "PolicyName": n, "PolicyDocument": doc], c)
        }
    }

    func update(_ id: String, old: ResourceProperties, new: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned? {
        if let doc = Self.document(new["AssumeRolePolicyDocument"]), doc != Self.document(old["AssumeRolePolicyDocument"]) {
            _ = try Self.call("UpdateAssumeRolePolicy", ["RoleName": id, "PolicyDocument": doc], c)
        }
        try applyPolicies(id, old: old, new: new, c)
        let r = try Self.call("GetRole", ["RoleName": id], c)
        return Provisioned(id, attributes: ["Arn": .string(r.find("Arn") ?? ""), "RoleId": .string(r.find("RoleId") ?? "")])
    }

    func delete(_ id: String, _ p: ResourceProperties, _ c: ProviderContext) async throws -> Bool {
        do {
            try applyPolicies(id, old: p, new: ResourceProperties([:]), c)
            _ = try Self.call("DeleteRole", ["RoleName": id], c)
        } catch let f as ResourceFailure where f.reason.contains("HandlerErrorCode: NotFound") {}
        return true
    }
}
