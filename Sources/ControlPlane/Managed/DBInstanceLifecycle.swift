import CloudModel

/// A DB instance's state machine: every move of `DBInstanceStatus` is here, driven by the API (requests) and by
/// `ManagedEngineReconciler` (what the engine did).
public enum DBInstanceLifecycle {
    public enum Event: Sendable, Equatable {
        /// The engine accepts connections (first start, restart, start after stop, settings applied).
        case engineReady
        /// The first backup after creation is taken.
        case backupTaken
        case engineFailed
        case modifyRequested
        /// CreateDBSnapshot: the instance backs up while its engine is copied.
        case snapshotRequested
        case masterPasswordReset
        case rebootRequested
        case stopRequested
        case engineStopped
        case startRequested
        case deleteRequested
    }

    /// The next status, or nil when `event` is not allowed in `status`.
    public static func next(_ status: DBInstanceStatus, _ event: Event) -> DBInstanceStatus? {
        switch (status, event) {
        case (.creating, .engineReady): return .backingUp
        case (.backingUp, .backupTaken): return .available
        case (.modifying, .engineReady), (.rebooting, .engineReady), (.starting, .engineReady),
             (.resettingMasterCredentials, .engineReady): return .available
        case (.creating, .engineFailed), (.starting, .engineFailed), (.rebooting, .engineFailed), (.modifying, .engineFailed),
             (.resettingMasterCredentials, .engineFailed): return .failed
        case (.available, .modifyRequested): return .modifying
        case (.available, .snapshotRequested): return .backingUp
        case (.available, .masterPasswordReset): return .resettingMasterCredentials
        case (.available, .rebootRequested): return .rebooting
        case (.available, .stopRequested): return .stopping
        case (.stopping, .engineStopped): return .stopped
        case (.stopped, .startRequested): return .starting
        case (.deleting, .deleteRequested): return nil
        case (_, .deleteRequested): return .deleting
        default: return nil
        }
    }

    /// What the engine should be doing in `status`.
    public enum EngineGoal: Sendable, Equatable { case running, stopped, removed, untouched }

    public static func goal(_ status: DBInstanceStatus) -> EngineGoal {
        switch status {
        case .creating, .backingUp, .available, .modifying, .rebooting, .starting, .resettingMasterCredentials: return .running
        case .stopping, .stopped: return .stopped
        case .deleting: return .removed
        case .failed: return .untouched
        }
    }
}

/// A cache cluster's state machine.
public enum CacheClusterLifecycle {
    public enum Event: Sendable, Equatable { case engineReady, engineFailed, modifyRequested, rebootRequested, deleteRequested }

    public static func next(_ status: CacheClusterStatus, _ event: Event) -> CacheClusterStatus? {
        switch (status, event) {
        case (.creating, .engineReady), (.modifying, .engineReady), (.rebootingNodes, .engineReady): return .available
        case (.creating, .engineFailed): return .failed
        case (.available, .modifyRequested): return .modifying
        case (.available, .rebootRequested): return .rebootingNodes
        case (.deleting, .deleteRequested): return nil
        case (_, .deleteRequested): return .deleting
        default: return nil
        }
    }

    public static func goal(_ status: CacheClusterStatus) -> DBInstanceLifecycle.EngineGoal {
        switch status {
        case .creating, .available, .modifying, .rebootingNodes: return .running
        case .deleting: return .removed
        case .failed: return .untouched
        }
    }
}
