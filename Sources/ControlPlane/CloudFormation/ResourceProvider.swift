import AWSWire
import CloudFormationTemplate
import CloudModel
import Foundation

/// What a create or update produced.
struct Provisioned: Sendable {
    var physicalId: String
    /// `Ref`; nil means the physical id.
    var ref: String?
    var attributes: [String: StackAttributeValue]
    /// True while the service is still provisioning it (`stabilize` is asked until it is ready).
    var pending: Bool

    init(_ physicalId: String, ref: String? = nil, attributes: [String: StackAttributeValue] = [:], pending: Bool = false) {
        self.physicalId = physicalId
        self.ref = ref
        self.attributes = attributes
        self.pending = pending
    }
}

/// Where a resource waiting on its service stands.
enum Stabilization: Sendable {
    case ready([String: StackAttributeValue])
    case waiting
    case failed(String)
}

/// A resource failure with the status reason the stack's event shows.
struct ResourceFailure: Error, Sendable {
    var reason: String
    /// The service's error code, when a service refused.
    var code: String?
    init(_ reason: String, code: String? = nil) {
        self.reason = reason
        self.code = code
    }
}

/// One CloudFormation resource type: how it is created, updated, deleted, and what `Ref`/`Fn::GetAtt` give.
protocol ResourceProvider: Sendable {
    var type: String { get }
    /// Properties whose change creates a new physical resource (the old one is deleted in the cleanup phase).
    var replacementProperties: Set<String> { get }
    func create(_ p: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned
    /// Updates in place; returns nil when the change needs a replacement instead.
    func update(_ physicalId: String, old: ResourceProperties, new: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned?
    /// Starts deleting; true when it is gone, false when `isDeleted` must be asked until it is.
    func delete(_ physicalId: String, _ p: ResourceProperties, _ c: ProviderContext) async throws -> Bool
    func isDeleted(_ physicalId: String, _ c: ProviderContext) throws -> Bool
    func stabilize(_ physicalId: String, _ p: ResourceProperties, _ c: ProviderContext) async throws -> Stabilization
}

extension ResourceProvider {
    var replacementProperties: Set<String> { [] }
    func update(_ physicalId: String, old: ResourceProperties, new: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned? { nil }
    func isDeleted(_ physicalId: String, _ c: ProviderContext) throws -> Bool { true }
    func stabilize(_ physicalId: String, _ p: ResourceProperties, _ c: ProviderContext) async throws -> Stabilization { .ready([:]) }
}

/// A resource's evaluated properties, with typed reads in the template's terms.
struct ResourceProperties: Sendable, Equatable {
    var values: [String: TemplateValue]
    init(_ values: [String: TemplateValue]) { self.values = values }

    subscript(_ key: String) -> TemplateValue? { values[key] }
    func string(_ key: String) -> String? { values[key]?.scalarText }
    func required(_ key: String, of type: String) throws -> String {
        guard let v = string(key) else { throw ResourceFailure("Property validation failure: [The property {/\(key)} is required]") }
        return v
    }
    func bool(_ key: String) -> Bool? { string(key).map { $0.lowercased() == "true" } }
    func strings(_ key: String) -> [String] {
        switch values[key] {
        case .list(let l)?: return l.compactMap(\.scalarText)
        case let v?: return v.scalarText.map { [$0] } ?? []
        case nil: return []
        }
    }
    /// `Tags: [{Key, Value}]`.
    var tags: [(key: String, value: String)] {
        (values["Tags"]?.listValue ?? []).compactMap { t in t["Key"]?.scalarText.map { ($0, t["Value"]?.scalarText ?? "") } }
    }
    var json: String { TemplateValue.object(values).jsonText() }
}

/// What a provider works with: the services (as the stack's caller) and who it is working for.
struct ProviderContext: Sendable {
    var backends: StackBackends
    var caller: RequestContext
    var stackName: String
    var stackId: String
    var logicalId: String
    var region: String { caller.region }
    var accountId: String { caller.accountId }

    /// A fresh request id per call, as each of CloudFormation's calls is its own request; under `--enforce-iam`
    /// the caller's policies decide it, refused in the called service's own words (`denial`).
    func context(denial: (@Sendable (Principal, String, String, Bool) -> AWSError)? = nil) -> RequestContext {
        var c = caller
        c.requestID = newRequestID()
        if let authorizer = backends.authorizer, let denial {
            c.authorization = RequestAuthorization(authorizer: authorizer, now: Date(), denial: denial)
        }
        return c
    }

    /// Runs an EC2 action through EC2's own handler and parses its answer.
    @discardableResult
    func ec2(_ action: String, _ params: [String: String]) throws -> XMLElement {
        let ctx = context { Authorizer.ec2Denied($0, action: $1, resource: $2, explicit: $3) }
        var all = params
        all["Action"] = action
        all["Version"] = "2016-11-15"
        do {
            let xml = try backends.ec2.handle(action: action, params: QueryParameters(all), context: ctx)
            guard let root = XMLElement.parse(Array(xml.utf8)) else { throw ResourceFailure("Internal Failure") }
            return root
        } catch let e as AWSError {
            throw Self.failure(e, service: "Ec2", requestID: ctx.requestID)
        }
    }

    /// AWS's wording of a service's refusal in a resource's status reason.
    static func failure(_ e: AWSError, service: String, requestID: String) -> ResourceFailure {
        let handlerCode: String
        switch e.code {
        case let c where c.hasSuffix("NotFound") || c.hasSuffix("NotFoundFault") || c.hasPrefix("NoSuch")
            || c == "ResourceNotFoundException": handlerCode = "NotFound"
        case let c where c.contains("Duplicate") || c.contains("AlreadyExists") || c == "ResourceConflictException": handlerCode = "AlreadyExists"
        case let c where c.contains("Limit") || c.contains("Quota"): handlerCode = "ServiceLimitExceeded"
        case "UnauthorizedOperation", "AccessDenied", "AccessDeniedException": handlerCode = "AccessDenied"
        default: handlerCode = "InvalidRequest"
        }
        return ResourceFailure("Resource handler returned message: \"\(e.message) (Service: \(service), Status Code: \(e.httpStatus), Request ID: \(requestID))\" (RequestToken: \(UUID().uuidString.lowercased()), HandlerErrorCode: \(handlerCode))",
                               code: e.code)
    }

    /// `TagSpecification.1` for a created EC2 resource: the template's tags.
    func tagSpecification(_ resourceType: String, _ p: ResourceProperties, into form: inout [String: String]) {
        let tags = p.tags
        guard !tags.isEmpty else { return }
        form["TagSpecification.1.ResourceType"] = resourceType
        for (i, t) in tags.enumerated() {
            form["TagSpecification.1.Tag.\(i + 1).Key"] = t.key
            form["TagSpecification.1.Tag.\(i + 1).Value"] = t.value
        }
    }

    /// Replaces an EC2 resource's tags with the template's (an update that changed only `Tags`).
    func retag(_ id: String, old: ResourceProperties, new: ResourceProperties) throws {
        let keep = Set(new.tags.map(\.key))
        var del: [String: String] = ["ResourceId.1": id]
        for (i, k) in old.tags.map(\.key).filter({ !keep.contains($0) }).enumerated() { del["Tag.\(i + 1).Key"] = k }
        if del.count > 1 { try ec2("DeleteTags", del) }
        var add: [String: String] = ["ResourceId.1": id]
        for (i, t) in new.tags.enumerated() { add["Tag.\(i + 1).Key"] = t.key; add["Tag.\(i + 1).Value"] = t.value }
        if add.count > 1 { try ec2("CreateTags", add) }
    }
}

/// Deletes with `body`; a `DependencyViolation` (an ENI Lambda has not released yet, a NAT gateway still
/// letting go) means "not yet": false, and the engine asks again, as CloudFormation's handlers retry it.
func deletingUnlessInUse(_ body: () throws -> Void) throws -> Bool {
    do { try ignoringNotFound(body) } catch let f as ResourceFailure where f.code == "DependencyViolation" { return false }
    return true
}

extension XMLElement {
    /// The text of the first descendant named `local` (depth first).
    func find(_ local: String) -> String? {
        if let v = value(local) { return v }
        for c in children { if let v = c.find(local) { return v } }
        return nil
    }
}

/// Every resource type the engine can deploy.
enum ResourceProviders {
    static let all: [any ResourceProvider] = [
        EC2VPCProvider(), EC2SubnetProvider(), EC2RouteTableProvider(), EC2RouteProvider(),
        EC2SubnetRouteTableAssociationProvider(), EC2InternetGatewayProvider(), EC2VPCGatewayAttachmentProvider(),
        EC2EIPProvider(), EC2NatGatewayProvider(), EC2VPCEndpointProvider(), EC2SecurityGroupProvider(),
        EC2SecurityGroupIngressProvider(), EC2SecurityGroupEgressProvider(), SSMParameterProvider(),
        IAMRoleProvider(), LambdaFunctionProvider(), LambdaPermissionProvider(), LambdaVersionProvider(), LambdaAliasProvider(),
        LogsLogGroupProvider(), S3BucketProvider(), IAMManagedPolicyProvider(), IAMPolicyProvider(), IAMInstanceProfileProvider(),
        S3BucketPolicyProvider(), LambdaUrlProvider(), LambdaEventInvokeConfigProvider(), LambdaLayerVersionProvider(),
        EC2NetworkAclProvider(), EC2NetworkAclEntryProvider(), EC2SubnetNetworkAclAssociationProvider(), EC2InstanceProvider(),
        DynamoDBTableProvider(), SQSQueueProvider(), SNSTopicProvider(), SecretsManagerSecretProvider(),
        NoOpProvider(type: "AWS::CDK::Metadata"), NoOpProvider(type: "AWS::CloudFormation::WaitConditionHandle"),
        RDSDBSubnetGroupProvider(), RDSDBInstanceProvider(), ElastiCacheSubnetGroupProvider(), ElastiCacheCacheClusterProvider(),
        ElastiCacheReplicationGroupProvider(),
    ]

    static let byType: [String: any ResourceProvider] = Dictionary(uniqueKeysWithValues: all.map { ($0.type, $0) })

    static func replacementProperties(_ type: String) -> Set<String> { byType[type]?.replacementProperties ?? [] }
}
