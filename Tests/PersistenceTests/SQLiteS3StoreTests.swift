import CloudModel
import Foundation
import GRDB
import Synchronization
@testable import Persistence
import Testing

private func version(_ key: String, _ id: String, blob: String?, marker: Bool = false, at t: Double = 1) -> S3Object {
    S3Object(bucket: "b", key: key, versionId: id, isDeleteMarker: marker, size: 1, etag: "\"e\"", lastModified: t, blob: blob)
}

@Test func versionsStackAndTheNextNewestBecomesLatest() throws {
    try withTemporaryDirectory { dir in
        let store = try SQLiteS3Store(dataDir: dir)
        #expect(try store.createBucket(S3Bucket(name: "b", region: "us-east-1", owner: "1", created: 0)) == nil)
        #expect(try store.createBucket(S3Bucket(name: "b", region: "us-east-1", owner: "1", created: 0))?.name == "b")
        _ = try store.putObject(version("k", "v1", blob: "f1"), data: nil, check: { #expect($0 == nil) })
        _ = try store.putObject(version("k", "v2", blob: "f2"), data: nil, check: { #expect($0?.versionId == "v1") })
        #expect(try store.object(bucket: "b", key: "k")?.versionId == "v2")
        _ = try store.putObject(version("k", "m", blob: nil, marker: true), data: nil, check: { _ in })
        #expect(try store.latestObjects(bucket: "b", after: "", from: "", limit: 10).isEmpty, "a delete marker hides the key")
        #expect(try store.deleteVersion(bucket: "b", key: "k", versionId: "m")?.isDeleteMarker == true)
        #expect(try store.object(bucket: "b", key: "k")?.versionId == "v2", "the next newest is latest again")
        #expect(try store.versions(bucket: "b", from: "", limit: 10).map(\.versionId) == ["v2", "v1"])
        #expect(try store.deleteBucket("b") == .notEmpty)
        // Replacing a version of the same id hands back the replaced file.
        #expect(try store.putObject(version("k", "v2", blob: "f3"), data: nil, check: { _ in }) == ["f2"])
        #expect(try store.referencedBlobs() == ["f1", "f3"])
    }
}

@Test func aRefusedConditionalWriteChangesNothing() throws {
    struct Refused: Error {}
    try withTemporaryDirectory { dir in
        let store = try SQLiteS3Store(dataDir: dir)
        _ = try store.createBucket(S3Bucket(name: "b", region: "us-east-1", owner: "1", created: 0))
        _ = try store.putObject(version("k", "null", blob: "f1"), data: nil, check: { _ in })
        #expect(throws: Refused.self) { try store.putObject(version("k", "null", blob: "f2"), data: nil, check: { _ in throw Refused() }) }
        #expect(try store.object(bucket: "b", key: "k")?.blob == "f1")
        #expect(throws: S3StoreError.self) { try store.putObject(S3Object(bucket: "none", key: "k", lastModified: 0), data: nil, check: { _ in }) }
    }
}

@Test func bucketsAndObjectsSurviveReopening() throws {
    try withTemporaryDirectory { dir in
        do {
            let store = try SQLiteS3Store(dataDir: dir)
            _ = try store.createBucket(S3Bucket(name: "b", region: "eu-west-1", owner: "1", created: 0))
            try store.updateBucket("b") { $0.versioning = "Enabled" }
            _ = try store.putObject(version("k", "v1", blob: "f1"), data: nil, check: { _ in })
        }
        let again = try SQLiteS3Store(dataDir: dir)
        #expect(try again.bucket("b")?.versioning == "Enabled")
        #expect(try again.bucket("b")?.region == "eu-west-1")
        #expect(try again.object(bucket: "b", key: "k")?.blob == "f1")
    }
}

@Test func concurrentPutsShareCommitsAndARefusalFailsOnlyItsOwnWrite() throws {
    struct Refused: Error {}
    try withTemporaryDirectory { dir in
        let store = try SQLiteS3Store(dataDir: dir)
        _ = try store.createBucket(S3Bucket(name: "b", region: "us-east-1", owner: "1", created: 0))
        let outcomes = Mutex<[Int: Bool]>([:])
        DispatchQueue.concurrentPerform(iterations: 200) { i in
            let refused = i % 10 == 3
            let ok = (try? store.putObject(version("k\(i)", "null", blob: nil), data: Array("body \(i)".utf8),
                                           check: { _ in if refused { throw Refused() } })) != nil
            outcomes.withLock { $0[i] = ok }
        }
        let seen = outcomes.withLock { $0 }
        #expect(seen.count == 200)
        for i in 0..<200 { #expect(seen[i] == (i % 10 != 3), "write \(i)") }
        let again = try SQLiteS3Store(dataDir: dir)
        #expect(try again.latestObjects(bucket: "b", after: "", from: "", limit: 1000).count == 180)
        #expect(try again.objectData(bucket: "b", key: "k42", versionId: "null") == Array("body 42".utf8))
        #expect(try again.objectData(bucket: "b", key: "k43", versionId: "null") == nil, "a refused write left no row")
    }
}

@Test func queuedPutsCompleteInOrderAfterTheirCommitAndSeeTheirOwnWrite() throws {
    struct Refused: Error {}
    try withTemporaryDirectory { dir in
        let store = try SQLiteS3Store(dataDir: dir)
        _ = try store.createBucket(S3Bucket(name: "b", region: "us-east-1", owner: "1", created: 0))
        let completions = Mutex<[(Int, Bool, Bool)]>([])
        let done = DispatchSemaphore(value: 0)
        // Queued from one thread without waiting, as an event loop does: they go into as few transactions as the
        // committer takes them in, and each completion comes after its commit, in the order they were queued.
        for i in 0..<300 {
            let refused = i % 7 == 5
            store.putObject(version("q\(i % 50)", "null", blob: nil), data: Array("v\(i)".utf8),
                            check: { _ in if refused { throw Refused() } }) { result in
                // The key shows this write or one queued after it (a batch publishes all its writes before any
                // completion runs), never an older one.
                let shown = ((try? store.objectData(bucket: "b", key: "q\(i % 50)", versionId: "null")) ?? nil)
                    .flatMap { Int(String(decoding: $0.dropFirst(), as: UTF8.self)) }
                let visible = shown.map { $0 >= i && $0 % 50 == i % 50 } ?? false
                let succeeded: Bool
                if case .success = result { succeeded = true } else { succeeded = false }
                completions.withLock { $0.append((i, succeeded, visible)) }
                done.signal()
            }
        }
        for _ in 0..<300 { done.wait() }
        let seen = completions.withLock { $0 }
        #expect(seen.map(\.0) == Array(0..<300), "completions in queue order")
        for (i, succeeded, visible) in seen {
            #expect(succeeded == (i % 7 != 5), "write \(i)")
            if succeeded { #expect(visible, "write \(i) (or a later one) is readable when it completes") }
        }
        let again = try SQLiteS3Store(dataDir: dir)
        // The last successful write of each key is the one that stands.
        for k in 0..<50 {
            let last = stride(from: 299, through: 0, by: -1).first { $0 % 50 == k && $0 % 7 != 5 }!
            #expect(try again.objectData(bucket: "b", key: "q\(k)", versionId: "null") == Array("v\(last)".utf8))
        }
    }
}

@Test func aQueuedPutToAMissingBucketFailsWithNoSuchBucket() throws {
    try withTemporaryDirectory { dir in
        let store = try SQLiteS3Store(dataDir: dir)
        let outcome = Mutex<Result<[String], any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        store.putObject(version("k", "null", blob: nil), data: [1], check: nil) { result in
            outcome.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        let result = outcome.withLock { $0 }
        guard case .failure(let e)? = result, case S3StoreError.noSuchBucket = e else {
            Issue.record("expected noSuchBucket, got \(String(describing: result))")
            return
        }
    }
}

@Test func handWrittenRecordsDecodeToTheSameObject() throws {
    var plain = S3Object(bucket: "b", key: "k", lastModified: 1_764_768_000.123456)
    plain.etag = "\"d41d8cd98f00b204e9800998ecf8427e\""
    var full = S3Object(bucket: "my.bucket", key: "dir/ünï\"cödé\\\n\t\u{1}/😀 key", versionId: "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY",
                        isDeleteMarker: false, size: 5_368_709_120, etag: "\"abc-12\"", lastModified: 0.000001,
                        headers: ["content-type": "text/plain; charset=\"utf-8\"", "cache-control": "no-cache"],
                        metadata: ["a": "1", "quote\"d": "back\\slash", "ctl": "\u{7}"],
                        checksums: ["CRC32": "AAAAAA==", "SHA256": "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="],
                        tags: [S3Tag(key: "k1", value: "v1"), S3Tag(key: "é", value: "\"")], blob: "ab/cdef")
    full.partsCount = 12
    full.checksumType = "COMPOSITE"
    let marker = S3Object(bucket: "b", key: "gone", versionId: "v", isDeleteMarker: true, lastModified: 1e10 + 0.5)
    for o in [plain, full, marker] {
        let decoded = try JSONDecoder().decode(S3Object.self, from: S3ObjectRecord.encode(o))
        #expect(decoded == o)
        // And it reads as JSONEncoder's own text does (same keys, same nil handling).
        let viaFoundation = try JSONSerialization.jsonObject(with: JSONEncoder().encode(o)) as? NSDictionary
        let viaHand = try JSONSerialization.jsonObject(with: S3ObjectRecord.encode(o)) as? NSDictionary
        #expect(viaHand == viaFoundation)
    }
}

@Test func versionOrderContinuesAcrossReopening() throws {
    try withTemporaryDirectory { dir in
        do {
            let store = try SQLiteS3Store(dataDir: dir)
            _ = try store.createBucket(S3Bucket(name: "b", region: "us-east-1", owner: "1", created: 0))
            _ = try store.putObject(version("k", "v1", blob: nil), data: [1], check: nil)
            _ = try store.putObject(version("k", "v2", blob: nil), data: [2], check: nil)
        }
        let store = try SQLiteS3Store(dataDir: dir)
        _ = try store.putObject(version("k", "v0", blob: nil), data: [3], check: nil)
        #expect(try store.versions(bucket: "b", from: "", limit: 10).map(\.versionId) == ["v0", "v2", "v1"],
                "a version written after reopening is the newest")
        _ = try store.deleteVersion(bucket: "b", key: "k", versionId: "v0")
        #expect(try store.object(bucket: "b", key: "k")?.versionId == "v2")
    }
}

@Test func rowsWrittenBeforeTheRowidTableReadTheSame() throws {
    try withTemporaryDirectory { dir in
        let root = (dir as NSString).appendingPathComponent("s3")
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        do {
            // The file as the previous version left it: objects in the WITHOUT ROWID table.
            let old = try DatabaseQueue(path: (root as NSString).appendingPathComponent("s3.sqlite"))
            try SQLiteS3Store.migrator.migrate(old, upTo: "v2-inline-bytes")
            try old.write { db in
                let b = S3Bucket(name: "b", region: "us-east-1", owner: "1", created: 0)
                try db.execute(sql: "INSERT INTO buckets (name, body) VALUES (?, ?)", arguments: ["b", try JSONEncoder().encode(b)])
                for (seq, id, latest, data) in [(1, "v1", 0, [UInt8]([1])), (2, "v2", 1, [2, 2])] as [(Int, String, Int, [UInt8])] {
                    try db.execute(sql: """
                        INSERT INTO objects (bucket, key, version, seq, latest, marker, body, data) VALUES ('b', 'k', ?, ?, ?, 0, ?, ?)
                        """, arguments: [id, seq, latest, S3ObjectRecord.encode(version("k", id, blob: nil)), Data(data)])
                }
            }
        }
        let store = try SQLiteS3Store(dataDir: dir)
        #expect(try store.object(bucket: "b", key: "k")?.versionId == "v2")
        #expect(try store.versions(bucket: "b", from: "", limit: 10).map(\.versionId) == ["v2", "v1"])
        #expect(try store.objectData(bucket: "b", key: "k", versionId: "v1") == [1])
        _ = try store.putObject(version("k", "v3", blob: nil), data: [3], check: nil)
        #expect(try store.versions(bucket: "b", from: "", limit: 10).map(\.versionId) == ["v3", "v2", "v1"])
    }
}

@Test func aSmallObjectsRowStaysInItsPageAndReplacingItFreesOnlyFiles() throws {
    try withTemporaryDirectory { dir in
        let store = try SQLiteS3Store(dataDir: dir)
        _ = try store.createBucket(S3Bucket(name: "b", region: "us-east-1", owner: "1", created: 0))
        let kib = [UInt8](repeating: 7, count: 1024)
        for i in 0..<50 { _ = try store.putObject(version("k\(i)", "null", blob: nil), data: kib, check: nil) }
        // Rewritten in place: bytes in the row, then a file, then bytes again; only the file is handed back.
        #expect(try store.putObject(version("k0", "null", blob: nil), data: [1], check: nil) == [])
        #expect(try store.putObject(version("k0", "null", blob: "f1"), data: nil, check: nil) == [])
        #expect(try store.putObject(version("k0", "null", blob: nil), data: [2], check: nil) == ["f1"])
        #expect(try store.objectData(bucket: "b", key: "k0", versionId: "null") == [2])
        #expect(try store.versions(bucket: "b", from: "k0", limit: 1).first?.blob == nil)
        // A 1 KiB object's row fits its table page: no overflow page (each would be a second page written per PUT).
        let reader = try DatabaseQueue(path: (dir as NSString).appendingPathComponent("s3/s3.sqlite"))
        let overflow = try reader.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM dbstat WHERE name = 'objects' AND pagetype = 'overflow'")
        }
        #expect(overflow == 0)
    }
}

@Test func aPutQueuedAfterItsBucketWasDeletedFailsWithNoSuchBucket() throws {
    try withTemporaryDirectory { dir in
        let store = try SQLiteS3Store(dataDir: dir)
        _ = try store.createBucket(S3Bucket(name: "b", region: "us-east-1", owner: "1", created: 0))
        #expect(try store.deleteBucket("b") == .deleted)
        #expect(throws: S3StoreError.self) { try store.putObject(version("k", "null", blob: nil), data: [1], check: nil) }
        _ = try store.createBucket(S3Bucket(name: "b", region: "us-east-1", owner: "1", created: 0))
        _ = try store.putObject(version("k", "null", blob: nil), data: [1], check: nil)
        #expect(try store.deleteBucket("b") == .notEmpty)
        #expect(try store.bucket("b") != nil, "a bucket that was not deleted stays")
    }
}
