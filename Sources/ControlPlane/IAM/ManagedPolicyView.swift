import CloudModel
import Foundation

/// A managed policy as the API shows it, whether customer managed (a record) or AWS managed (the catalog).
struct ManagedPolicyView {
    let name: String
    let policyId: String
    let arn: String
    let path: String
    let defaultVersionId: String
    let description: String?
    let createdAt: Date
    let updatedAt: Date
    let tags: [Tag]
    let attachmentCount: Int
    let isAWSManaged: Bool
    let versions: [IAMPolicyVersion]

    var defaultDocument: String { versions.first { $0.versionId == defaultVersionId }?.document ?? "" }
}

extension CloudState {
    /// How many users, roles and groups have the policy attached.
    func attachmentCount(_ arn: String) -> Int {
        iamUsers.values.filter { $0.attachedPolicyArns.contains(arn) }.count
            + iamRoles.values.filter { $0.attachedPolicyArns.contains(arn) }.count
            + iamGroups.values.filter { $0.attachedPolicyArns.contains(arn) }.count
    }

    /// The name and default document of a managed policy, without the attachment count (authorization's hot path).
    func managedPolicyDocument(_ arn: String) -> (name: String, document: String, isAWSManaged: Bool)? {
        if let p = iamPolicies[arn], let v = p.defaultVersion { return (p.name, v.document, false) }
        if let a = AWSManagedPolicies.byArn[arn] { return (a.name, a.document, true) }
        return nil
    }

    /// The managed policy with this ARN, customer or AWS managed.
    func managedPolicy(_ arn: String) -> ManagedPolicyView? {
        if let p = iamPolicies[arn] {
            return ManagedPolicyView(name: p.name, policyId: p.policyId, arn: p.arn, path: p.path, defaultVersionId: p.defaultVersionId,
                                     description: p.description, createdAt: p.createdAt, updatedAt: p.updatedAt, tags: p.tags,
                                     attachmentCount: attachmentCount(arn), isAWSManaged: false, versions: p.versions)
        }
        if let a = AWSManagedPolicies.byArn[arn] {
            return ManagedPolicyView(name: a.name, policyId: a.policyId, arn: a.arn, path: a.path, defaultVersionId: a.versionId,
                                     description: a.description, createdAt: a.createdAt, updatedAt: a.updatedAt, tags: [],
                                     attachmentCount: attachmentCount(arn), isAWSManaged: true,
                                     versions: [IAMPolicyVersion(versionId: a.versionId, document: a.document, createdAt: a.updatedAt)])
        }
        return nil
    }
}
