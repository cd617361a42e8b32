import CloudModel
import Foundation
import Synchronization

/// Drives DB instances and cache clusters (node by node) through their state machines (`DBInstanceLifecycle`,
/// `CacheClusterLifecycle`): starts, restarts, stops and removes their engines through the `ManagedEngineRuntime`
/// port and reports what the engine did back as lifecycle events. Engine work runs in tasks of its own (an engine's
/// first start takes seconds), one at a time per engine; the loop wakes on every write and at the next due time.
/// Restart-safe: after a restart every engine the store says runs is started again.
public final class ManagedEngineReconciler: Sendable {
    let store: StateStore
    let runtime: any ManagedEngineRuntime
    let region: String
    /// How long `backing-up` lasts after the engine is first ready (RDS takes minutes; the first backup here is
    /// the data already on disk).
    let backupDelay: TimeInterval
    /// How long a failed start waits before it is tried again.
    let retryDelay: TimeInterval
    private let wake = WakeSignal()
    private struct Work { var inFlight: Set<String> = []; var failedAt: [String: Date] = [:]; var tasks: [String: Task<Void, Never>] = [:] }
    private let work = Mutex(Work())

    public init(store: StateStore, runtime: any ManagedEngineRuntime, region: String, backupDelay: TimeInterval = 0.5,
                retryDelay: TimeInterval = 10) {
        self.store = store; self.runtime = runtime; self.region = region
        self.backupDelay = backupDelay; self.retryDelay = retryDelay
    }

    /// Runs until `stop()`.
    public func run() async {
        store.observe { [wake] _ in wake.signal() }
        while !wake.isStopped {
            let next = reconcileOnce()
            let delay = next.map { max(0, $0.timeIntervalSince(store.now)) } ?? 60
            await wake.wait(timeout: delay)
        }
    }

    /// Ends the loop; engine work in flight finishes on its own.
    public func stop() { wake.stop() }

    /// Waits for the engine work in flight (tests).
    public func settle() async {
        while true {
            let tasks = work.withLock { Array($0.tasks.values) }
            if tasks.isEmpty { return }
            for t in tasks { await t.value }
        }
    }

    /// One pass: timed moves, then engine work for every resource whose engine is not where its status wants it.
    @discardableResult
    public func reconcileOnce() -> Date? {
        let s = store.snapshot()
        let now = store.now
        var next: Date?
        func due(_ d: Date) { next = next.map { min($0, d) } ?? d }

        // A DB instance backs up for `backupDelay`, or while a snapshot of it is being taken.
        let snapshotting = Set(s.dbSnapshots.values.filter { $0.status == .creating }.map(\.dbInstanceIdentifier))
        let backups = s.dbInstances.values.filter { $0.status == .backingUp && !snapshotting.contains($0.id) }
        var backedUp: [String] = []
        for db in backups {
            let at = db.statusChangedAt.addingTimeInterval(backupDelay)
            if at <= now { backedUp.append(db.id) } else { due(at) }
        }
        if !backedUp.isEmpty {
            try? store.write { tx in for id in backedUp { Self.apply(.backupTaken, toDB: id, &tx) } }
        }

        for db in s.dbInstances.values {
            let key = Self.dbKey(region: region, db.id)
            switch DBInstanceLifecycle.goal(db.status) {
            case .running:
                guard let spec = Self.spec(db, key: key, in: s) else { continue }
                if runtime.isRunning(spec) {
                    if DBInstanceLifecycle.next(db.status, .engineReady) != nil {
                        try? store.write { tx in Self.apply(.engineReady, toDB: db.id, &tx) }
                    }
                    continue
                }
                if let retryAt = retryTime(key), retryAt > now { due(retryAt); continue }
                launch(key) { [runtime, store] in
                    do {
                        try await runtime.run(spec)
                        try? store.write { tx in Self.apply(.engineReady, toDB: db.id, &tx) }
                        return true
                    } catch {
                        try? store.write { tx in Self.apply(.engineFailed, toDB: db.id, &tx) }
                        return false
                    }
                }
            case .stopped where db.status == .stopping:
                launch(key) { [runtime, store] in
                    await runtime.stop(key: key)
                    try? store.write { tx in Self.apply(.engineStopped, toDB: db.id, &tx) }
                    return true
                }
            case .removed:
                // The final snapshot first (the snapshots' pass below takes it).
                if snapshotting.contains(db.id) { continue }
                launch(key) { [runtime, store] in
                    await runtime.remove(key: key)
                    try? store.write { tx in
                        guard let current = tx.get(DBInstance.self, db.id), current.status == .deleting else { return }
                        if let eni = current.networkInterfaceId { tx.delete(NetworkInterface.self, eni) }
                        tx.delete(DBInstance.self, db.id)
                    }
                    return true
                }
            case .stopped, .untouched: continue
            }
        }

        for snap in s.dbSnapshots.values {
            switch snap.status {
            case .creating:
                guard let db = s.dbInstances[snap.dbInstanceIdentifier], db.status == .backingUp || db.status == .deleting,
                      let spec = Self.spec(db, key: Self.dbKey(region: region, db.id), in: s) else {
                    if s.dbInstances[snap.dbInstanceIdentifier] == nil {
                        _ = try? store.write { tx in tx.update(DBSnapshot.self, snap.id) { $0.status = .failed } }
                    }
                    continue
                }
                let snapshotKey = Self.snapshotKey(region: region, snap.id)
                let restart = db.status != .deleting
                launch(spec.key) { [runtime, store] in
                    let ok = (try? await runtime.snapshot(spec, into: snapshotKey, restart: restart)) != nil
                    try? store.write { tx in
                        tx.update(DBSnapshot.self, snap.id) { $0.status = ok ? .available : .failed }
                        Self.apply(.backupTaken, toDB: db.id, &tx)
                    }
                    return ok
                }
            case .deleting:
                let snapshotKey = Self.snapshotKey(region: region, snap.id)
                launch(snapshotKey) { [runtime, store] in
                    await runtime.removeSnapshot(key: snapshotKey)
                    try? store.write { tx in
                        if tx.get(DBSnapshot.self, snap.id)?.status == .deleting { tx.delete(DBSnapshot.self, snap.id) }
                    }
                    return true
                }
            case .available, .failed: continue
            }
        }

        for c in s.cacheClusters.values {
            reconcileCache(c, in: s, now: now, due: due)
        }
        for g in s.replicationGroups.values {
            let members = g.memberClusters.compactMap { s.cacheClusters[$0] }
            if g.status == .deleting {
                if members.isEmpty { try? store.write { tx in
                    if tx.get(ReplicationGroup.self, g.id)?.status == .deleting { tx.delete(ReplicationGroup.self, g.id) }
                } }
            } else if let event = ReplicationGroupLifecycle.event(members: members.map(\.status), expected: g.memberClusters.count),
                      ReplicationGroupLifecycle.next(g.status, event) != nil {
                try? store.write { tx in
                    guard let current = tx.get(ReplicationGroup.self, g.id), let next = ReplicationGroupLifecycle.next(current.status, event) else { return }
                    let now = tx.now
                    tx.update(ReplicationGroup.self, g.id) { $0.status = next; $0.statusChangedAt = now }
                }
            }
        }
        return next
    }

