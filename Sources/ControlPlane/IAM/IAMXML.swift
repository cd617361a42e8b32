import AWSWire
import CloudModel
import Foundation

/// IAM's XML: the response envelope and the shapes shared by several operations.
enum IAMXML {
    static let xmlns = "https://iam.amazonaws.com/doc/2010-05-08/"

    /// `<XResponse><XResult>..</XResult><ResponseMetadata>..</ResponseMetadata></XResponse>`; nil body leaves out the result.
    static func response(_ action: String, requestID: String, _ body: ((inout XMLWriter) -> Void)?) -> String {
        QueryResponse.envelope(action, xmlns: xmlns, requestID: requestID, body)
    }

    static func date(_ d: Date) -> String {
        d.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: false, timeZone: TimeZone(identifier: "UTC")!))
    }

    /// Policy documents travel URL-encoded in IAM responses.
    static func encodeDocument(_ doc: String) -> String { FormDecoding.encode(doc) }

    static func members<T>(_ w: inout XMLWriter, _ name: String, _ items: [T], _ body: (inout XMLWriter, T) -> Void) {
        w.list(name, items, member: "member", body)
    }

    static func tags(_ w: inout XMLWriter, _ tags: [Tag]) {
        guard !tags.isEmpty else { return }
        members(&w, "Tags", tags) { w, t in w.element("Key", t.key); w.element("Value", t.value) }
    }

    /// Listings (ListUsers, ListRoles, ListPolicies, ListInstanceProfiles...) leave out tags, as IAM's do;
    /// `listed: true` renders that subset.
    static func user(_ w: inout XMLWriter, _ u: IAMUser, listed: Bool = false) {
        w.element("Path", u.path)
        w.element("UserName", u.name)
        w.element("UserId", u.userId)
        w.element("Arn", u.arn)
        w.element("CreateDate", date(u.createdAt))
        if !listed { tags(&w, u.tags) }
    }

    static func role(_ w: inout XMLWriter, _ r: IAMRole, listed: Bool = false) {
        w.element("Path", r.path)
        w.element("RoleName", r.name)
        w.element("RoleId", r.roleId)
        w.element("Arn", r.arn)
        w.element("CreateDate", date(r.createdAt))
        w.element("AssumeRolePolicyDocument", encodeDocument(r.assumeRolePolicyDocument))
        w.element("Description", r.description)
        w.element("MaxSessionDuration", r.maxSessionDuration)
        if !listed { tags(&w, r.tags) }
    }

    static func group(_ w: inout XMLWriter, _ g: IAMGroup) {
        w.element("Path", g.path)
        w.element("GroupName", g.name)
        w.element("GroupId", g.groupId)
        w.element("Arn", g.arn)
        w.element("CreateDate", date(g.createdAt))
    }

    /// ListPolicies shows neither the description nor the tags (GetPolicy does).
    static func policy(_ w: inout XMLWriter, _ p: ManagedPolicyView, listed: Bool = false) {
        w.element("PolicyName", p.name)
        w.element("PolicyId", p.policyId)
        w.element("Arn", p.arn)
        w.element("Path", p.path)
        w.element("DefaultVersionId", p.defaultVersionId)
        w.element("AttachmentCount", p.attachmentCount)
        w.element("PermissionsBoundaryUsageCount", 0)
        w.element("IsAttachable", true)
        if !listed { w.element("Description", p.description) }
        w.element("CreateDate", date(p.createdAt))
        w.element("UpdateDate", date(p.updatedAt))
        if !listed { tags(&w, p.tags) }
    }

    /// An instance profile with its roles (each as a listing shows a role).
    static func instanceProfile(_ w: inout XMLWriter, _ ip: IAMInstanceProfile, roles: [IAMRole], listed: Bool = false) {
        w.element("Path", ip.path)
        w.element("InstanceProfileName", ip.name)
        w.element("InstanceProfileId", ip.instanceProfileId)
        w.element("Arn", ip.arn)
        w.element("CreateDate", date(ip.createdAt))
        members(&w, "Roles", roles) { role(&$0, $1, listed: true) }
        if !listed { tags(&w, ip.tags) }
    }

    static func policyVersion(_ w: inout XMLWriter, _ v: IAMPolicyVersion, isDefault: Bool, withDocument: Bool) {
        if withDocument { w.element("Document", encodeDocument(v.document)) }
        w.element("VersionId", v.versionId)
        w.element("IsDefaultVersion", isDefault)
        w.element("CreateDate", date(v.createdAt))
    }
}
