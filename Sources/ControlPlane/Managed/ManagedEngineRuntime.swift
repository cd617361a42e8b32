import CloudModel
import Synchronization
import Foundation

/// What a managed engine (an RDS DB instance, an ElastiCache node) needs to run: which server, where it listens,
/// and the credentials and database its first start creates.
public struct EngineSpec: Sendable, Equatable {
    /// The servers this host runs for the managed services (MariaDB stands in for MySQL; redis-server for Valkey).
    public enum Kind: String, Sendable {
        case postgres, mariadb, memcached, redis
    }
    /// `rds/REGION/ID` or `elasticache/REGION/ID`: the engine's directory under the data dir and its supervision key.
    public var key: String
    public var kind: Kind
    public var networkInterfaceId: String
    public var privateIp: IPv4Address
    public var port: Int
    public var masterUsername: String?
    public var masterPassword: String?
    public var databaseName: String?
    /// A different generation than the running one's means "start again" (a reboot, a new password).
    public var generation: Int
    /// A snapshot's key whose data the engine starts from when it has none yet (a restored DB instance).
    public var seed: String?
    /// `IP PORT` of the primary a redis replica follows (`--replicaof`).
    public var replicaOf: String?

    public init(key: String, kind: Kind, networkInterfaceId: String, privateIp: IPv4Address, port: Int,
                masterUsername: String? = nil, masterPassword: String? = nil, databaseName: String? = nil, generation: Int = 0,
                seed: String? = nil, replicaOf: String? = nil) {
        self.key = key; self.kind = kind; self.networkInterfaceId = networkInterfaceId; self.privateIp = privateIp
        self.port = port; self.masterUsername = masterUsername; self.masterPassword = masterPassword
        self.databaseName = databaseName; self.generation = generation; self.seed = seed
        self.replicaOf = replicaOf
    }
}

/// The port that makes managed engines real: each one a supervised server in its interface's network namespace.
/// `ManagedEngineReconciler` calls it; Workloads' `ManagedEngines` implements it on the network fabric.
public protocol ManagedEngineRuntime: Sendable {
    /// True when `spec`'s engine runs (started by this process, at this generation).
    func isRunning(_ spec: EngineSpec) -> Bool
    /// Starts the engine (initialising its data on the first start) and returns once it accepts connections;
    /// restarts it when the generation changed. Idempotent.
    func run(_ spec: EngineSpec) async throws
    /// Stops the engine, keeping its data. Idempotent.
    func stop(key: String) async
    /// Stops the engine and removes its data. Idempotent.
    func remove(key: String) async
    /// Copies the engine's data to the snapshot `snapshotKey` with the engine stopped (a consistent copy), then
    /// starts it again when `restart`.
    func snapshot(_ spec: EngineSpec, into snapshotKey: String, restart: Bool) async throws
    /// Removes a snapshot's data. Idempotent.
    func removeSnapshot(key: String) async
}

/// The runtime without a network fabric (no CAP_NET_ADMIN, `--no-network`, unit tests): engines are bookkeeping
/// only, ready at once.
public final class BookkeepingEngineRuntime: ManagedEngineRuntime {
    private let running = Mutex<[String: Int]>([:])
    public init() {}
    public func isRunning(_ spec: EngineSpec) -> Bool { running.withLock { $0[spec.key] == spec.generation } }
    public func run(_ spec: EngineSpec) async throws { running.withLock { $0[spec.key] = spec.generation } }
    public func stop(key: String) async { _ = running.withLock { $0.removeValue(forKey: key) } }
    public func remove(key: String) async { _ = running.withLock { $0.removeValue(forKey: key) } }
    public func snapshot(_ spec: EngineSpec, into snapshotKey: String, restart: Bool) async throws {
        if !restart { _ = running.withLock { $0.removeValue(forKey: spec.key) } }
    }
    public func removeSnapshot(key: String) async {}
}