    /// Engine work for each node of a cache cluster: a node's engine runs while its cluster's status wants it and is
    /// removed (with its interface) when the node or the cluster is deleted; the cluster record goes last.
    private func reconcileCache(_ c: CacheCluster, in s: CloudState, now: Date, due: (Date) -> Void) {
        if c.status == .deleting, c.nodes.isEmpty {
            // Every node is gone: the cluster's directory (and an engine of a row from before nodes) with it.
            let key = Self.cacheKey(region: region, c.id)
            launch(key) { [runtime, store] in
                await runtime.remove(key: key)
                try? store.write { tx in
                    guard let current = tx.get(CacheCluster.self, c.id), current.status == .deleting, current.nodes.isEmpty else { return }
                    tx.delete(CacheCluster.self, c.id)
                }
                return true
            }
            return
        }
        for node in c.nodes {
            let key = Self.cacheKey(region: region, c.id, node: node.id)
            switch CacheClusterLifecycle.nodeGoal(cluster: c.status, node: node.status) {
            case .running:
                guard let spec = Self.spec(c, node: node, key: key, in: s) else { continue }
                if runtime.isRunning(spec) {
                    if CacheClusterLifecycle.nodeReady(node.status) != nil || (CacheClusterLifecycle.settled(c.nodes)
                        && CacheClusterLifecycle.next(c.status, .engineReady) != nil) {
                        try? store.write { tx in Self.nodeReady(node.id, ofCache: c.id, &tx) }
                    }
                    continue
                }
                if let retryAt = retryTime(key), retryAt > now { due(retryAt); continue }
                launch(key) { [runtime, store] in
                    do {
                        try await runtime.run(spec)
                        try? store.write { tx in Self.nodeReady(node.id, ofCache: c.id, &tx) }
                        return true
                    } catch {
                        try? store.write { tx in Self.apply(.engineFailed, toCache: c.id, &tx) }
                        return false
                    }
                }
            case .removed:
                launch(key) { [runtime, store] in
                    await runtime.remove(key: key)
                    try? store.write { tx in
                        guard var current = tx.get(CacheCluster.self, c.id),
                              let i = current.nodes.firstIndex(where: { $0.id == node.id }),
                              current.status == .deleting || current.nodes[i].status == .deleting else { return }
                        if let eni = current.nodes[i].networkInterfaceId { tx.delete(NetworkInterface.self, eni) }
                        current.nodes.remove(at: i)
                        tx.put(current)
                        Self.settle(c.id, &tx)
                    }
                    return true
                }
            case .stopped, .untouched: continue
            }
        }
    }

    private func retryTime(_ key: String) -> Date? {
        work.withLock { $0.failedAt[key] }.map { $0.addingTimeInterval(retryDelay) }
    }

