import CloudModel

/// The stack status transitions CloudFormation makes; the engine and the API change a stack's status only here.
enum StackStatusMachine {
    /// What happened to the stack's deployment.
    enum Event: Equatable {
        /// CreateStack / ExecuteChangeSet of a CREATE change set.
        case create
        /// UpdateStack / ExecuteChangeSet of an UPDATE change set.
        case update
        case delete
        /// Every resource reached its target.
        case applied
        /// A resource failed; `rollback` is false when the user disabled rollback.
        case failed(rollback: Bool)
        /// The cleanup or deletion phase ended (`failed`: something could not be deleted).
        case cleanedUp(failed: Bool)
        /// CancelUpdateStack.
        case cancelUpdate
        /// ContinueUpdateRollback.
        case continueRollback
    }

    static func next(_ s: StackStatus, _ e: Event) -> StackStatus? {
        switch (s, e) {
        case (.reviewInProgress, .create): return .createInProgress
        case (.createInProgress, .applied): return .createComplete
        case (.createInProgress, .failed(let rollback)): return rollback ? .rollbackInProgress : .createFailed
        case (.rollbackInProgress, .cleanedUp(let failed)): return failed ? .rollbackFailed : .rollbackComplete
        case (.createComplete, .update), (.updateComplete, .update), (.updateRollbackComplete, .update): return .updateInProgress
        case (.updateInProgress, .applied): return .updateCompleteCleanupInProgress
        case (.updateInProgress, .failed), (.updateInProgress, .cancelUpdate): return .updateRollbackInProgress
        case (.updateCompleteCleanupInProgress, .cleanedUp): return .updateComplete
        case (.updateRollbackInProgress, .applied): return .updateRollbackCompleteCleanupInProgress
        case (.updateRollbackInProgress, .failed): return .updateRollbackFailed
        case (.updateRollbackFailed, .continueRollback): return .updateRollbackInProgress
        case (.updateRollbackCompleteCleanupInProgress, .cleanedUp): return .updateRollbackComplete
        case (.deleteInProgress, .cleanedUp(let failed)): return failed ? .deleteFailed : .deleteComplete
        case (.createInProgress, .delete), (.rollbackInProgress, .delete), (.updateInProgress, .delete),
             (.updateCompleteCleanupInProgress, .delete), (.updateRollbackInProgress, .delete),
             (.updateRollbackCompleteCleanupInProgress, .delete), (.deleteInProgress, .delete):
            return nil
        case (_, .delete): return .deleteInProgress
        default: return nil
        }
    }

    /// What the engine does in a status: apply the stack's target template, delete resources, or nothing.
    enum Phase: Equatable { case apply, cleanup, deleteAll, idle }

    static func phase(_ s: StackStatus) -> Phase {
        switch s {
        case .createInProgress, .updateInProgress, .updateRollbackInProgress: return .apply
        case .updateCompleteCleanupInProgress, .updateRollbackCompleteCleanupInProgress: return .cleanup
        case .rollbackInProgress, .deleteInProgress: return .deleteAll
        default: return .idle
        }
    }

    /// The resource statuses of the current step, by what is being done (`CREATE`, `UPDATE`, `DELETE`).
    static func isComplete(_ s: StackStatus) -> Bool {
        [.createComplete, .updateComplete, .updateRollbackComplete].contains(s)
    }

    /// Statuses in which UpdateStack and UPDATE change sets are accepted.
    static func acceptsUpdate(_ s: StackStatus) -> Bool { [.createComplete, .updateComplete, .updateRollbackComplete].contains(s) }

    static func isInProgress(_ s: StackStatus) -> Bool { s.rawValue.hasSuffix("_IN_PROGRESS") && s != .reviewInProgress }
}
