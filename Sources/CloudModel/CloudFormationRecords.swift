import Foundation

/// A stack's status, as CloudFormation names it; `StackStatusMachine` (ControlPlane) owns the transitions.
public enum StackStatus: String, Codable, Sendable, CaseIterable {
    case createInProgress = "CREATE_IN_PROGRESS", createFailed = "CREATE_FAILED", createComplete = "CREATE_COMPLETE"
    case rollbackInProgress = "ROLLBACK_IN_PROGRESS", rollbackFailed = "ROLLBACK_FAILED", rollbackComplete = "ROLLBACK_COMPLETE"
    case deleteInProgress = "DELETE_IN_PROGRESS", deleteFailed = "DELETE_FAILED", deleteComplete = "DELETE_COMPLETE"
    case updateInProgress = "UPDATE_IN_PROGRESS", updateCompleteCleanupInProgress = "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"
    case updateComplete = "UPDATE_COMPLETE", updateFailed = "UPDATE_FAILED"
    case updateRollbackInProgress = "UPDATE_ROLLBACK_IN_PROGRESS", updateRollbackFailed = "UPDATE_ROLLBACK_FAILED"
    case updateRollbackCompleteCleanupInProgress = "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS"
    case updateRollbackComplete = "UPDATE_ROLLBACK_COMPLETE"
    case reviewInProgress = "REVIEW_IN_PROGRESS"
}

/// A `Fn::GetAtt` value kept with a stack's resource: a string or a list of strings.
public enum StackAttributeValue: Codable, Sendable, Equatable {
    case string(String)
    case list([String])

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let s = try? c.decode(String.self) { self = .string(s) } else { self = .list(try c.decode([String].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .string(let s): try c.encode(s)
        case .list(let l): try c.encode(l)
        }
    }
}

/// One resource of a stack: what the engine created and where it stands.
public struct StackResourceState: Codable, Sendable, Equatable {
    public var logicalId: String
    public var type: String
    public var physicalId: String?
    /// A ResourceStatus (`CREATE_IN_PROGRESS`, `CREATE_COMPLETE`, `DELETE_FAILED`, …).
    public var status: String
    public var statusReason: String?
    public var lastUpdated: Date
    /// The evaluated properties it was created or last updated with (JSON), to tell what an update changes.
    public var propertiesJSON: String
    /// `Ref` of the resource (usually its physical id).
    public var ref: String?
    public var attributes: [String: StackAttributeValue]
    /// The deployment (the stack's `generation`) this resource was last brought to its target in.
    public var generation: Int
    /// Set while the resource waits for its service to finish (a NAT gateway becoming available).
    public var stabilizing: Bool
    /// Physical resources an update replaced, deleted in the cleanup phase.
    public var replaced: [ReplacedResource]
    public var deletionPolicy: String?