    /// Runs `body` for `key` unless work for it is already in flight; a failure is retried after `retryDelay`.
    private func launch(_ key: String, _ body: @escaping @Sendable () async -> Bool) {
        let claimed = work.withLock { w -> Bool in w.inFlight.insert(key).inserted }
        guard claimed else { return }
        let task = Task { [self] in
            let ok = await body()
            let now = store.now
            work.withLock { w in
                w.inFlight.remove(key)
                w.tasks[key] = nil
                if ok { w.failedAt[key] = nil } else { w.failedAt[key] = now }
            }
            wake.signal()
        }
        work.withLock { w in if w.inFlight.contains(key) { w.tasks[key] = task } }
    }

    // MARK: Pure parts

    static func dbKey(region: String, _ id: String) -> String { "rds/\(region)/\(id)" }
    static func cacheKey(region: String, _ id: String) -> String { "elasticache/\(region)/\(id)" }
    /// A cache node's key: `elasticache/REGION/ID/0001` (its engine's directory is under its cluster's).
    static func cacheKey(region: String, _ id: String, node: String) -> String { "elasticache/\(region)/\(id)/\(node)" }
    static func snapshotKey(region: String, _ id: String) -> String { "rds-snapshots/\(region)/\(id)" }
    /// The region part of a key (`rds/REGION/ID`).
    static func regionOf(_ key: String) -> String { key.split(separator: "/").dropFirst().first.map(String.init) ?? "" }

    /// The engine a DB instance runs: PostgreSQL for `postgres`, MariaDB for `mysql` and `mariadb`.
    static func spec(_ db: DBInstance, key: String, in s: CloudState) -> EngineSpec? {
        guard let eniId = db.networkInterfaceId, let eni = s.networkInterfaces[eniId] else { return nil }
        return EngineSpec(key: key, kind: db.engine == "postgres" ? .postgres : .mariadb, networkInterfaceId: eniId,
                          privateIp: eni.privateIpAddress, port: db.port, masterUsername: db.masterUsername,
                          masterPassword: db.masterPassword, databaseName: db.dbName, generation: db.engineGeneration,
                          seed: db.restoredFrom.map { snapshotKey(region: regionOf(key), $0) })
    }

    /// The engine a cache node runs: memcached, or redis-server for `redis` and `valkey`.
    static func spec(_ c: CacheCluster, node: CacheNode, key: String, in s: CloudState) -> EngineSpec? {
        guard let eniId = node.networkInterfaceId, let eni = s.networkInterfaces[eniId] else { return nil }
        var replicaOf: String?
        // A replica follows its group's primary (at the primary's interface address, which never changes).
        if let groupId = c.replicationGroupId, let group = s.replicationGroups[groupId], group.primaryClusterId != c.id {
            guard let primary = s.cacheClusters[group.primaryClusterId]?.nodes.first?.networkInterfaceId
                .flatMap({ s.networkInterfaces[$0] }) else { return nil }
            replicaOf = "\(primary.privateIpAddress) \(group.port)"
        }
        return EngineSpec(key: key, kind: c.engine == "memcached" ? .memcached : .redis, networkInterfaceId: eniId,
                          privateIp: eni.privateIpAddress, port: c.port, generation: node.engineGeneration, replicaOf: replicaOf)
    }

    /// Applies a lifecycle event to a DB instance if its status allows it.
    static func apply(_ event: DBInstanceLifecycle.Event, toDB id: String, _ tx: inout Transaction) {
        guard let db = tx.get(DBInstance.self, id), let next = DBInstanceLifecycle.next(db.status, event) else { return }
        let now = tx.now
        tx.update(DBInstance.self, id) { $0.status = next; $0.statusChangedAt = now }
    }

    static func apply(_ event: CacheClusterLifecycle.Event, toCache id: String, _ tx: inout Transaction) {
        guard let c = tx.get(CacheCluster.self, id), let next = CacheClusterLifecycle.next(c.status, event) else { return }
        let now = tx.now
        tx.update(CacheCluster.self, id) { $0.status = next; $0.statusChangedAt = now }
    }

    /// A node's engine is ready: the node is available, and its cluster too once every node is.
    static func nodeReady(_ node: String, ofCache id: String, _ tx: inout Transaction) {
        guard var c = tx.get(CacheCluster.self, id), let i = c.nodes.firstIndex(where: { $0.id == node }) else { return }
        if let next = CacheClusterLifecycle.nodeReady(c.nodes[i].status) {
            c.nodes[i].status = next
            tx.put(c)
        }
        settle(id, &tx)
    }

    /// Moves a cluster whose nodes are all available on (`creating`/`modifying`/`rebooting…` → `available`).
    static func settle(_ id: String, _ tx: inout Transaction) {
        guard let c = tx.get(CacheCluster.self, id), CacheClusterLifecycle.settled(c.nodes) else { return }
        apply(.engineReady, toCache: id, &tx)
    }
}
