import Foundation

/// Everything the control plane knows, as value types: one table per record kind.
/// Copies are cheap (copy-on-write), so readers take a snapshot and writers mutate a draft.
public struct CloudState: Sendable {
    public var vpcs: [String: Vpc] = [:]
    public var subnets: [String: Subnet] = [:]
    public var securityGroups: [String: SecurityGroup] = [:]
    public var securityGroupRules: [String: SecurityGroupRule] = [:]
    public var networkInterfaces: [String: NetworkInterface] = [:]
    public var routeTables: [String: RouteTable] = [:]
    public var networkAcls: [String: NetworkAcl] = [:]
    public var iamUsers: [String: IAMUser] = [:]
    public var iamAccessKeys: [String: IAMAccessKey] = [:]
    public var iamRoles: [String: IAMRole] = [:]
    public var iamGroups: [String: IAMGroup] = [:]
    public var iamPolicies: [String: IAMManagedPolicy] = [:]
    public var iamInstanceProfiles: [String: IAMInstanceProfile] = [:]
    public var stsSessions: [String: STSSession] = [:]
    public var internetGateways: [String: InternetGateway] = [:]
    public var addresses: [String: ElasticAddress] = [:]
    public var natGateways: [String: NatGateway] = [:]
    public var instances: [String: Instance] = [:]
    public var keyPairs: [String: KeyPair] = [:]
    public var launchTemplates: [String: LaunchTemplate] = [:]
    public var lambdaFunctions: [String: LambdaFunction] = [:]
    public var lambdaVersions: [String: LambdaVersion] = [:]
    public var lambdaAliases: [String: LambdaAlias] = [:]
    public var hyperplaneENIs: [String: HyperplaneENIAllocation] = [:]
    public var asyncInvocations: [String: AsyncInvocation] = [:]
    public var eventInvokeConfigs: [String: LambdaEventInvokeConfig] = [:]
    public var lambdaPolicies: [String: LambdaResourcePolicy] = [:]
    public var codeSigningConfigs: [String: LambdaCodeSigningConfig] = [:]
    public var provisionedConcurrency: [String: LambdaProvisionedConcurrency] = [:]
    public var functionUrls: [String: LambdaFunctionUrlConfig] = [:]
    public var ssmParameters: [String: SSMParameter] = [:]
    public var lambdaLayers: [String: LambdaLayer] = [:]
    public var lambdaLayerVersions: [String: LambdaLayerVersion] = [:]
    public var regionSettings: [String: RegionSettings] = [:]
    public var vpcEndpoints: [String: VpcEndpoint] = [:]
    public var cloudFormationStacks: [String: CloudFormationStack] = [:]
    public var cloudFormationEvents: [String: CloudFormationStackEvent] = [:]
    public var cloudFormationChangeSets: [String: CloudFormationChangeSet] = [:]
    public var dbSubnetGroups: [String: DBSubnetGroup] = [:]
    public var dbInstances: [String: DBInstance] = [:]
    public var dbSnapshots: [String: DBSnapshot] = [:]
    public var cacheSubnetGroups: [String: CacheSubnetGroup] = [:]
    public var cacheClusters: [String: CacheCluster] = [:]
    public var replicationGroups: [String: ReplicationGroup] = [:]

    public init() {}

    /// Every record type, so the store can be loaded by kind. Add new record types here.
    public static let recordTypes: [any Record.Type] = [
        Vpc.self, Subnet.self, SecurityGroup.self, SecurityGroupRule.self, NetworkInterface.self,
        RouteTable.self, NetworkAcl.self, InternetGateway.self, ElasticAddress.self, NatGateway.self, Instance.self,
        KeyPair.self, LaunchTemplate.self,
        IAMUser.self, IAMAccessKey.self, IAMRole.self, IAMGroup.self, IAMManagedPolicy.self, IAMInstanceProfile.self,
        STSSession.self,
        LambdaFunction.self, LambdaVersion.self, LambdaAlias.self, HyperplaneENIAllocation.self,
        AsyncInvocation.self, LambdaEventInvokeConfig.self, LambdaResourcePolicy.self, LambdaCodeSigningConfig.self,
        LambdaProvisionedConcurrency.self, SSMParameter.self, LambdaLayer.self, LambdaLayerVersion.self,
        LambdaFunctionUrlConfig.self, RegionSettings.self, VpcEndpoint.self,
        CloudFormationStack.self, CloudFormationStackEvent.self, CloudFormationChangeSet.self,
        DBSubnetGroup.self, DBInstance.self, DBSnapshot.self, CacheSubnetGroup.self, CacheCluster.self,
        ReplicationGroup.self,
    ]

