import Foundation

/// A Lambda function: its `$LATEST` configuration and what belongs to the function as a whole.
public struct LambdaFunction: Record {
    public static let kind = "lambda.function"
    public static var table: WritableKeyPath<CloudState, [String: LambdaFunction]> { \.lambdaFunctions }
    /// The function name.
    public var id: String
    public var latest: FunctionConfig
    public var tags: [String: String]
    /// The number of the last published version (0 = none yet); numbers are never reused.
    public var lastPublishedVersion: Int
    /// Coarse: written only now and then; the idle check also asks the in-memory activity tracker.
    public var lastInvokedAt: Date?
    public var createdAt: Date
    /// PutFunctionConcurrency's ReservedConcurrentExecutions; nil = draws from the unreserved pool.
    public var reservedConcurrency: Int?
    /// PutFunctionCodeSigningConfig's configuration id (`csc-...`); nil: none attached.
    public var codeSigningConfigId: String?
    /// PutFunctionRecursionConfig's RecursiveLoop (`Allow`); nil: AWS's default, `Terminate`.
    public var recursiveLoop: String?
    /// PutRuntimeManagementConfig's settings by qualifier (`$LATEST` or a version); absent: `Auto`.
    public var runtimeManagement: [String: RuntimeManagementSetting]?

    public init(latest: FunctionConfig, tags: [String: String], lastPublishedVersion: Int = 0,
                lastInvokedAt: Date? = nil, createdAt: Date) {
        self.id = latest.functionName; self.latest = latest; self.tags = tags
        self.lastPublishedVersion = lastPublishedVersion; self.lastInvokedAt = lastInvokedAt; self.createdAt = createdAt
    }
}

/// A published, immutable version of a function (its state still moves: Pending, Active, Inactive).
public struct LambdaVersion: Record {
    public static let kind = "lambda.version"
    public static var table: WritableKeyPath<CloudState, [String: LambdaVersion]> { \.lambdaVersions }
    /// `name:number`.
    public var id: String
    public var functionName: String
    public var number: Int
    public var config: FunctionConfig

    public init(functionName: String, number: Int, config: FunctionConfig) {
        self.id = Self.id(functionName, number); self.functionName = functionName; self.number = number; self.config = config
    }

    public static func id(_ name: String, _ number: Int) -> String { "\(name):\(number)" }
}

/// A function alias: a name for a version, optionally splitting traffic with a second one.
public struct LambdaAlias: Record {
    public static let kind = "lambda.alias"
    public static var table: WritableKeyPath<CloudState, [String: LambdaAlias]> { \.lambdaAliases }
    /// `function:alias`.
    public var id: String
    public var functionName: String
    public var name: String
    public var functionVersion: String
    public var description: String
    /// RoutingConfig.AdditionalVersionWeights; nil when the alias has no RoutingConfig.
    public var additionalVersionWeights: [String: Double]?
    public var revisionId: String

    public init(functionName: String, name: String, functionVersion: String, description: String,
                additionalVersionWeights: [String: Double]?, revisionId: String) {
        self.id = Self.id(functionName, name); self.functionName = functionName; self.name = name
        self.functionVersion = functionVersion; self.description = description
        self.additionalVersionWeights = additionalVersionWeights; self.revisionId = revisionId
    }

    public static func id(_ function: String, _ alias: String) -> String { "\(function):\(alias)" }
}

/// Lambda's bookkeeping of one Hyperplane ENI: requested (being created), live, or unused and waiting for release.
/// The ENI itself is a `NetworkInterface` record; this says why it exists.
public struct HyperplaneENIAllocation: Record {
    public static let kind = "lambda.hyperplane-eni"
    public static var table: WritableKeyPath<CloudState, [String: HyperplaneENIAllocation]> { \.hyperplaneENIs }
    /// `HyperplaneKey.id`.
    public var id: String
    public var key: HyperplaneKey
    /// When creation was requested; the ENI appears `--eni-create-delay` later.
    public var requestedAt: Date
    /// The function whose name goes into the ENI's description.
    public var requestedBy: String
    /// Set once the ENI exists.
    public var networkInterfaceId: String?
    /// Set while no function or version uses it; it is deleted `--eni-release-after` later.
    public var unusedSince: Date?

    public init(key: HyperplaneKey, requestedAt: Date, requestedBy: String, networkInterfaceId: String? = nil,
                unusedSince: Date? = nil) {
        self.id = key.id; self.key = key; self.requestedAt = requestedAt; self.requestedBy = requestedBy
        self.networkInterfaceId = networkInterfaceId; self.unusedSince = unusedSince
    }
}