    public init(logicalId: String, type: String, status: String, lastUpdated: Date, generation: Int) {
        self.logicalId = logicalId
        self.type = type
        self.status = status
        self.lastUpdated = lastUpdated
        self.propertiesJSON = "{}"
        self.attributes = [:]
        self.generation = generation
        self.stabilizing = false
        self.replaced = []
    }
}

/// A physical resource an update replaced, with the properties it was created with (its deletion needs them).
public struct ReplacedResource: Codable, Sendable, Equatable {
    public var physicalId: String
    public var propertiesJSON: String
    public init(physicalId: String, propertiesJSON: String) {
        self.physicalId = physicalId
        self.propertiesJSON = propertiesJSON
    }
}

/// A parameter value of a stack (or change set).
public struct StackParameterValue: Codable, Sendable, Equatable {
    public var key: String
    public var value: String
    /// For `AWS::SSM::Parameter::Value<…>` parameters: the value read from Parameter Store.
    public var resolvedValue: String?
    public init(key: String, value: String, resolvedValue: String? = nil) {
        self.key = key
        self.value = value
        self.resolvedValue = resolvedValue
    }
}

/// A key/value tag.
public struct StackTag: Codable, Sendable, Equatable {
    public var key: String
    public var value: String
    public init(key: String, value: String) { self.key = key; self.value = value }
}

/// An evaluated output.
public struct StackOutput: Codable, Sendable, Equatable {
    public var key: String
    public var value: String
    public var description: String?
    public var exportName: String?
    public init(key: String, value: String, description: String? = nil, exportName: String? = nil) {
        self.key = key
        self.value = value
        self.description = description
        self.exportName = exportName
    }
}

/// What a deployment applies: a template (after transforms) and its parameter values.
public struct StackDeploymentTarget: Codable, Sendable, Equatable {
    /// The template as the user sent it (GetTemplate's `Original`).
    public var templateBody: String
    /// The template after transforms, as JSON (GetTemplate's `Processed`); the engine reads this one.
    public var processedTemplate: String
    public var parameters: [StackParameterValue]
    public var description: String?
    public init(templateBody: String, processedTemplate: String, parameters: [StackParameterValue], description: String?) {
        self.templateBody = templateBody
        self.processedTemplate = processedTemplate
        self.parameters = parameters
        self.description = description
    }
}

/// A CloudFormation stack: desired state (its template and parameters) and the engine's progress toward it.
public struct CloudFormationStack: Record {
    public static let kind = "cloudformation.stack"
    public static var table: WritableKeyPath<CloudState, [String: CloudFormationStack]> { \.cloudFormationStacks }

    /// The stack's ARN: `arn:aws:cloudformation:REGION:ACCOUNT:stack/NAME/UUID`.
    public var stackId: String
    public var name: String
    public var status: StackStatus
    public var statusReason: String?
    public var creationTime: Date
    public var lastUpdatedTime: Date?
    public var deletionTime: Date?
    /// What the stack is (or is being brought to).
    public var current: StackDeploymentTarget
    /// What an update rollback returns to.
    public var previous: StackDeploymentTarget?
    public var tags: [StackTag]
    public var capabilities: [String]
    public var notificationARNs: [String]
    public var roleARN: String?
    public var disableRollback: Bool
    public var timeoutInMinutes: Int?
    public var terminationProtection: Bool
    public var outputs: [StackOutput]
    public var resources: [String: StackResourceState]
    /// Bumped by every deployment, so each resource knows whether this one has reached it.
    public var generation: Int
    /// The next event's sequence number.
    public var eventSequence: Int
    /// The change set that created or last updated it.
    public var changeSetId: String?
    /// The principal that started the current operation, which the engine acts as.
    public var callerArn: String
    /// Who started the current operation, in full: the engine acts as this principal (under `--enforce-iam` its
    /// policies decide each call the engine makes).
    public var caller: StackCaller?
    /// The exports of other stacks this one's template imports (they cannot be deleted while it does).
    public var imports: [String]
    public var id: String { stackId }

    public init(stackId: String, name: String, status: StackStatus, creationTime: Date, current: StackDeploymentTarget, callerArn: String) {
        self.stackId = stackId
        self.name = name
        self.status = status
        self.creationTime = creationTime
        self.current = current
        self.tags = []
        self.capabilities = []
        self.notificationARNs = []
        self.disableRollback = false
        self.terminationProtection = false
        self.outputs = []
        self.resources = [:]
        self.generation = 1
        self.eventSequence = 0
        self.callerArn = callerArn
        self.imports = []
    }
}

/// The principal behind a stack operation, as stored (a `Principal` without its account, which the stack's ARN has).
public struct StackCaller: Codable, Sendable, Equatable {
    public var arn: String
    public var userId: String
    public var accessKeyId: String
    public var roleArn: String?
    public init(arn: String, userId: String, accessKeyId: String, roleArn: String?) {
        self.arn = arn
        self.userId = userId
        self.accessKeyId = accessKeyId
        self.roleArn = roleArn
    }
}

/// One entry of a stack's event log (DescribeStackEvents).
public struct CloudFormationStackEvent: Record {
    public static let kind = "cloudformation.event"
    public static var table: WritableKeyPath<CloudState, [String: CloudFormationStackEvent]> { \.cloudFormationEvents }

