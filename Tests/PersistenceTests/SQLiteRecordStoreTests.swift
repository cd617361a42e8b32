import CloudModel
import Foundation
@testable import Persistence
import Testing

/// A fresh directory under the system temp dir, removed when the test is done.
func withTemporaryDirectory<T>(_ body: (String) throws -> T) throws -> T {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("persistence-tests-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: dir) }
    return try body(dir)
}

/// Rows as comparable text, in a stable order.
func rows(_ store: SQLiteRecordStore) throws -> [String] {
    try store.loadAll().map { "\($0.kind)|\($0.id)|\(String(decoding: $0.body, as: UTF8.self))" }.sorted()
}

func put(_ kind: String, _ id: String, _ body: String) -> StoredChange {
    StoredChange(kind: kind, id: id, body: Data(body.utf8))
}

@Suite struct SQLiteRecordStoreTests {
    @Test func createsTheFileAndRecordsMigrations() throws {
        try withTemporaryDirectory { dir in
            let store = try SQLiteRecordStore(directory: dir + "/nested/data")
            #expect(store.path == dir + "/nested/data/state.sqlite")
            #expect(FileManager.default.fileExists(atPath: store.path))
            #expect(try store.appliedMigrations() == ["v1-records", "v2-partitions"])
            #expect(try store.loadAll().isEmpty)
        }
    }

    @Test func commitThenLoadRoundTrip() throws {
        try withTemporaryDirectory { dir in
            let store = try SQLiteRecordStore(directory: dir)
            try store.commit([put("ec2.vpc", "vpc-1", #"{"a":1}"#), put("ec2.subnet", "subnet-1", #"{"b":"é"}"#)])
            #expect(try rows(store) == [#"ec2.subnet|subnet-1|{"b":"é"}"#, #"ec2.vpc|vpc-1|{"a":1}"#])
        }
    }

    @Test func sameIdInDifferentKindsAreDifferentRows() throws {
        try withTemporaryDirectory { dir in
            let store = try SQLiteRecordStore(directory: dir)
            try store.commit([put("kind.a", "x", "1"), put("kind.b", "x", "2")])
            #expect(try rows(store) == ["kind.a|x|1", "kind.b|x|2"])
        }
    }

    @Test func laterCommitReplacesTheBody() throws {
        try withTemporaryDirectory { dir in
            let store = try SQLiteRecordStore(directory: dir)
            try store.commit([put("ec2.vpc", "vpc-1", "old")])
            try store.commit([put("ec2.vpc", "vpc-1", "new")])
            #expect(try rows(store) == ["ec2.vpc|vpc-1|new"])
        }
    }

    @Test func deletesRemoveOnlyTheirRow() throws {
        try withTemporaryDirectory { dir in
            let store = try SQLiteRecordStore(directory: dir)
            try store.commit([put("ec2.vpc", "vpc-1", "1"), put("ec2.vpc", "vpc-2", "2")])
            try store.commit([StoredChange(kind: "ec2.vpc", id: "vpc-1", body: nil),
                              StoredChange(kind: "ec2.vpc", id: "vpc-never-existed", body: nil)])
            #expect(try rows(store) == ["ec2.vpc|vpc-2|2"])
        }
    }

    @Test func reopenAfterCloseKeepsDataAndDoesNotRerunMigrations() throws {
        try withTemporaryDirectory { dir in
            let first = try SQLiteRecordStore(directory: dir)
            try first.commit([put("ec2.vpc", "vpc-1", "1"), put("ec2.subnet", "subnet-1", "2")])
            try first.commit([StoredChange(kind: "ec2.subnet", id: "subnet-1", body: nil)])
            try first.close()

            let second = try SQLiteRecordStore(directory: dir)
            #expect(try rows(second) == ["ec2.vpc|vpc-1|1"])
            #expect(try second.appliedMigrations() == ["v1-records", "v2-partitions"])
        }
    }

    @Test func manyRecordsInOneCommitAndManyCommits() throws {
        try withTemporaryDirectory { dir in
            let store = try SQLiteRecordStore(directory: dir)
            try store.commit((0..<5000).map { put("ec2.eni", "eni-\($0)", #"{"n":\#($0)}"#) })
            for batch in 0..<100 {
                try store.commit((0..<10).map { put("ec2.sg", "sg-\(batch)-\($0)", "x") })
            }
            try store.commit((0..<5000).filter { $0 % 2 == 0 }.map { StoredChange(kind: "ec2.eni", id: "eni-\($0)", body: nil) })
            try store.close()

            let reopened = try SQLiteRecordStore(directory: dir)
            let all = try reopened.loadAll()
            #expect(all.count == 2500 + 1000)
            let eni4999 = all.first { $0.kind == "ec2.eni" && $0.id == "eni-4999" }
            #expect(eni4999.map { String(decoding: $0.body, as: UTF8.self) } == #"{"n":4999}"#)
            #expect(!all.contains { $0.id == "eni-4998" })
        }
    }

    @Test func emptyCommitChangesNothing() throws {
        try withTemporaryDirectory { dir in
            let store = try SQLiteRecordStore(directory: dir)
            try store.commit([])
            #expect(try store.loadAll().isEmpty)
        }
    }
}
