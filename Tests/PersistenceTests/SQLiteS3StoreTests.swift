import CloudModel
import Foundation
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
