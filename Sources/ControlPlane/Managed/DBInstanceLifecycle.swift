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

/// A cache cluster's state machine, and its nodes': the cluster is `available` once every node's engine is, and
/// a node being added, rebooted or removed keeps it `modifying` / `rebooting cache cluster nodes` until then.
public enum CacheClusterLifecycle {
    public enum Event: Sendable, Equatable {
        /// Every node's engine accepts connections and no node is being removed.
        case engineReady
        case engineFailed, modifyRequested, rebootRequested, deleteRequested
    }

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

    /// What a node's engine should be doing: a node goes with its cluster, or alone when it is being removed.
    public static func nodeGoal(cluster: CacheClusterStatus, node: CacheNodeStatus) -> DBInstanceLifecycle.EngineGoal {
        node == .deleting ? .removed : goal(cluster)
    }

    /// The node's status once its engine is ready (nil: it already is where it should be).
    public static func nodeReady(_ status: CacheNodeStatus) -> CacheNodeStatus? {
        switch status {
        case .creating, .rebooting: return .available
        case .available, .deleting: return nil
        }
    }

    /// True when every node is available, so a creating, modifying or rebooting cluster is done.
    public static func settled(_ nodes: [CacheNode]) -> Bool { nodes.allSatisfy { $0.status == .available } }
}
