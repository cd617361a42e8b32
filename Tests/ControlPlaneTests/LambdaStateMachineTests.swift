import AWSWire
import CloudModel
import ControlPlane
import Foundation
import Testing

@Suite struct LambdaStateMachineTests {
    let arn = "arn:aws:lambda:us-east-1:123456789012:function:f"

    @Test func createdIsPendingCreatingWithoutUpdateStatus() {
        let s = FunctionStateMachine.transition(FunctionStatus(state: .active), .created)!
        #expect(s == FunctionStatus(state: .pending, stateReason: "The function is being created.", stateReasonCode: "Creating"))
    }

    @Test func networkReadyActivatesAndMarksSuccessful() {
        let pending = FunctionStateMachine.transition(FunctionStatus(state: .pending), .created)!
        #expect(FunctionStateMachine.transition(pending, .networkReady) == FunctionStatus(state: .active, lastUpdateStatus: .successful))
    }

    @Test func updateGoesInProgressThenSuccessful() {
        let active = FunctionStatus(state: .active, lastUpdateStatus: .successful)
        let updating = FunctionStateMachine.transition(active, .updateStarted)!
        #expect(updating == FunctionStatus(state: .active, lastUpdateStatus: .inProgress,
                                           lastUpdateStatusReason: "The function is being created.", lastUpdateStatusReasonCode: "Creating"))
        #expect(FunctionStateMachine.transition(updating, .networkReady) == active)
    }

    @Test func failedUpdateKeepsFunctionActive() {
        let updating = FunctionStateMachine.transition(FunctionStatus(state: .active, lastUpdateStatus: .successful), .updateStarted)!
        let s = FunctionStateMachine.transition(updating, .provisioningFailed(code: "SubnetOutOfIPAddresses", reason: "full"))!
        #expect(s.state == .active)
        #expect(s.lastUpdateStatus == .failed)
        #expect(s.lastUpdateStatusReasonCode == "SubnetOutOfIPAddresses")
    }

    @Test func failedCreationIsFailedWithReasonCode() {
        let pending = FunctionStateMachine.transition(FunctionStatus(state: .pending), .created)!
        let s = FunctionStateMachine.transition(pending, .provisioningFailed(code: "EniLimitExceeded", reason: "limit"))!
        #expect(s.state == .failed)
        #expect(s.stateReasonCode == "EniLimitExceeded")
    }

    @Test func idleThenInvokeGoesBackThroughPending() {
        let active = FunctionStatus(state: .active, lastUpdateStatus: .successful)
        let idle = FunctionStateMachine.transition(active, .idle)!
        #expect(idle.state == .inactive)
        #expect(idle.stateReasonCode == "Idle")
        let restoring = FunctionStateMachine.transition(idle, .invokedWhileInactive)!
        #expect(restoring.state == .pending)
        #expect(restoring.stateReasonCode == "Restoring")
        #expect(FunctionStateMachine.transition(restoring, .networkReady)?.state == .active)
    }

    @Test func eventsThatDoNotApplyChangeNothing() {
        let active = FunctionStatus(state: .active, lastUpdateStatus: .successful)
        #expect(FunctionStateMachine.transition(active, .networkReady) == nil)
        #expect(FunctionStateMachine.transition(active, .invokedWhileInactive) == nil)
        let pending = FunctionStateMachine.transition(active, .created)!
        #expect(FunctionStateMachine.transition(pending, .idle) == nil)
    }

    @Test func pendingRefusesUpdatesWithAWSMessage() {
        let pending = FunctionStateMachine.transition(FunctionStatus(state: .pending), .created)!
        #expect(throws: LambdaErrors.resourceInState(arn, state: "Pending", reasonCode: "Creating")) {
            try FunctionStateMachine.check(.updateConfiguration, pending, arn: arn)
        }
        #expect(throws: LambdaErrors.invokeInState("Pending")) { try FunctionStateMachine.check(.invoke, pending, arn: arn) }
    }

    @Test func inProgressRefusesUpdatesAndPublishButNotInvoke() throws {
        let updating = FunctionStateMachine.transition(FunctionStatus(state: .active, lastUpdateStatus: .successful), .updateStarted)!
        for op in [FunctionStateMachine.GuardedOperation.updateCode, .updateConfiguration, .publishVersion] {
            #expect(throws: LambdaErrors.updateInProgress(arn)) { try FunctionStateMachine.check(op, updating, arn: arn) }
        }
        try FunctionStateMachine.check(.invoke, updating, arn: arn)
    }

    @Test func inactiveInvokeIsResourceNotReady() {
        let idle = FunctionStatus(state: .inactive, stateReason: "x", stateReasonCode: "Idle", lastUpdateStatus: .successful)
        #expect(throws: LambdaErrors.functionInactive) { try FunctionStateMachine.check(.invoke, idle, arn: arn) }
    }

    @Test func durationsParse() {
        #expect(LambdaTimings.parseDuration("250ms") == 0.25)
        #expect(LambdaTimings.parseDuration("5s") == 5)
        #expect(LambdaTimings.parseDuration("14d") == TimeInterval(1_209_600))
        #expect(LambdaTimings.parseDuration("0ms") == 0)
        #expect(LambdaTimings.parseDuration("0") == 0)
        #expect(LambdaTimings.parseDuration("5") == nil)
        #expect(LambdaTimings.parseDuration("-1s") == nil)
    }
}
