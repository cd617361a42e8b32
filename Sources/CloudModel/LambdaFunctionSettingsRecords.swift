import Foundation

/// A code signing configuration: which signing profiles may sign code, and what a deployment of unsigned code does.
/// Stored and returned; code is not checked against it.
public struct LambdaCodeSigningConfig: Record {
    public static let kind = "lambda.code-signing-config"
    public static var table: WritableKeyPath<CloudState, [String: LambdaCodeSigningConfig]> { \.codeSigningConfigs }
    /// `csc-` and 17 lower-case letters or digits.
    public var id: String
    public var description: String
    public var signingProfileVersionArns: [String]
    /// `Warn` (AWS's default) or `Enforce`.
    public var untrustedArtifactOnDeployment: String
    public var tags: [String: String]
    public var lastModified: Date

    public init(id: String, description: String, signingProfileVersionArns: [String], untrustedArtifactOnDeployment: String,
                tags: [String: String], lastModified: Date) {
        self.id = id; self.description = description; self.signingProfileVersionArns = signingProfileVersionArns
        self.untrustedArtifactOnDeployment = untrustedArtifactOnDeployment; self.tags = tags; self.lastModified = lastModified
    }
}

/// Provisioned concurrency of one version or alias. There are no pre-warmed environments behind it: the request is
/// stored and reported READY once `readyAt` has passed.
public struct LambdaProvisionedConcurrency: Record {
    public static let kind = "lambda.provisioned-concurrency"
    public static var table: WritableKeyPath<CloudState, [String: LambdaProvisionedConcurrency]> { \.provisionedConcurrency }
    /// `function:qualifier`.
    public var id: String
    public var functionName: String
    public var qualifier: String
    public var requested: Int
    public var lastModified: Date
    public var readyAt: Date

    public init(functionName: String, qualifier: String, requested: Int, lastModified: Date, readyAt: Date) {
        self.id = Self.id(functionName, qualifier); self.functionName = functionName; self.qualifier = qualifier
        self.requested = requested; self.lastModified = lastModified; self.readyAt = readyAt
    }

    public static func id(_ function: String, _ qualifier: String) -> String { "\(function):\(qualifier)" }
}

/// PutRuntimeManagementConfig's settings of one qualifier of a function.
public struct RuntimeManagementSetting: Codable, Sendable, Equatable {
    /// `Auto`, `FunctionUpdate` or `Manual`.
    public var updateRuntimeOn: String
    /// Only with `Manual`.
    public var runtimeVersionArn: String?

    public init(updateRuntimeOn: String, runtimeVersionArn: String?) {
        self.updateRuntimeOn = updateRuntimeOn; self.runtimeVersionArn = runtimeVersionArn
    }
}
