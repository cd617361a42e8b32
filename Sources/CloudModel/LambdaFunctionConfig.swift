import Foundation

/// The state of a function version (botocore's `State` enum, the values this emulator uses).
public enum FunctionState: String, Codable, Sendable {
    case pending = "Pending"
    case active = "Active"
    case inactive = "Inactive"
    case failed = "Failed"
}

/// The progress of the last update of a function (botocore's `LastUpdateStatus`).
public enum LastUpdateStatus: String, Codable, Sendable {
    case successful = "Successful"
    case failed = "Failed"
    case inProgress = "InProgress"
}

/// A function version's state fields exactly as FunctionConfiguration reports them.
public struct FunctionStatus: Codable, Sendable, Equatable {
    public var state: FunctionState
    public var stateReason: String?
    public var stateReasonCode: String?
    public var lastUpdateStatus: LastUpdateStatus?
    public var lastUpdateStatusReason: String?
    public var lastUpdateStatusReasonCode: String?

    public init(state: FunctionState, stateReason: String? = nil, stateReasonCode: String? = nil,
                lastUpdateStatus: LastUpdateStatus? = nil, lastUpdateStatusReason: String? = nil,
                lastUpdateStatusReasonCode: String? = nil) {
        self.state = state; self.stateReason = stateReason; self.stateReasonCode = stateReasonCode
        self.lastUpdateStatus = lastUpdateStatus; self.lastUpdateStatusReason = lastUpdateStatusReason
        self.lastUpdateStatusReasonCode = lastUpdateStatusReasonCode
    }

    /// True while the function waits for its network: created, restored, or an update in progress.
    public var awaitsProvisioning: Bool { state == .pending || lastUpdateStatus == .inProgress }
}

/// One Hyperplane ENI identity: a subnet and a security-group set (sorted, unique).
public struct HyperplaneKey: Codable, Sendable, Hashable, Comparable {
    public var subnetId: String
    public var securityGroupIds: [String]

    public init(subnetId: String, securityGroupIds: [String]) {
        self.subnetId = subnetId
        self.securityGroupIds = Array(Set(securityGroupIds)).sorted()
    }

    /// The stable text used as the allocation record's id.
    public var id: String { subnetId + "/" + securityGroupIds.joined(separator: ",") }

    public static func < (a: HyperplaneKey, b: HyperplaneKey) -> Bool { a.id < b.id }
}

/// A function version's VpcConfig as stored: ids as given, the VPC derived from them.
public struct LambdaVpcConfig: Codable, Sendable, Equatable {
    public var subnetIds: [String]
    public var securityGroupIds: [String]
    /// Empty after a detach (`VpcId: ""`).
    public var vpcId: String

    public init(subnetIds: [String], securityGroupIds: [String], vpcId: String) {
        self.subnetIds = subnetIds; self.securityGroupIds = securityGroupIds; self.vpcId = vpcId
    }

    public var isAttached: Bool { !subnetIds.isEmpty }

    /// The ENIs this configuration needs: one per subnet, each with the whole security-group set.
    public var hyperplaneKeys: [HyperplaneKey] {
        guard isAttached else { return [] }
        return Array(Set(subnetIds.map { HyperplaneKey(subnetId: $0, securityGroupIds: securityGroupIds) })).sorted()
    }
}

/// Everything one version of a function is ($LATEST or a published number), as Lambda reports it.
public struct FunctionConfig: Codable, Sendable, Equatable {
    public var functionName: String
    /// `$LATEST` or the published number.
    public var version: String
    public var runtime: String
    public var role: String
    public var handler: String
    public var description: String
    public var timeout: Int
    public var memorySize: Int
    /// nil when the function has no Environment (the key is then absent from responses).
    public var environment: [String: String]?
    public var architectures: [String]
    public var ephemeralStorageSize: Int
    /// base64 of the zip's SHA-256, as Lambda reports it.
    public var codeSha256: String
    /// hex of the same digest: the code store's file name.
    public var codeHex: String
    public var codeSize: Int
    /// nil when the function never had a VPC; empty lists after a detach.
    public var vpcConfig: LambdaVpcConfig?
    public var lastModified: Date
    public var revisionId: String
    public var status: FunctionStatus
    /// The layers in their order (later ones win where files overlap); nil when none.
    public var layers: [LambdaLayerReference]?
    /// nil: Text to `/aws/lambda/NAME`.
    public var loggingConfig: LambdaLoggingConfig?
    /// `Active` or `PassThrough` (nil: PassThrough).
    public var tracingMode: String?
    /// DeadLetterConfig.TargetArn; stored and returned (no queue or topic receives anything).
    public var deadLetterTargetArn: String?

    public init(functionName: String, version: String, runtime: String, role: String, handler: String, description: String,
                timeout: Int, memorySize: Int, environment: [String: String]?, architectures: [String],
                ephemeralStorageSize: Int, codeSha256: String, codeHex: String, codeSize: Int,
                vpcConfig: LambdaVpcConfig?, lastModified: Date, revisionId: String, status: FunctionStatus) {
        self.functionName = functionName; self.version = version; self.runtime = runtime; self.role = role
        self.handler = handler; self.description = description; self.timeout = timeout; self.memorySize = memorySize
        self.environment = environment; self.architectures = architectures; self.ephemeralStorageSize = ephemeralStorageSize
        self.codeSha256 = codeSha256; self.codeHex = codeHex; self.codeSize = codeSize; self.vpcConfig = vpcConfig
        self.lastModified = lastModified; self.revisionId = revisionId; self.status = status
    }

    /// The log group the function writes to.
    public var logGroupName: String { loggingConfig?.logGroup ?? "/aws/lambda/\(functionName)" }

    /// The Hyperplane ENIs this version needs right now (none once it failed or went idle).
    public var neededHyperplaneKeys: [HyperplaneKey] {
        guard let vpc = vpcConfig, vpc.isAttached else { return [] }
        switch status.state {
        case .failed, .inactive: return []
        case .pending, .active: return status.lastUpdateStatus == .failed ? [] : vpc.hyperplaneKeys
        }
    }

    /// True when the user-visible settings (not state or revision) are the same: PublishVersion reuses a version then.
    public func sameSettings(as o: FunctionConfig) -> Bool {
        runtime == o.runtime && role == o.role && handler == o.handler && description == o.description
            && timeout == o.timeout && memorySize == o.memorySize && environment == o.environment
            && architectures == o.architectures && ephemeralStorageSize == o.ephemeralStorageSize
            && codeSha256 == o.codeSha256 && vpcConfig == o.vpcConfig && (layers ?? []) == (o.layers ?? [])
            && loggingConfig == o.loggingConfig && tracingMode == o.tracingMode && deadLetterTargetArn == o.deadLetterTargetArn
    }
}