    /// The union of partitions' states (each region's and the global one), for readers that serve every region
    /// at once: the one network fabric, the code sweeper, `doctor`.
    public static func union(_ states: [CloudState]) -> CloudState {
        guard var all = states.first else { return CloudState() }
        for s in states.dropFirst() {
            for t in recordTypes { t.copyAll(from: s, into: &all) }
        }
        return all
    }

    /// Rebuilds the state from stored rows; unknown kinds are reported, not dropped silently.
    public static func load(from rows: [(kind: String, id: String, body: Data)]) throws -> CloudState {
        var s = CloudState()
        let byKind = Dictionary(uniqueKeysWithValues: recordTypes.map { ($0.kind, $0) })
        for row in rows {
            guard let t = byKind[row.kind] else { throw StateLoadError.unknownKind(row.kind) }
            try t.load(row.body, into: &s)
        }
        return s
    }
}

/// Why a stored state could not be loaded.
public enum StateLoadError: Error, Equatable {
    case unknownKind(String)
}

/// A write in progress: mutations go to a draft of the state and are remembered for the store.
/// Nothing is visible to readers until the store commits it; a thrown error discards the draft.
public struct Transaction: Sendable {
    public private(set) var state: CloudState
    private var touched: [String: (kind: String, id: String, encode: @Sendable (CloudState) throws -> Data?)] = [:]
    /// When the transaction started; operations use it for timestamps so one request has one time.
    public let now: Date

    public init(state: CloudState, now: Date) {
        self.state = state
        self.now = now
    }

    public func get<R: Record>(_ type: R.Type, _ id: String) -> R? { state[keyPath: R.table][id] }

    public func all<R: Record>(_ type: R.Type) -> Dictionary<String, R>.Values { state[keyPath: R.table].values }

    public mutating func put<R: Record>(_ record: R) {
        state[keyPath: R.table][record.id] = record
        mark(R.self, record.id)
    }

    public mutating func delete<R: Record>(_ type: R.Type, _ id: String) {
        state[keyPath: R.table][id] = nil
        mark(R.self, id)
    }

    /// Applies `body` to an existing record and stores the result; returns false if it does not exist.
    @discardableResult
    public mutating func update<R: Record>(_ type: R.Type, _ id: String, _ body: (inout R) throws -> Void) rethrows -> Bool {
        guard var r = state[keyPath: R.table][id] else { return false }
        try body(&r)
        put(r)
        return true
    }

    private mutating func mark<R: Record>(_ type: R.Type, _ id: String) {
        let key = R.kind + "\u{0}" + id
        if touched[key] != nil { return }
        touched[key] = (R.kind, id, { state in
            guard let r = state[keyPath: R.table][id] else { return nil }
            return try StoreCoding.encoder.encode(r)
        })
    }

    public var isEmpty: Bool { touched.isEmpty }

    /// The rows to write: each touched record's final body, or a delete.
    public func changes() throws -> [StoredChange] {
        try touched.values.map { StoredChange(kind: $0.kind, id: $0.id, body: try $0.encode(state)) }
    }
}

/// The JSON coding used for stored bodies.
public enum StoreCoding {
    public static var encoder: JSONEncoder {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .millisecondsSince1970
        e.outputFormatting = [.sortedKeys]
        return e
    }

    public static var decoder: JSONDecoder {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .millisecondsSince1970
        return d
    }
}
