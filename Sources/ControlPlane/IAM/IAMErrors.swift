import AWSWire

/// IAM's error codes and messages, in one place. Messages marked (unconfirmed) are our best wording.
public enum IAMErrors {
    static func noSuchEntity(_ m: String) -> AWSError { AWSError(code: "NoSuchEntity", message: m, httpStatus: 404) }
    static func alreadyExists(_ m: String) -> AWSError { AWSError(code: "EntityAlreadyExists", message: m, httpStatus: 409) }
    static func deleteConflict(_ m: String) -> AWSError { AWSError(code: "DeleteConflict", message: m, httpStatus: 409) }
    static func limitExceeded(_ m: String) -> AWSError { AWSError(code: "LimitExceeded", message: m, httpStatus: 409) }

    public static func noSuchUser(_ name: String) -> AWSError { noSuchEntity("The user with name \(name) cannot be found.") }
    public static func noSuchRole(_ name: String) -> AWSError { noSuchEntity("The role with name \(name) cannot be found.") }
    public static func noSuchGroup(_ name: String) -> AWSError { noSuchEntity("The group with name \(name) cannot be found.") }
    /// `kind` is `user`, `role` or `group`.
    public static func noSuchInlinePolicy(_ kind: String, _ name: String) -> AWSError {
        noSuchEntity("The \(kind) policy with name \(name) cannot be found.")
    }
    public static func noSuchInstanceProfile(_ name: String) -> AWSError { noSuchEntity("Instance Profile \(name) cannot be found.") }
    /// RemoveRoleFromInstanceProfile with a role the profile does not hold (unconfirmed).
    public static func roleNotInInstanceProfile(_ role: String, _ profile: String) -> AWSError {
        noSuchEntity("The role with name \(role) is not in instance profile \(profile).")
    }
    public static func noSuchAccessKey(_ id: String) -> AWSError { noSuchEntity("The Access Key with id \(id) cannot be found.") }
    public static func policyNotFound(_ arn: String) -> AWSError { noSuchEntity("Policy \(arn) was not found.") }
    public static func policyNotAttachable(_ arn: String) -> AWSError { noSuchEntity("Policy \(arn) does not exist or is not attachable.") }
    public static func noSuchPolicyVersion(_ arn: String, _ v: String) -> AWSError {
        noSuchEntity("Policy \(arn) version \(v) does not exist or is not attachable.")
    }
    /// For SimulatePrincipalPolicy with an ARN that names nothing (unconfirmed).
    public static func noSuchPrincipal(_ arn: String) -> AWSError { noSuchEntity("The entity \(arn) cannot be found.") }

    public static func userExists(_ name: String) -> AWSError { alreadyExists("User with name \(name) already exists.") }
    public static func roleExists(_ name: String) -> AWSError { alreadyExists("Role with name \(name) already exists.") }
    public static func groupExists(_ name: String) -> AWSError { alreadyExists("Group with name \(name) already exists.") }
    public static func instanceProfileExists(_ name: String) -> AWSError { alreadyExists("Instance Profile \(name) already exists.") }
    public static func policyExists(_ name: String) -> AWSError {
        alreadyExists("A policy called \(name) already exists. Duplicate names are not allowed.")
    }

    public static let mustDeletePolicies = deleteConflict("Cannot delete entity, must delete policies first.")
    public static let mustDetachPolicies = deleteConflict("Cannot delete entity, must detach all policies first.")
    public static let mustDeleteAccessKeys = deleteConflict("Cannot delete entity, must delete access keys first.")
    public static let mustRemoveUsersFromGroup = deleteConflict("Cannot delete entity, must remove users from group first.")
    /// (unconfirmed)
    public static let mustRemoveFromGroups = deleteConflict("Cannot delete entity, must remove user from all groups first.")
    /// Deleting a role that is in an instance profile, or an instance profile that holds a role.
    public static let mustRemoveRolesFromInstanceProfile = deleteConflict("Cannot delete entity, must remove roles from instance profile first.")
    public static let policyAttached = deleteConflict("Cannot delete a policy attached to entities.")
    public static let policyHasVersions = deleteConflict(
        "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
    public static let cannotDeleteDefaultVersion = deleteConflict("Cannot delete the default version of a policy.")

    public static let tooManyVersions = limitExceeded(
        "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.")
    public static let tooManyRolesInInstanceProfile = limitExceeded("Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")
    /// `kind` is `User`, `Role`, `Policy` or `InstanceProfile` (unconfirmed).
    public static func tooManyTags(_ kind: String) -> AWSError { limitExceeded("Cannot exceed quota for TagsPer\(kind): 50") }
    public static let tooManyAccessKeys = limitExceeded("Cannot exceed quota for AccessKeysPerUser: 2")
    public static let managedPolicyTooLarge = limitExceeded("Cannot exceed quota for PolicySize: 6144")
    public static let trustPolicyTooLarge = limitExceeded("Cannot exceed quota for ACLSizePerRole: 2048")
    /// `kind` is `User`, `Role` or `Group`.
    public static func tooManyAttachedPolicies(_ kind: String) -> AWSError {
        limitExceeded("Cannot exceed quota for PoliciesPer\(kind): 10")
    }

    public static func malformed(_ message: String) -> AWSError { AWSError(code: "MalformedPolicyDocument", message: message) }
    public static func invalidInput(_ message: String) -> AWSError { AWSError(code: "InvalidInput", message: message) }
    public static let duplicateTagKeys = invalidInput("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
    public static func awsManagedPolicyImmutable(_ arn: String) -> AWSError {
        invalidInput("The specified value for policyArn is invalid. \(arn) is an AWS managed policy.")  // (unconfirmed)
    }

    /// The generic shape-validation error of AWS's front end.
    public static func validation(_ value: String, _ member: String, _ constraint: String) -> AWSError {
        AWSError(code: "ValidationError",
                 message: "1 validation error detected: Value '\(value)' at '\(member)' failed to satisfy constraint: \(constraint)")
    }

    public static func missing(_ member: String) -> AWSError {
        AWSError(code: "ValidationError",
                 message: "1 validation error detected: Value null at '\(member)' failed to satisfy constraint: Member must not be null")
    }
}