    public var eventId: String
    public var stackId: String
    public var stackName: String
    public var sequence: Int
    public var logicalResourceId: String
    public var physicalResourceId: String?
    public var resourceType: String
    public var timestamp: Date
    public var resourceStatus: String
    public var resourceStatusReason: String?
    public var resourceProperties: String?
    public var id: String { eventId }

    public init(eventId: String, stackId: String, stackName: String, sequence: Int, logicalResourceId: String,
                physicalResourceId: String?, resourceType: String, timestamp: Date, resourceStatus: String,
                resourceStatusReason: String? = nil, resourceProperties: String? = nil) {
        self.eventId = eventId
        self.stackId = stackId
        self.stackName = stackName
        self.sequence = sequence
        self.logicalResourceId = logicalResourceId
        self.physicalResourceId = physicalResourceId
        self.resourceType = resourceType
        self.timestamp = timestamp
        self.resourceStatus = resourceStatus
        self.resourceStatusReason = resourceStatusReason
        self.resourceProperties = resourceProperties
    }
}

/// One resource change a change set would make.
public struct ChangeSetResourceChange: Codable, Sendable, Equatable {
    /// `Add`, `Modify` or `Remove`.
    public var action: String
    public var logicalResourceId: String
    public var physicalResourceId: String?
    public var resourceType: String
    /// `True`, `False` or `Conditional` for `Modify`.
    public var replacement: String?
    /// The top-level properties that change.
    public var changedProperties: [String]
    public init(action: String, logicalResourceId: String, physicalResourceId: String?, resourceType: String,
                replacement: String?, changedProperties: [String]) {
        self.action = action
        self.logicalResourceId = logicalResourceId
        self.physicalResourceId = physicalResourceId
        self.resourceType = resourceType
        self.replacement = replacement
        self.changedProperties = changedProperties
    }
}

/// A change set: a proposed deployment, executed or deleted later.
public struct CloudFormationChangeSet: Record {
    public static let kind = "cloudformation.changeset"
    public static var table: WritableKeyPath<CloudState, [String: CloudFormationChangeSet]> { \.cloudFormationChangeSets }

    /// `arn:aws:cloudformation:REGION:ACCOUNT:changeSet/NAME/UUID`.
    public var changeSetId: String
    public var name: String
    public var stackId: String
    public var stackName: String
    /// `CREATE` or `UPDATE`.
    public var type: String
    /// `CREATE_PENDING`, `CREATE_IN_PROGRESS`, `CREATE_COMPLETE`, `DELETE_COMPLETE`, `FAILED`.
    public var status: String
    public var statusReason: String?
    /// `UNAVAILABLE`, `AVAILABLE`, `EXECUTE_IN_PROGRESS`, `EXECUTE_COMPLETE`, `EXECUTE_FAILED`, `OBSOLETE`.
    public var executionStatus: String
    public var description: String?
    public var creationTime: Date
    public var target: StackDeploymentTarget
    public var capabilities: [String]
    public var tags: [StackTag]
    public var notificationARNs: [String]
    public var roleARN: String?
    public var changes: [ChangeSetResourceChange]
    public var id: String { changeSetId }

    public init(changeSetId: String, name: String, stackId: String, stackName: String, type: String, creationTime: Date,
                target: StackDeploymentTarget) {
        self.changeSetId = changeSetId
        self.name = name
        self.stackId = stackId
        self.stackName = stackName
        self.type = type
        self.status = "CREATE_COMPLETE"
        self.executionStatus = "AVAILABLE"
        self.creationTime = creationTime
        self.target = target
        self.capabilities = []
        self.tags = []
        self.notificationARNs = []
        self.changes = []
    }
}
