import CloudModel
import Foundation
import GRDB

/// The durable store: one SQLite file in the data dir, one table of JSON records keyed by partition (a region's
/// name, or `global` for account-wide kinds such as IAM), kind and id, migrated with GRDB's migrator.
/// As a `RecordStore` itself it is the home region and the global partition together (what a single-region caller
/// and `doctor` want); `partition(_:)` gives one partition alone, which is what each region's `StateStore` holds.
public final class SQLiteRecordStore: RecordStore {
    private let db: DatabaseQueue
    public let path: String
    /// The region the records written before partitions existed belong to, and where this view writes regional kinds.
    public let homeRegion: String
    /// The partition account-wide kinds live in.
    public static let globalPartition = "global"

    /// Opens (creating if needed) `state.sqlite` in `directory` and runs pending migrations; rows from before regions
    /// existed move to `homeRegion` (the server's `--region`), IAM's to the global partition.
    public init(directory: String, homeRegion: String = "us-east-1") throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        path = (directory as NSString).appendingPathComponent("state.sqlite")
        self.homeRegion = homeRegion
        var config = Configuration()
        config.prepareDatabase { db in
            // WAL: a commit is in the log file before it returns, so kill -9 loses nothing acknowledged;
            // NORMAL sync only risks the last commits on power loss, which a local emulator accepts.
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        db = try DatabaseQueue(path: path, configuration: config)
        try Self.migrator(homeRegion: homeRegion).migrate(db)
    }

    /// Kinds kept in the global partition.
    static let globalKinds: Set<String> = Set(CloudState.recordTypes.filter { $0.isGlobal }.map { $0.kind })

    static func migrator(homeRegion: String) -> DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1-records") { db in
            try db.execute(sql: """
                CREATE TABLE records (
                    kind TEXT NOT NULL,
                    id TEXT NOT NULL,
                    body BLOB NOT NULL,
                    PRIMARY KEY (kind, id)
                ) WITHOUT ROWID
                """)
        }
        m.registerMigration("v2-partitions") { db in
            try db.execute(sql: """
                CREATE TABLE records_v2 (
                    partition TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    id TEXT NOT NULL,
                    body BLOB NOT NULL,
                    PRIMARY KEY (partition, kind, id)
                ) WITHOUT ROWID
                """)
            let global = Self.globalKinds.sorted()
            let marks = global.map { _ in "?" }.joined(separator: ",")
            try db.execute(sql: """
                INSERT INTO records_v2 (partition, kind, id, body)
                SELECT CASE WHEN kind IN (\(marks)) THEN ? ELSE ? END, kind, id, body FROM records
                """, arguments: StatementArguments(global + [globalPartition, homeRegion]))
            try db.execute(sql: "DROP TABLE records")
            try db.execute(sql: "ALTER TABLE records_v2 RENAME TO records")
        }
        return m
    }

    /// Closes the file now rather than when the last reference goes; the store must not be used afterwards.
    public func close() throws { try db.close() }

    /// The migrations applied so far, oldest first.
    public func appliedMigrations() throws -> [String] {
        try db.read { try Self.migrator(homeRegion: homeRegion).appliedMigrations($0) }
    }

    /// The partitions that hold at least one record.
    public func partitions() throws -> [String] {
        try db.read { try String.fetchAll($0, sql: "SELECT DISTINCT partition FROM records ORDER BY partition") }
    }

    /// One partition alone, as a `RecordStore`.
    public func partition(_ name: String) -> any RecordStore { SQLitePartition(store: self, name: name) }

    /// Every row of every partition (so `doctor` sees all regions at once).
    public func loadAll() throws -> [(kind: String, id: String, body: Data)] {
        try db.read { db in
            try Row.fetchAll(db, sql: "SELECT kind, id, body FROM records").map { ($0["kind"], $0["id"], $0["body"]) }
        }
    }

    /// Writes global kinds to the global partition and the rest to the home region.
    public func commit(_ changes: [StoredChange]) throws {
        try commit(changes) { Self.globalKinds.contains($0.kind) ? Self.globalPartition : homeRegion }
    }

    func load(partition: String) throws -> [(kind: String, id: String, body: Data)] {
        try db.read { db in
            try Row.fetchAll(db, sql: "SELECT kind, id, body FROM records WHERE partition = ?", arguments: [partition])
                .map { ($0["kind"], $0["id"], $0["body"]) }
        }
    }

    func commit(_ changes: [StoredChange], partition: (StoredChange) -> String) throws {
        if changes.isEmpty { return }
        try db.write { db in
            for c in changes {
                if let body = c.body {
                    try db.execute(sql: "INSERT OR REPLACE INTO records (partition, kind, id, body) VALUES (?, ?, ?, ?)",
                                   arguments: [partition(c), c.kind, c.id, body])
                } else {
                    try db.execute(sql: "DELETE FROM records WHERE partition = ? AND kind = ? AND id = ?",
                                   arguments: [partition(c), c.kind, c.id])
                }
            }
        }
    }
}

/// One partition of the SQLite store (a region, or the global one).
struct SQLitePartition: RecordStore {
    let store: SQLiteRecordStore
    let name: String

    func loadAll() throws -> [(kind: String, id: String, body: Data)] { try store.load(partition: name) }
    func commit(_ changes: [StoredChange]) throws { try store.commit(changes) { _ in name } }
}
