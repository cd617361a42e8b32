import Foundation

/// An instance's lifecycle, with EC2's numeric state codes.
public enum InstanceState: String, Codable, Sendable, CaseIterable {
    case pending, running
    case shuttingDown = "shutting-down"
    case terminated, stopping, stopped

    public var code: Int {
        switch self {
        case .pending: 0
        case .running: 16
        case .shuttingDown: 32
        case .terminated: 48
        case .stopping: 64
        case .stopped: 80
        }
    }

    /// What moves an instance from one state to the next: user requests, and the runtime's reports.
    public enum Event: Sendable, Equatable {
        case startRequested, stopRequested, terminateRequested
        case runtimeStarted, runtimeStopped
    }

    /// The single transition function; nil when the event does not apply in this state.
    public func next(_ event: Event) -> InstanceState? {
        switch (self, event) {
        case (.stopped, .startRequested): .pending
        case (.pending, .stopRequested), (.running, .stopRequested): .stopping
        case (.pending, .terminateRequested), (.running, .terminateRequested), (.stopping, .terminateRequested),
             (.stopped, .terminateRequested): .shuttingDown
        case (.pending, .runtimeStarted): .running
        case (.stopping, .runtimeStopped): .stopped
        case (.shuttingDown, .runtimeStopped): .terminated
        default: nil
        }
    }
}

/// A (simulated) EC2 instance: a process environment in its subnet with one network interface.
public struct Instance: Record, Taggable {
    public static let kind = "ec2.instance"
    public static var table: WritableKeyPath<CloudState, [String: Instance]> { \.instances }
    public var id: String
    public var reservationId: String
    public var imageId: String
    public var instanceType: String
    public var keyName: String?
    public var subnetId: String
    public var vpcId: String
    public var availabilityZone: String
    public var privateIpAddress: IPv4Address
    /// The primary interface; nil once the instance is terminated (the interface is deleted with it).
    public var networkInterfaceId: String?
    public var groupIds: [String]
    /// The user data as sent (base64), handed to the runtime decoded.
    public var userData: String?
    public var amiLaunchIndex: Int
    public var clientToken: String?
    public var state: InstanceState
    public var stateChangedAt: Date
    /// EC2's `stateReason` code (`Client.UserInitiatedShutdown`, `Server.InternalError`), once one applies.
    public var stateReasonCode: String?
    /// EC2's `reason` text, e.g. `User initiated (2024-01-02 03:04:05 GMT)`.
    public var stateTransitionReason: String
    public var launchTime: Date
    public var ownerId: String
    public var tags: [Tag]
    /// The instance profile EC2 hands the instance's workloads the role of (IMDS `iam/`): its ARN and id.
    public var iamInstanceProfileArn: String?
    public var iamInstanceProfileId: String?
    /// `iip-assoc-…`, the association DescribeIamInstanceProfileAssociations lists.
    public var iamInstanceProfileAssociationId: String?

    public init(id: String, reservationId: String, imageId: String, instanceType: String, keyName: String?, subnetId: String,
                vpcId: String, availabilityZone: String, privateIpAddress: IPv4Address, networkInterfaceId: String?,
                groupIds: [String], userData: String?, amiLaunchIndex: Int, clientToken: String?, state: InstanceState,
                stateChangedAt: Date, stateTransitionReason: String, launchTime: Date, ownerId: String, tags: [Tag]) {
        self.id = id; self.reservationId = reservationId; self.imageId = imageId; self.instanceType = instanceType
        self.keyName = keyName; self.subnetId = subnetId; self.vpcId = vpcId; self.availabilityZone = availabilityZone
        self.privateIpAddress = privateIpAddress; self.networkInterfaceId = networkInterfaceId; self.groupIds = groupIds
        self.userData = userData; self.amiLaunchIndex = amiLaunchIndex; self.clientToken = clientToken; self.state = state
        self.stateChangedAt = stateChangedAt; self.stateTransitionReason = stateTransitionReason; self.launchTime = launchTime
        self.ownerId = ownerId; self.tags = tags
    }
}
