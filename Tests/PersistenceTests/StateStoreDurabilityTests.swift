import CloudModel
import ControlPlane
import Foundation
import GRDB
import Synchronization
@testable import Persistence
import Testing

/// The control plane's StateStore over a real SQLite file: what a write commits survives a restart,
/// and a write that fails changes neither memory nor disk.
@Suite struct StateStoreDurabilityTests {
    struct Refused: Error {}

    /// Counts observer callbacks, which run on the writer's thread.
    final class Counter: Sendable {
        let value = Mutex(0)
        func increment() { value.withLock { $0 += 1 } }
        var count: Int { value.withLock { $0 } }
    }

    static func vpc(_ id: String, _ cidr: String = "10.0.0.0/16", tags: [CloudModel.Tag] = []) -> Vpc {
        Vpc(id: id, cidrBlock: IPv4CIDR(cidr)!, cidrAssociationId: "vpc-cidr-assoc-\(id)", instanceTenancy: "default",
            isDefault: false, dhcpOptionsId: "dopt-1", ownerId: "123456789012", tags: tags,
            createdAt: Date(timeIntervalSince1970: 1_750_000_000))
    }

    static func subnet(_ id: String, vpc: String) -> Subnet {
        Subnet(id: id, vpcId: vpc, cidrBlock: IPv4CIDR("10.0.1.0/24")!, availabilityZone: "us-east-1a",
               availabilityZoneId: "use1-az1", mapPublicIpOnLaunch: false, ownerId: "123456789012", tags: [],
               createdAt: Date(timeIntervalSince1970: 1_750_000_000))
    }

    static func open(_ dir: String) throws -> (SQLiteRecordStore, StateStore) {
        let sqlite = try SQLiteRecordStore(directory: dir)
        return (sqlite, try StateStore(durable: sqlite, clock: ManualTimeSource()))
    }

    @Test func committedWritesSurviveARestart() throws {
        try withTemporaryDirectory { dir in
            do {
                let (sqlite, store) = try Self.open(dir)
                try store.write { tx in
                    tx.put(Self.vpc("vpc-1", tags: [CloudModel.Tag(key: "Name", value: "main")]))
                    tx.put(Self.subnet("subnet-1", vpc: "vpc-1"))
                }
                try store.write { tx in tx.update(Vpc.self, "vpc-1") { $0.tags.append(CloudModel.Tag(key: "env", value: "test")) } }
                try store.write { tx in
                    tx.put(Self.vpc("vpc-2", "10.1.0.0/16"))
                    tx.delete(Subnet.self, "subnet-1")
                }
                try sqlite.close()
            }
            let (_, reopened) = try Self.open(dir)
            let state = reopened.snapshot()
            #expect(state.vpcs == ["vpc-1": Self.vpc("vpc-1", tags: [CloudModel.Tag(key: "Name", value: "main"), CloudModel.Tag(key: "env", value: "test")]),
                                   "vpc-2": Self.vpc("vpc-2", "10.1.0.0/16")])
            #expect(state.subnets.isEmpty)
        }
    }

    @Test func throwingInsideWriteLeavesMemoryAndDiskUnchanged() throws {
        try withTemporaryDirectory { dir in
            let (sqlite, store) = try Self.open(dir)
            try store.write { tx in tx.put(Self.vpc("vpc-1")) }
            let rowsBefore = try rows(sqlite)

            #expect(throws: Refused.self) {
                try store.write { tx in
                    tx.put(Self.vpc("vpc-2"))
                    tx.delete(Vpc.self, "vpc-1")
                    throw Refused()
                }
            }
            #expect(store.snapshot().vpcs == ["vpc-1": Self.vpc("vpc-1")])
            #expect(try rows(sqlite) == rowsBefore)
            try sqlite.close()
            let (_, reopened) = try Self.open(dir)
            #expect(reopened.snapshot().vpcs == ["vpc-1": Self.vpc("vpc-1")])
        }
    }

    /// Another connection holding the write lock makes the commit itself fail (`database is locked`):
    /// the draft must not be published, and the store must work again once the lock is gone.
    @Test func failedDiskCommitIsNotPublished() throws {
        try withTemporaryDirectory { dir in
            let (sqlite, store) = try Self.open(dir)
            try store.write { tx in tx.put(Self.vpc("vpc-1")) }
            let notified = Counter()
            store.observe { _ in notified.increment() }

            let other = try DatabaseQueue(path: sqlite.path)
            try other.inTransaction(.exclusive) { _ in
                #expect(throws: DatabaseError.self) {
                    try store.write { tx in
                        tx.put(Self.vpc("vpc-2"))
                        tx.delete(Vpc.self, "vpc-1")
                    }
                }
                return .rollback
            }
            try other.close()
            #expect(store.snapshot().vpcs == ["vpc-1": Self.vpc("vpc-1")])
            #expect(try rows(sqlite).count == 1)
            #expect(notified.count == 0)

            try store.write { tx in tx.put(Self.vpc("vpc-3")) }
            #expect(Set(store.snapshot().vpcs.keys) == ["vpc-1", "vpc-3"])
            #expect(try rows(sqlite).count == 2)
            #expect(notified.count == 1)
        }
    }

    @Test func manyRecordsThroughTheStateStore() throws {
        try withTemporaryDirectory { dir in
            do {
                let (sqlite, store) = try Self.open(dir)
                try store.write { tx in
                    for i in 0..<2000 { tx.put(Self.vpc("vpc-\(i)")) }
                }
                for i in 0..<50 {
                    try store.write { tx in tx.put(Self.subnet("subnet-\(i)", vpc: "vpc-\(i)")) }
                }
                try sqlite.close()
            }
            let (_, reopened) = try Self.open(dir)
            #expect(reopened.snapshot().vpcs.count == 2000)
            #expect(reopened.snapshot().subnets.count == 50)
            #expect(reopened.snapshot().subnets["subnet-49"]?.vpcId == "vpc-49")
        }
    }

    @Test func unknownKindOnDiskIsReportedNotDropped() throws {
        try withTemporaryDirectory { dir in
            let sqlite = try SQLiteRecordStore(directory: dir)
            try sqlite.commit([put("ec2.from-the-future", "x-1", "{}")])
            #expect(throws: StateLoadError.unknownKind("ec2.from-the-future")) {
                _ = try StateStore(durable: sqlite, clock: ManualTimeSource())
            }
        }
    }
}
