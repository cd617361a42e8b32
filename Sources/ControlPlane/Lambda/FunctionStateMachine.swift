import AWSWire
import CloudModel

/// What can happen to a function version; `FunctionStateMachine.transition` is the only place that
/// changes `FunctionStatus`.
public enum FunctionEvent: Sendable, Equatable {
    /// CreateFunction (or PublishVersion of a version whose network is not there yet).
    case created
    /// UpdateFunctionConfiguration / UpdateFunctionCode accepted.
    case updateStarted
    /// Every ENI the version needs exists (immediately for non-VPC functions).
    case networkReady
    /// Provisioning its ENIs failed with a StateReasonCode.
    case provisioningFailed(code: String, reason: String)
    /// Not invoked for `--idle-after`; its ENIs may be reclaimed.
    case idle
    /// Invoke on an Inactive function sends it back to Pending.
    case invokedWhileInactive
}

/// The function state machine: Pending → Active ⇄ (update InProgress → Successful/Failed), Active → Inactive → Pending, → Failed.
public enum FunctionStateMachine {
    /// The next status, or nil when the event does not apply in this status (nothing changes then).
    public static func transition(_ s: FunctionStatus, _ e: FunctionEvent) -> FunctionStatus? {
        switch (s.state, e) {
        case (_, .created):
            return FunctionStatus(state: .pending, stateReason: LambdaStateReasons.creating, stateReasonCode: "Creating")
        case (.active, .updateStarted):
            return FunctionStatus(state: .active, lastUpdateStatus: .inProgress, lastUpdateStatusReason: LambdaStateReasons.creating,
                                  lastUpdateStatusReasonCode: "Creating")
        case (.inactive, .updateStarted):
            return FunctionStatus(state: .pending, stateReason: LambdaStateReasons.restoring, stateReasonCode: "Restoring",
                                  lastUpdateStatus: .inProgress, lastUpdateStatusReason: LambdaStateReasons.creating,
                                  lastUpdateStatusReasonCode: "Creating")
        case (.pending, .networkReady):
            return FunctionStatus(state: .active, lastUpdateStatus: .successful)
        case (.active, .networkReady):
            return s.lastUpdateStatus == .inProgress ? FunctionStatus(state: .active, lastUpdateStatus: .successful) : nil
        case (.pending, .provisioningFailed(let code, let reason)):
            // A restore that fails leaves the function Inactive (functions-states); a creation fails it.
            if s.stateReasonCode == "Restoring" {
                return FunctionStatus(state: .inactive, stateReason: reason, stateReasonCode: code,
                                      lastUpdateStatus: s.lastUpdateStatus == .inProgress ? .failed : s.lastUpdateStatus,
                                      lastUpdateStatusReason: s.lastUpdateStatus == .inProgress ? reason : nil,
                                      lastUpdateStatusReasonCode: s.lastUpdateStatus == .inProgress ? code : nil)
            }
            return FunctionStatus(state: .failed, stateReason: reason, stateReasonCode: code,
                                  lastUpdateStatus: .failed, lastUpdateStatusReason: reason, lastUpdateStatusReasonCode: code)
        case (.active, .provisioningFailed(let code, let reason)):
            guard s.lastUpdateStatus == .inProgress else { return nil }
            return FunctionStatus(state: .active, lastUpdateStatus: .failed, lastUpdateStatusReason: reason,
                                  lastUpdateStatusReasonCode: code)
        case (.active, .idle):
            guard s.lastUpdateStatus != .inProgress else { return nil }
            return FunctionStatus(state: .inactive, stateReason: LambdaStateReasons.idle, stateReasonCode: "Idle",
                                  lastUpdateStatus: s.lastUpdateStatus, lastUpdateStatusReason: s.lastUpdateStatusReason,
                                  lastUpdateStatusReasonCode: s.lastUpdateStatusReasonCode)
        case (.inactive, .invokedWhileInactive):
            return FunctionStatus(state: .pending, stateReason: LambdaStateReasons.restoring, stateReasonCode: "Restoring",
                                  lastUpdateStatus: s.lastUpdateStatus, lastUpdateStatusReason: s.lastUpdateStatusReason,
                                  lastUpdateStatusReasonCode: s.lastUpdateStatusReasonCode)
        default:
            return nil
        }
    }

    /// Operations that Lambda refuses in some states.
    public enum GuardedOperation: Sendable { case updateCode, updateConfiguration, publishVersion, invoke }

    /// Throws Lambda's 409/502 when `op` is not allowed in status `s` of the function `arn`.
    public static func check(_ op: GuardedOperation, _ s: FunctionStatus, arn: String) throws(AWSError) {
        if op == .invoke {
            switch s.state {
            case .active: return
            case .inactive: throw LambdaErrors.functionInactive
            case .pending, .failed: throw LambdaErrors.invokeInState(s.state.rawValue)
            }
        }
        switch s.state {
        case .pending, .failed:
            if s.lastUpdateStatus == .inProgress { throw LambdaErrors.updateInProgress(arn) }
            throw LambdaErrors.resourceInState(arn, state: s.state.rawValue, reasonCode: s.stateReasonCode ?? "")
        case .active, .inactive:
            if s.lastUpdateStatus == .inProgress { throw LambdaErrors.updateInProgress(arn) }
        }
    }
}
