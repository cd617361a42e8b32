import CloudModel

/// A replication group's state machine: its status follows its member clusters', whose engines the reconciler runs.
public enum ReplicationGroupLifecycle {
    public enum Event: Sendable, Equatable {
        /// Every member cluster is available.
        case membersReady
        /// A member cluster failed to be created.
        case memberFailed
        case modifyRequested, deleteRequested
    }

    public static func next(_ status: ReplicationGroupStatus, _ event: Event) -> ReplicationGroupStatus? {
        switch (status, event) {
        case (.creating, .membersReady), (.modifying, .membersReady): return .available
        case (.creating, .memberFailed): return .failed
        case (.available, .modifyRequested): return .modifying
        case (.deleting, .deleteRequested): return nil
        case (_, .deleteRequested): return .deleting
        default: return nil
        }
    }

    /// The event the members' statuses make (nil: none yet): all available, or one failed.
    public static func event(members: [CacheClusterStatus], expected: Int) -> Event? {
        if members.contains(.failed) { return .memberFailed }
        return members.count == expected && members.allSatisfy { $0 == .available } ? .membersReady : nil
    }
}
