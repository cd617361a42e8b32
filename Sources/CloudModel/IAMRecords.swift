import Foundation

/// An inline policy embedded in a user, role or group: a name and its JSON text as the caller sent it.
public struct IAMInlinePolicy: Codable, Sendable, Equatable {
    public var name: String
    public var document: String
    public init(name: String, document: String) { self.name = name; self.document = document }
}

/// What users, roles and groups share: inline policies and attached managed policies.
public protocol IAMPolicyHolder {
    var inlinePolicies: [IAMInlinePolicy] { get set }
    var attachedPolicyArns: [String] { get set }
}

/// IAM names are unique ignoring case; records are keyed by the lower-cased name.
public enum IAMName {
    public static func key(_ name: String) -> String { name.lowercased() }
}

/// An IAM user.
public struct IAMUser: Record, IAMPolicyHolder {
    public static let kind = "iam.user"
    public static var table: WritableKeyPath<CloudState, [String: IAMUser]> { \.iamUsers }
    public var id: String { IAMName.key(name) }
    public var name: String
    /// `AIDA` + 17 upper-case alphanumerics.
    public var userId: String
    public var path: String
    public var arn: String
    public var createdAt: Date
    public var tags: [Tag]
    public var inlinePolicies: [IAMInlinePolicy]
    public var attachedPolicyArns: [String]

    public init(name: String, userId: String, path: String, arn: String, createdAt: Date, tags: [Tag] = [],
                inlinePolicies: [IAMInlinePolicy] = [], attachedPolicyArns: [String] = []) {
        self.name = name; self.userId = userId; self.path = path; self.arn = arn; self.createdAt = createdAt
        self.tags = tags; self.inlinePolicies = inlinePolicies; self.attachedPolicyArns = attachedPolicyArns
    }
}

/// An access key of a user; the secret is kept to verify signatures.
public struct IAMAccessKey: Record {
    public static let kind = "iam.access-key"
    public static var table: WritableKeyPath<CloudState, [String: IAMAccessKey]> { \.iamAccessKeys }
    /// `AKIA` + 16 upper-case alphanumerics.
    public var id: String
    public var userName: String
    public var secretAccessKey: String
    /// `Active` or `Inactive`.
    public var status: String
    public var createdAt: Date

    public init(id: String, userName: String, secretAccessKey: String, status: String, createdAt: Date) {
        self.id = id; self.userName = userName; self.secretAccessKey = secretAccessKey; self.status = status; self.createdAt = createdAt
    }
}

/// An IAM role with its trust (assume-role) policy.
public struct IAMRole: Record, IAMPolicyHolder {
    public static let kind = "iam.role"
    public static var table: WritableKeyPath<CloudState, [String: IAMRole]> { \.iamRoles }
    public var id: String { IAMName.key(name) }
    public var name: String
    /// `AROA` + 17 upper-case alphanumerics.
    public var roleId: String
    public var path: String
    public var arn: String
    public var assumeRolePolicyDocument: String
    public var description: String?
    public var maxSessionDuration: Int
    public var createdAt: Date
    public var tags: [Tag]
    public var inlinePolicies: [IAMInlinePolicy]
    public var attachedPolicyArns: [String]

    public init(name: String, roleId: String, path: String, arn: String, assumeRolePolicyDocument: String,
                description: String?, maxSessionDuration: Int, createdAt: Date, tags: [Tag] = [],
                inlinePolicies: [IAMInlinePolicy] = [], attachedPolicyArns: [String] = []) {
        self.name = name; self.roleId = roleId; self.path = path; self.arn = arn
        self.assumeRolePolicyDocument = assumeRolePolicyDocument; self.description = description
        self.maxSessionDuration = maxSessionDuration; self.createdAt = createdAt; self.tags = tags
        self.inlinePolicies = inlinePolicies; self.attachedPolicyArns = attachedPolicyArns
    }
}

/// An IAM group and its members (user names, in the order they were added).
public struct IAMGroup: Record, IAMPolicyHolder {
    public static let kind = "iam.group"
    public static var table: WritableKeyPath<CloudState, [String: IAMGroup]> { \.iamGroups }
    public var id: String { IAMName.key(name) }
    public var name: String
    /// `AGPA` + 17 upper-case alphanumerics.
    public var groupId: String
    public var path: String
    public var arn: String
    public var createdAt: Date
    public var memberNames: [String]
    public var inlinePolicies: [IAMInlinePolicy]
    public var attachedPolicyArns: [String]

