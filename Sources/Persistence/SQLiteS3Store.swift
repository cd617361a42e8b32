import CloudModel
import Foundation
import GRDB
import Synchronization

/// S3's durable metadata: buckets, object versions, multipart uploads and parts as JSON rows in
/// `<data-dir>/s3/s3.sqlite` (its own file: S3's rows are many and never loaded whole, unlike `state.sqlite`'s).
/// Object bytes are files under `<data-dir>/s3/objects/`, named by the rows.
public final class SQLiteS3Store: Sendable {
    private let db: DatabasePool
    /// `<data-dir>/s3`.
    public let root: String
    /// Every bucket, read once: each request reads its bucket (existence, versioning, policy), and buckets are few.
    /// Written only after the transaction that changed a bucket committed.
    private let bucketCache: Mutex<[String: S3Bucket]>
    private let latest: LatestObjectCache
    /// Small objects' writes: one transaction for all that arrive together.
    private let committer: Committer
    /// Versions' order (`objects.seq`), drawn inside the writing transaction (writes are serialized, so the numbers
    /// follow commit order); kept in memory instead of a counter row every PUT would rewrite.
    private let sequence: VersionSequence

    public init(dataDir: String) throws {
        root = (dataDir as NSString).appendingPathComponent("s3")
        for sub in ["", "objects", "incoming"] {
            try FileManager.default.createDirectory(atPath: (root as NSString).appendingPathComponent(sub),
                                                    withIntermediateDirectories: true)
        }
        var config = Configuration()
        // A store released just before (its committer thread still closing the file) must not make opening fail.
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            // As state.sqlite: a commit is in the WAL before it returns, so kill -9 loses nothing acknowledged (small
            // objects' bytes are in their rows, so that holds for them too). The WAL is synced at checkpoints.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // Every small PUT rewrites a page of its own; a writer that keeps the table's pages in memory reads none
            // back, and checkpoints that come every 8,000 pages instead of 1,000 write each hot page once for more
            // commits (the checkpoint is what syncs).
            try db.execute(sql: "PRAGMA cache_size = -65536")
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 8000")
        }
        db = try DatabasePool(path: (root as NSString).appendingPathComponent("s3.sqlite"), configuration: config)
        let latest = LatestObjectCache()
        self.latest = latest
        committer = Committer(db: db, name: "s3-committer", onFailure: { latest.clear() })
        try Self.migrator.migrate(db)
        sequence = VersionSequence(start: try db.read { db in
            // The old counter row (written before the sequence moved to memory) may be ahead of every remaining row.
            max(try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM objects") ?? 0,
                try Int64.fetchOne(db, sql: "SELECT value FROM counters WHERE name = 'seq'") ?? 0)
        })
        let all = try db.read { db in try Data.fetchAll(db, sql: "SELECT body FROM buckets").map { try Self.decode(S3Bucket.self, $0) } }
        bucketCache = Mutex(Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) }))
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1-s3") { db in
            try db.execute(sql: """
                CREATE TABLE buckets (name TEXT PRIMARY KEY, body BLOB NOT NULL) WITHOUT ROWID;
                CREATE TABLE objects (
                    bucket TEXT NOT NULL, key TEXT NOT NULL, version TEXT NOT NULL,
                    seq INTEGER NOT NULL, latest INTEGER NOT NULL, marker INTEGER NOT NULL, body BLOB NOT NULL,
                    PRIMARY KEY (bucket, key, version)
                ) WITHOUT ROWID;
                CREATE INDEX objects_latest ON objects (bucket, latest, key);
                CREATE TABLE uploads (id TEXT PRIMARY KEY, bucket TEXT NOT NULL, key TEXT NOT NULL, body BLOB NOT NULL) WITHOUT ROWID;
                CREATE INDEX uploads_bucket ON uploads (bucket, key, id);
                CREATE TABLE parts (upload TEXT NOT NULL, number INTEGER NOT NULL, body BLOB NOT NULL,
                                    PRIMARY KEY (upload, number)) WITHOUT ROWID;
                CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
                """)
        }
        m.registerMigration("v2-inline-bytes") { db in
            // The bytes of a small object, in its row (its record's `blob` is nil then).
            try db.execute(sql: "ALTER TABLE objects ADD COLUMN data BLOB")
        }
        m.registerMigration("v3-objects-rowid") { db in
            // A WITHOUT ROWID table keeps at most about 1,000 bytes of a row in its b-tree page (index b-trees' limit
            // for 4 KiB pages): a row holding a 1 KiB object spilled into an overflow page of its own, so every small
            // PUT rewrote two or three pages (the leaf, the overflow chain freed and allocated). A rowid table keeps up
            // to about 4,000 bytes in the leaf, and rewriting a row in place changes that one page.
            try db.execute(sql: """
                CREATE TABLE objects_v3 (
                    id INTEGER PRIMARY KEY,
                    bucket TEXT NOT NULL, key TEXT NOT NULL, version TEXT NOT NULL,
                    seq INTEGER NOT NULL, latest INTEGER NOT NULL, marker INTEGER NOT NULL, body BLOB NOT NULL, data BLOB,
                    UNIQUE (bucket, key, version)
                );
                INSERT INTO objects_v3 (bucket, key, version, seq, latest, marker, body, data)
                    SELECT bucket, key, version, seq, latest, marker, body, data FROM objects ORDER BY bucket, key, version;
                DROP TABLE objects;
                ALTER TABLE objects_v3 RENAME TO objects;
                CREATE INDEX objects_latest ON objects (bucket, latest, key);
                """)
        }
        return m
    }

    private static let encoder = JSONEncoder()
    private static let decoder = JSONDecoder()
    private static func encode<T: Encodable>(_ v: T) throws -> Data { try encoder.encode(v) }
    private static func decode<T: Decodable>(_ t: T.Type, _ d: Data) throws -> T { try decoder.decode(t, from: d) }

    // MARK: buckets

    public func bucket(_ name: String) throws -> S3Bucket? { bucketCache.withLock { $0[name] } }

    public func buckets() throws -> [S3Bucket] { bucketCache.withLock { Array($0.values) }.sorted { $0.name < $1.name } }

    /// Inserts the bucket unless one of that name exists; returns the existing one then.
    public func createBucket(_ b: S3Bucket) throws -> S3Bucket? {
        try changeBuckets { db, cache in
            if let existing = try Data.fetchOne(db, sql: "SELECT body FROM buckets WHERE name = ?", arguments: [b.name]) {
                return try Self.decode(S3Bucket.self, existing)
            }
            try db.execute(sql: "INSERT INTO buckets (name, body) VALUES (?, ?)", arguments: [b.name, try Self.encode(b)])
            cache[b.name] = b
            return nil
        }
    }

    /// Rewrites a bucket's record through `change`; nil when there is no such bucket.
    @discardableResult
    public func updateBucket(_ name: String, _ change: (inout S3Bucket) throws -> Void) throws -> S3Bucket? {
        try changeBuckets { db, cache in
            guard let data = try Data.fetchOne(db, sql: "SELECT body FROM buckets WHERE name = ?", arguments: [name]) else { return nil }
            var b = try Self.decode(S3Bucket.self, data)
            try change(&b)
            try db.execute(sql: "UPDATE buckets SET body = ? WHERE name = ?", arguments: [try Self.encode(b), name])
            cache[name] = b
            return b
        }
    }

    public func deleteBucket(_ name: String) throws -> S3BucketDeletion {
        try changeBuckets { db, cache in
            guard try Int.fetchOne(db, sql: "SELECT 1 FROM buckets WHERE name = ?", arguments: [name]) != nil else { return .missing }
            if try Int.fetchOne(db, sql: "SELECT 1 FROM objects WHERE bucket = ? LIMIT 1", arguments: [name]) != nil { return .notEmpty }
            // Uploads in progress do not keep a bucket (AWS deletes it and them); their parts' files go too.
            try db.execute(sql: "DELETE FROM parts WHERE upload IN (SELECT id FROM uploads WHERE bucket = ?)", arguments: [name])
            try db.execute(sql: "DELETE FROM uploads WHERE bucket = ?", arguments: [name])
            try db.execute(sql: "DELETE FROM buckets WHERE name = ?", arguments: [name])
            cache[name] = nil
            return .deleted
        }
    }

    /// A write of the buckets table that changes the cache in the same transaction (a copy, installed inside it and
    /// put back if the commit fails): writes are serialized, so an object write, which checks its bucket in the cache
    /// inside its own transaction, sees exactly the buckets committed before it.
    private func changeBuckets<T>(_ body: (Database, inout [String: S3Bucket]) throws -> T) throws -> T {
        var before: [String: S3Bucket]?
        do {
            return try db.write { db in
                var cache = bucketCache.withLock { $0 }
                let result = try body(db, &cache)
                before = bucketCache.withLock { current in
                    defer { current = cache }
                    return current
                }
                return result
            }
        } catch {
            if let before { bucketCache.withLock { $0 = before } }
            throw error
        }
    }

    // MARK: objects

    /// The version named, or the latest (possibly a delete marker) when `versionId` is nil.
    public func object(bucket: String, key: String, versionId: String? = nil) throws -> S3Object? {
        let k = LatestObjectCache.Key(bucket: bucket, key: key)
        if versionId == nil, let hit = latest.get(k) { return hit }
        let generation = latest.generation
        // One SELECT is atomic by itself: no transaction around it (it halves the cost of a small GET).
        let o = try db.unsafeRead { db in try Self.object(db, bucket: bucket, key: key, versionId: versionId) }
        if versionId == nil, let o { latest.insert(o, for: k, ifUnchangedSince: generation) }
        return o
    }

    /// A write whose closure updates the latest-version cache: if the transaction then fails, the cache is dropped.
    private func write<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try db.write(body) } catch {
            latest.clear()
            throw error
        }
    }

    static func object(_ db: Database, bucket: String, key: String, versionId: String?) throws -> S3Object? {
        let data: Data?
        if let versionId {
            data = try Data.fetchOne(db.cachedStatement(sql: "SELECT body FROM objects WHERE bucket = ? AND key = ? AND version = ?"),
                                     arguments: [bucket, key, versionId])
        } else {
            data = try Data.fetchOne(db.cachedStatement(sql: "SELECT body FROM objects WHERE bucket = ? AND key = ? AND latest = 1"),
                                     arguments: [bucket, key])
        }
        return try data.map { try decode(S3Object.self, $0) }
    }

    /// Makes `o` the latest version of its key, in one transaction with `check` (which sees the current latest version
    /// and may throw to refuse: conditional writes; nil when there is no condition) and with the bucket still existing.
    /// `data` is the bytes of an object kept in its row (`o.blob` nil). A version of the same id (the `null` version of
    /// an unversioned bucket) is replaced; the files no row names any more are returned for removal. Concurrent puts
    /// share one commit.
    public func putObject(_ o: S3Object, data: [UInt8]?, check: (@Sendable (S3Object?) throws -> Void)?) throws -> [String] {
        let record = S3ObjectRecord.encode(o)
        let sequence = self.sequence
        return try committer.run(publish: publisher(o, data)) { db in
            try Self.insertLatest(db, o, record: record, data: data, check: check, seq: sequence.next(),
                                  bucketExists: self.bucketExists(o.bucket))
        }
    }

    /// `putObject` without waiting: `completion` gets its outcome once the write committed (or failed), on the store's
    /// committer thread, which it must not block.
    public func putObject(_ o: S3Object, data: [UInt8]?, check: (@Sendable (S3Object?) throws -> Void)?,
                          completion: @escaping @Sendable (Result<[String], any Error>) -> Void) {
        let record = S3ObjectRecord.encode(o)
        let sequence = self.sequence
        committer.submit({ db in
            try Self.insertLatest(db, o, record: record, data: data, check: check, seq: sequence.next(),
                                  bucketExists: self.bucketExists(o.bucket))
        },
                         publish: publisher(o, data), completion: completion)
    }

    /// What a committed put shows: the key's latest version (and its bytes) in the cache.
    private func publisher(_ o: S3Object, _ data: [UInt8]?) -> ([String]) -> Void {
        let latest = self.latest
        let cached = LatestObjectCache.Key(bucket: o.bucket, key: o.key)
        return { _ in latest.set(cached, o, bytes: data) }
    }

    /// Inside the writing transaction: the bucket exists (the cache changes only inside bucket transactions).
    private func bucketExists(_ name: String) -> Bool { bucketCache.withLock { $0[name] != nil } }

    private static func insertLatest(_ db: Database, _ o: S3Object, record: Data, data: [UInt8]?,
                                     check: (@Sendable (S3Object?) throws -> Void)?, seq: Int64,
                                     bucketExists: Bool) throws -> [String] {
        guard bucketExists else { throw S3StoreError.noSuchBucket }
        if let check { try check(try object(db, bucket: o.bucket, key: o.key, versionId: nil)) }
        // Cached statements: a small PUT is one or two of them, and parsing SQL each time cost more than running it.
        // The common case first: the version replaced (same id: the `null` version of an unversioned bucket) is the
        // latest and kept its bytes in its row (no file to free), so no other version is latest: its row is rewritten
        // in place. `latest` and the key stay, so no index changes (the small PUT writes one table page).
        let values: StatementArguments = [seq, o.isDeleteMarker ? 1 : 0, record, data.map { Data($0) }, o.bucket, o.key, o.versionId]
        try db.cachedStatement(sql: """
            UPDATE objects SET seq = ?, marker = ?, body = ?, data = ?
            WHERE bucket = ? AND key = ? AND version = ? AND latest = 1 AND data IS NOT NULL
            """).execute(arguments: values)
        if db.changesCount == 1 { return [] }
        var freed: [String] = []
        // Otherwise the version replaced, if any, and its file when its bytes are not in its row (its record says).
        let old = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT data IS NULL, latest, body FROM objects WHERE bucket = ? AND key = ? AND version = ?
            """), arguments: [o.bucket, o.key, o.versionId])
        if let old, old[0] as Bool, let blob = try decode(S3Object.self, old[2] as Data).blob {
            freed.append(blob)
        }
        if let old, old[1] as Bool {
            try db.cachedStatement(sql: """
                UPDATE objects SET seq = ?, marker = ?, body = ?, data = ? WHERE bucket = ? AND key = ? AND version = ?
                """).execute(arguments: values)
        } else {
            try db.cachedStatement(sql: "UPDATE objects SET latest = 0 WHERE bucket = ? AND key = ? AND latest = 1")
                .execute(arguments: [o.bucket, o.key])
            try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO objects (bucket, key, version, seq, latest, marker, body, data) VALUES (?, ?, ?, ?, 1, ?, ?, ?)
                """).execute(arguments: [o.bucket, o.key, o.versionId, seq, o.isDeleteMarker ? 1 : 0, record,
                                         data.map { Data($0) }])
        }
        return freed.filter { $0 != o.blob }
    }

    /// The bytes of a version kept in its row; nil when it has none (a file holds them, or the version is gone).
    public func objectData(bucket: String, key: String, versionId: String) throws -> [UInt8]? {
        if let hit = latest.bytes(LatestObjectCache.Key(bucket: bucket, key: key), versionId: versionId) { return hit }
        return try db.unsafeRead { db in
            try Data.fetchOne(db, sql: "SELECT data FROM objects WHERE bucket = ? AND key = ? AND version = ?",
                              arguments: [bucket, key, versionId]).map { [UInt8]($0) }
        }
    }

    /// Removes one version (the latest when `versionId` is nil); the next newest becomes latest. Returns the removed
    /// version, nil when there was none.
    public func deleteVersion(bucket: String, key: String, versionId: String?) throws -> S3Object? {
        try write { db in
            latest.set(LatestObjectCache.Key(bucket: bucket, key: key), nil)
            guard let old = try Self.object(db, bucket: bucket, key: key, versionId: versionId) else { return nil }
            try db.execute(sql: "DELETE FROM objects WHERE bucket = ? AND key = ? AND version = ?", arguments: [bucket, key, old.versionId])
            try db.execute(sql: """
                UPDATE objects SET latest = 1 WHERE bucket = ? AND key = ? AND version =
                  (SELECT version FROM objects WHERE bucket = ? AND key = ? ORDER BY seq DESC LIMIT 1)
                  AND NOT EXISTS (SELECT 1 FROM objects WHERE bucket = ? AND key = ? AND latest = 1)
                """, arguments: [bucket, key, bucket, key, bucket, key])
            return old
        }
    }

    /// Latest, non-deleted objects of a bucket with keys after `after` (exclusive) and not before `from`, in key
    /// (UTF-8 byte) order.
    public func latestObjects(bucket: String, after: String, from: String, limit: Int) throws -> [S3Object] {
        try db.read { db in
            try Data.fetchAll(db, sql: """
                SELECT body FROM objects WHERE bucket = ? AND latest = 1 AND marker = 0 AND key > ? AND key >= ?
                ORDER BY key LIMIT ?
                """, arguments: [bucket, after, from, limit]).map { try Self.decode(S3Object.self, $0) }
        }
    }

    /// Every version (delete markers too) with keys not before `from`, by key then newest first.
    public func versions(bucket: String, from: String, limit: Int) throws -> [S3Object] {
        try db.read { db in
            try Data.fetchAll(db, sql: """
                SELECT body FROM objects WHERE bucket = ? AND key >= ? ORDER BY key, seq DESC LIMIT ?
                """, arguments: [bucket, from, limit]).map { try Self.decode(S3Object.self, $0) }
        }
    }

    /// Rewrites one version's record (its tags).
    public func updateObject(_ o: S3Object) throws {
        try write { db in
            latest.set(LatestObjectCache.Key(bucket: o.bucket, key: o.key), nil)
            try db.execute(sql: "UPDATE objects SET body = ? WHERE bucket = ? AND key = ? AND version = ?",
                           arguments: [try Self.encode(o), o.bucket, o.key, o.versionId])
        }
    }

    // MARK: multipart uploads

    public func createUpload(_ u: S3Upload) throws {
        try db.write { db in
            guard try Int.fetchOne(db, sql: "SELECT 1 FROM buckets WHERE name = ?", arguments: [u.bucket]) != nil else {
                throw S3StoreError.noSuchBucket
            }
            try db.execute(sql: "INSERT INTO uploads (id, bucket, key, body) VALUES (?, ?, ?, ?)",
                           arguments: [u.uploadId, u.bucket, u.key, try Self.encode(u)])
        }
    }

    public func upload(_ id: String) throws -> S3Upload? {
        try db.read { db in
            try Data.fetchOne(db, sql: "SELECT body FROM uploads WHERE id = ?", arguments: [id]).map { try Self.decode(S3Upload.self, $0) }
        }
    }

    /// Uploads of a bucket by key then id, after the (key, id) marker.
    public func uploads(bucket: String, afterKey: String, afterId: String, limit: Int) throws -> [S3Upload] {
        try db.read { db in
            try Data.fetchAll(db, sql: """
                SELECT body FROM uploads WHERE bucket = ? AND (key > ? OR (key = ? AND id > ?)) ORDER BY key, id LIMIT ?
                """, arguments: [bucket, afterKey, afterKey, afterId, limit]).map { try Self.decode(S3Upload.self, $0) }
        }
    }

    /// Records a part (replacing one of the same number); returns the replaced part's file.
    public func putPart(_ p: S3Part) throws -> String? {
        try db.write { db in
            guard try Int.fetchOne(db, sql: "SELECT 1 FROM uploads WHERE id = ?", arguments: [p.uploadId]) != nil else {
                throw S3StoreError.noSuchUpload
            }
            let old = try Data.fetchOne(db, sql: "SELECT body FROM parts WHERE upload = ? AND number = ?", arguments: [p.uploadId, p.number])
                .map { try Self.decode(S3Part.self, $0) }
            try db.execute(sql: "INSERT OR REPLACE INTO parts (upload, number, body) VALUES (?, ?, ?)",
                           arguments: [p.uploadId, p.number, try Self.encode(p)])
            return old?.blob
        }
    }

    public func parts(uploadId: String) throws -> [S3Part] {
        try db.read { db in
            try Data.fetchAll(db, sql: "SELECT body FROM parts WHERE upload = ? ORDER BY number", arguments: [uploadId])
                .map { try Self.decode(S3Part.self, $0) }
        }
    }

    /// Ends an upload: its rows go; with `object`, that becomes the key's latest version (through `putObject`'s rules).
    /// Returns the files no row names any more (every part's, the replaced version's).
    public func finishUpload(_ id: String, object: S3Object?) throws -> [String] {
        try write { db in
            guard try Int.fetchOne(db, sql: "SELECT 1 FROM uploads WHERE id = ?", arguments: [id]) != nil else {
                throw S3StoreError.noSuchUpload
            }
            var freed = try Data.fetchAll(db, sql: "SELECT body FROM parts WHERE upload = ?", arguments: [id])
                .map { try Self.decode(S3Part.self, $0).blob }
            try db.execute(sql: "DELETE FROM parts WHERE upload = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM uploads WHERE id = ?", arguments: [id])
            if let o = object {
                if let old = try Self.object(db, bucket: o.bucket, key: o.key, versionId: o.versionId), let blob = old.blob { freed.append(blob) }
                try db.execute(sql: "UPDATE objects SET latest = 0 WHERE bucket = ? AND key = ? AND latest = 1", arguments: [o.bucket, o.key])
                try db.execute(sql: """
                    INSERT OR REPLACE INTO objects (bucket, key, version, seq, latest, marker, body) VALUES (?, ?, ?, ?, 1, 0, ?)
                    """, arguments: [o.bucket, o.key, o.versionId, sequence.next(), try Self.encode(o)])
                latest.set(LatestObjectCache.Key(bucket: o.bucket, key: o.key), o)
            }
            return freed
        }
    }

    // MARK: files

    /// Every file a row names (object versions and parts), for sweeping what a crash left unreferenced.
    public func referencedBlobs() throws -> Set<String> {
        try db.read { db in
            var names = Set<String>()
            for d in try Data.fetchAll(db, sql: "SELECT body FROM objects") {
                if let b = try Self.decode(S3Object.self, d).blob { names.insert(b) }
            }
            for d in try Data.fetchAll(db, sql: "SELECT body FROM parts") { names.insert(try Self.decode(S3Part.self, d).blob) }
            return names
        }
    }
}

/// A counter that only grows, shared by the store's writers.
private final class VersionSequence: Sendable {
    private let value: Atomic<Int64>

    init(start: Int64) { value = Atomic(start) }

    func next() -> Int64 { value.add(1, ordering: .relaxed).newValue }
}
