import CloudModel
import Foundation
import GRDB

/// The durable store: one SQLite file in the data dir, one table of JSON records per kind,
/// migrated with GRDB's migrator from the first version on.
public final class SQLiteRecordStore: RecordStore {
    private let db: DatabaseQueue
    public let path: String

    /// Opens (creating if needed) `state.sqlite` in `directory` and runs pending migrations.
    public init(directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        path = (directory as NSString).appendingPathComponent("state.sqlite")
        var config = Configuration()
        config.prepareDatabase { db in
            // WAL: a commit is in the log file before it returns, so kill -9 loses nothing acknowledged;
            // NORMAL sync only risks the last commits on power loss, which a local emulator accepts.
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        db = try DatabaseQueue(path: path, configuration: config)
        try Self.migrator.migrate(db)
    }

    static var migrator: DatabaseMigrator {
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
        return m
    }

    /// Closes the file now rather than when the last reference goes; the store must not be used afterwards.
    public func close() throws { try db.close() }

    /// The migrations applied so far, oldest first.
    public func appliedMigrations() throws -> [String] {
        try db.read { try Self.migrator.appliedMigrations($0) }
    }

    public func loadAll() throws -> [(kind: String, id: String, body: Data)] {
        try db.read { db in
            try Row.fetchAll(db, sql: "SELECT kind, id, body FROM records").map { ($0["kind"], $0["id"], $0["body"]) }
        }
    }

    public func commit(_ changes: [StoredChange]) throws {
        if changes.isEmpty { return }
        try db.write { db in
            for c in changes {
                if let body = c.body {
                    try db.execute(sql: "INSERT OR REPLACE INTO records (kind, id, body) VALUES (?, ?, ?)",
                                   arguments: [c.kind, c.id, body])
                } else {
                    try db.execute(sql: "DELETE FROM records WHERE kind = ? AND id = ?", arguments: [c.kind, c.id])
                }
            }
        }
    }
}