    public init(name: String, groupId: String, path: String, arn: String, createdAt: Date, memberNames: [String] = [],
                inlinePolicies: [IAMInlinePolicy] = [], attachedPolicyArns: [String] = []) {
        self.name = name; self.groupId = groupId; self.path = path; self.arn = arn; self.createdAt = createdAt
        self.memberNames = memberNames; self.inlinePolicies = inlinePolicies; self.attachedPolicyArns = attachedPolicyArns
    }
}

/// One version of a managed policy.
public struct IAMPolicyVersion: Codable, Sendable, Equatable {
    /// `v1`, `v2`, ...
    public var versionId: String
    public var document: String
    public var createdAt: Date
    public init(versionId: String, document: String, createdAt: Date) {
        self.versionId = versionId; self.document = document; self.createdAt = createdAt
    }
}

/// A customer managed policy (AWS managed policies are a built-in catalog, not records).
public struct IAMManagedPolicy: Record {
    public static let kind = "iam.policy"
    public static var table: WritableKeyPath<CloudState, [String: IAMManagedPolicy]> { \.iamPolicies }
    public var id: String { arn }
    public var name: String
    /// `ANPA` + 17 upper-case alphanumerics.
    public var policyId: String
    public var path: String
    public var arn: String
    public var description: String?
    public var defaultVersionId: String
    public var versions: [IAMPolicyVersion]
    /// Version numbers are never reused, even after a version is deleted.
    public var nextVersionNumber: Int
    public var createdAt: Date
    public var updatedAt: Date
    public var tags: [Tag]

    public init(name: String, policyId: String, path: String, arn: String, description: String?, defaultVersionId: String,
                versions: [IAMPolicyVersion], nextVersionNumber: Int, createdAt: Date, updatedAt: Date, tags: [Tag] = []) {
        self.name = name; self.policyId = policyId; self.path = path; self.arn = arn; self.description = description
        self.defaultVersionId = defaultVersionId; self.versions = versions; self.nextVersionNumber = nextVersionNumber
        self.createdAt = createdAt; self.updatedAt = updatedAt; self.tags = tags
    }

    public var defaultVersion: IAMPolicyVersion? { versions.first { $0.versionId == defaultVersionId } }
}

/// An instance profile: the container EC2 hands a role through; it holds at most one role.
public struct IAMInstanceProfile: Record {
    public static let kind = "iam.instance-profile"
    public static var table: WritableKeyPath<CloudState, [String: IAMInstanceProfile]> { \.iamInstanceProfiles }
    public var id: String { IAMName.key(name) }
    public var name: String
    /// `AIPA` + 17 upper-case alphanumerics.
    public var instanceProfileId: String
    public var path: String
    public var arn: String
    public var createdAt: Date
    /// The names of its roles as they were added (IAM allows one).
    public var roleNames: [String]
    public var tags: [Tag]

    public init(name: String, instanceProfileId: String, path: String, arn: String, createdAt: Date,
                roleNames: [String] = [], tags: [Tag] = []) {
        self.name = name; self.instanceProfileId = instanceProfileId; self.path = path; self.arn = arn
        self.createdAt = createdAt; self.roleNames = roleNames; self.tags = tags
    }

    public func holds(role name: String) -> Bool { roleNames.contains { IAMName.key($0) == IAMName.key(name) } }
}

/// IAM's unique ids: a four-letter prefix and upper-case letters and digits.
public enum IAMID {
    public static func make(_ prefix: String, length: Int = 17) -> String {
        var g = SystemRandomNumberGenerator()
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        return prefix + String((0..<length).map { _ in alphabet[Int(g.next() % UInt64(alphabet.count))] })
    }

    /// A 40-character secret access key (base64-like alphabet, as AWS issues them).
    public static func secret() -> String {
        var g = SystemRandomNumberGenerator()
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        return String((0..<40).map { _ in alphabet[Int(g.next() % UInt64(alphabet.count))] })
    }
}

// IAM is global: one partition for every region.
extension IAMUser { public static var isGlobal: Bool { true } }
extension IAMAccessKey { public static var isGlobal: Bool { true } }
extension IAMRole { public static var isGlobal: Bool { true } }
extension IAMGroup { public static var isGlobal: Bool { true } }
extension IAMManagedPolicy { public static var isGlobal: Bool { true } }
extension IAMInstanceProfile { public static var isGlobal: Bool { true } }
