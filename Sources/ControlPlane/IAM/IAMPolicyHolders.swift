import AWSWire
import CloudModel

/// How the user, role and group variants of the policy operations differ: parameter names, messages, quotas.
struct PolicyHolderKind<R: Record & IAMPolicyHolder>: Sendable {
    /// `UserName`, `RoleName`, `GroupName`.
    let param: String
    /// `user`, `role`, `group` (messages).
    let kind: String
    /// `User`, `Role`, `Group` (quota names).
    let quotaKind: String
    let nameMax: Int
    /// IAM's cap on the total size of a holder's inline policies, whitespace excluded.
    let inlineQuota: Int
    let notFound: @Sendable (String) -> AWSError
}

extension PolicyHolderKind where R == IAMUser {
    static var user: Self { Self(param: "UserName", kind: "user", quotaKind: "User", nameMax: 128, inlineQuota: 2048, notFound: IAMErrors.noSuchUser) }
}

extension PolicyHolderKind where R == IAMRole {
    static var role: Self { Self(param: "RoleName", kind: "role", quotaKind: "Role", nameMax: 64, inlineQuota: 10240, notFound: IAMErrors.noSuchRole) }
}

extension PolicyHolderKind where R == IAMGroup {
    static var group: Self { Self(param: "GroupName", kind: "group", quotaKind: "Group", nameMax: 128, inlineQuota: 5120, notFound: IAMErrors.noSuchGroup) }
}
