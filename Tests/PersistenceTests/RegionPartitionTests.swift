import CloudModel
import ControlPlane
import Foundation
import GRDB
@testable import Persistence
import Testing

/// Regions as partitions of the one SQLite file: each partition is its own store, IAM is global, and a file from
/// before partitions existed moves to the home region once.
@Suite struct RegionPartitionTests {
    @Test func partitionsAreSeparateStores() throws {
        try withTemporaryDirectory { dir in
            let file = try SQLiteRecordStore(directory: dir)
            try file.partition("us-west-2").commit([put("ec2.vpc", "vpc-1", "{}")])
            try file.partition("eu-west-1").commit([put("ec2.vpc", "vpc-2", "{}")])
            #expect(try file.partition("us-west-2").loadAll().map(\.id) == ["vpc-1"])
            #expect(try file.partition("eu-west-1").loadAll().map(\.id) == ["vpc-2"])
            #expect(try file.partitions() == ["eu-west-1", "us-west-2"])
            // Deleting in one partition leaves the other's row of the same kind alone.
            try file.partition("us-west-2").commit([StoredChange(kind: "ec2.vpc", id: "vpc-2", body: nil)])
            #expect(try file.partition("eu-west-1").loadAll().map(\.id) == ["vpc-2"])
        }
    }

    @Test func theFileItselfWritesIAMGloballyAndTheRestToItsHomeRegion() throws {
        try withTemporaryDirectory { dir in
            let file = try SQLiteRecordStore(directory: dir, homeRegion: "ap-south-1")
            try file.commit([put(IAMRole.kind, "r", "{}"), put("ec2.vpc", "vpc-1", "{}")])
            #expect(try file.partition(SQLiteRecordStore.globalPartition).loadAll().map(\.kind) == [IAMRole.kind])
            #expect(try file.partition("ap-south-1").loadAll().map(\.kind) == ["ec2.vpc"])
        }
    }

    @Test func aFileFromBeforeRegionsMovesToTheHomeRegion() throws {
        try withTemporaryDirectory { dir in
            // A file as the first version wrote it: one table keyed by kind and id.
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let old = try DatabaseQueue(path: dir + "/state.sqlite")
            var v1 = DatabaseMigrator()
            v1.registerMigration("v1-records") { db in
                try db.execute(sql: "CREATE TABLE records (kind TEXT NOT NULL, id TEXT NOT NULL, body BLOB NOT NULL, PRIMARY KEY (kind, id)) WITHOUT ROWID")
            }
            try v1.migrate(old)
            try old.write { db in
                for (kind, id) in [("ec2.vpc", "vpc-1"), (IAMUser.kind, "alice"), (IAMRole.kind, "r"), ("lambda.function", "f")] {
                    try db.execute(sql: "INSERT INTO records VALUES (?, ?, ?)", arguments: [kind, id, Data("{}".utf8)])
                }
            }
            try old.close()
            let file = try SQLiteRecordStore(directory: dir, homeRegion: "eu-west-3")
            #expect(try file.appliedMigrations() == ["v1-records", "v2-partitions"])
            #expect(try file.partitions() == ["eu-west-3", "global"])
            #expect(try file.partition("eu-west-3").loadAll().map(\.id).sorted() == ["f", "vpc-1"])
            #expect(try file.partition("global").loadAll().map(\.id).sorted() == ["alice", "r"])
            // Opened again with another home region, nothing moves.
            try file.close()
            let again = try SQLiteRecordStore(directory: dir, homeRegion: "us-east-1")
            #expect(try again.partitions() == ["eu-west-3", "global"])
        }
    }

    @Test func regionalStoresOpenEachRegionOnceAndSeeAllTogether() throws {
        try withTemporaryDirectory { dir in
            let file = try SQLiteRecordStore(directory: dir)
            let clock = ManualTimeSource()
            let stores = RegionalStores(global: try StateStore(durable: file.partition("global"), clock: clock)) {
                try StateStore(durable: file.partition($0), clock: clock)
            }
            let east = try stores.store("us-east-1"), west = try stores.store("us-west-2")
            #expect(try stores.store("us-east-1") === east)
            let writes = Counter()
            stores.observeAll { writes.add() }
            try east.write { $0.put(KeyPair.sample("east")) }
            try west.write { $0.put(KeyPair.sample("west")) }
            try stores.store("eu-west-1").write { $0.put(KeyPair.sample("later")) }
            #expect(writes.value == 3)
            #expect(east.snapshot().keyPairs.keys.sorted() == ["east"])
            #expect(stores.unionSnapshot().keyPairs.keys.sorted() == ["east", "later", "west"])
            #expect(stores.regions == ["eu-west-1", "us-east-1", "us-west-2"])
        }
    }
}

/// Counts callbacks from any thread.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func add() { lock.lock(); n += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return n }
}

extension KeyPair {
    static func sample(_ id: String) -> KeyPair {
        KeyPair(id: id, name: id, keyType: "rsa", fingerprint: "f", publicKey: "k", createdAt: Date(timeIntervalSince1970: 0), tags: [])
    }
}
