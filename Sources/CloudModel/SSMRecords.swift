import Foundation

/// An SSM Parameter Store parameter: its versions (oldest first, at most 100 kept) and its tags. SecureString
/// values are stored as given; the service hands out an opaque blob in their place unless decryption is asked for.
public struct SSMParameter: Record {
    public static let kind = "ssm.parameter"
    public static var table: WritableKeyPath<CloudState, [String: SSMParameter]> { \.ssmParameters }

    public var name: String
    public var versions: [SSMParameterVersion]
    public var tags: [String: String]
    public var id: String { name }

    public init(name: String, versions: [SSMParameterVersion], tags: [String: String] = [:]) {
        self.name = name
        self.versions = versions
        self.tags = tags
    }

    /// The newest version (a stored parameter always has one).
    public var latest: SSMParameterVersion { versions[versions.count - 1] }
}

/// One version of a parameter, as PutParameter wrote it; labels move between versions.
public struct SSMParameterVersion: Codable, Sendable, Equatable {
    public var version: Int
    /// `String`, `StringList` or `SecureString`.
    public var type: String
    public var value: String
    public var description: String?
    public var allowedPattern: String?
    /// SecureString only: the KMS key (`alias/aws/ssm` unless the caller named one).
    public var keyId: String?
    /// `Standard` or `Advanced`.
    public var tier: String
    public var dataType: String
    public var lastModified: Date
    /// The ARN of the principal that wrote this version.
    public var lastModifiedUser: String
    public var labels: [String]

    public init(version: Int, type: String, value: String, description: String?, allowedPattern: String?, keyId: String?,
                tier: String, dataType: String, lastModified: Date, lastModifiedUser: String, labels: [String] = []) {
        self.version = version
        self.type = type
        self.value = value
        self.description = description
        self.allowedPattern = allowedPattern
        self.keyId = keyId
        self.tier = tier
        self.dataType = dataType
        self.lastModified = lastModified
        self.lastModifiedUser = lastModifiedUser
        self.labels = labels
    }
}
