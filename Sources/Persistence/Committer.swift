import Foundation
import GRDB

/// Group commit on one thread of its own: writes are queued from any thread without blocking it, and the committer
/// takes everything that queued while it was busy into one transaction, so N concurrent writes cost one commit (a
/// write that throws rolls back only itself: the batch then runs again with a savepoint per write). After the commit
/// it runs each write's `publish` in queue order (what must not be seen before the commit: a cache entry), then each
/// completion. A caller that must block (`run`) waits on a semaphore; an event loop hands over a completion instead,
/// so a small PUT costs two thread hops (loop → committer → loop).
final class Committer: Sendable {
    /// One queued write, type-erased: `work` keeps its own result for `publish` and `complete`.
    private struct Job {
        let work: (Database) throws -> Void
        let publish: () -> Void
        let complete: ((any Error)?) -> Void
    }

    /// The queue and the thread's state, shared with the thread (which must not keep the `Committer` alive: its
    /// deinit is what ends the thread).
    private final class Core: @unchecked Sendable {
        // `queue` and `closed` are guarded by `condition`.
        let condition = NSCondition()
        var queue: [Job] = []
        var closed = false
        let db: DatabasePool
        let onFailure: @Sendable () -> Void
        /// The most writes one transaction takes, so one batch's latency stays bounded.
        let batchLimit = 512

        init(db: DatabasePool, onFailure: @escaping @Sendable () -> Void) {
            self.db = db
            self.onFailure = onFailure
        }

        func enqueue(_ job: Job) {
            condition.lock()
            queue.append(job)
            if queue.count == 1 { condition.signal() }
            condition.unlock()
        }

        func loop() {
            while true {
                condition.lock()
                while queue.isEmpty && !closed { condition.wait() }
                if queue.isEmpty {
                    condition.unlock()
                    return
                }
                let n = min(queue.count, batchLimit)
                let batch = Array(queue.prefix(n))
                queue.removeFirst(n)
                condition.unlock()
                commit(batch)
            }
        }

        private func commit(_ batch: [Job]) {
            var failures = [(any Error)?](repeating: nil, count: batch.count)
            do {
                do {
                    // Most batches have no refused write: one pass without a savepoint per write. A refusal rolls
                    // the pass back and the batch runs again with savepoints (writes are repeatable: their checks
                    // read the database, and their results are set anew).
                    try db.write { db in
                        for job in batch {
                            do { try job.work(db) } catch { throw RetryWithSavepoints() }
                        }
                    }
                } catch is RetryWithSavepoints {
                    try commitWithSavepoints(batch, &failures)
                }
                for (i, job) in batch.enumerated() where failures[i] == nil { job.publish() }
            } catch {
                onFailure()
                for i in failures.indices where failures[i] == nil { failures[i] = error }
            }
            for (i, job) in batch.enumerated() { job.complete(failures[i]) }
        }

        private func commitWithSavepoints(_ batch: [Job], _ failures: inout [(any Error)?]) throws {
            var seen = [(any Error)?](repeating: nil, count: batch.count)
            defer { failures = seen }
            try db.write { db in
                for (i, job) in batch.enumerated() {
                    do {
                        try db.inSavepoint {
                            try job.work(db)
                            return .commit
                        }
                    } catch {
                        seen[i] = error
                    }
                }
            }
        }
    }

    /// A write of the first pass failed: run the batch again, each write in its savepoint.
    private struct RetryWithSavepoints: Error {}

    private let core: Core

    /// `onFailure` runs when a whole batch's commit failed (before the writes' completions).
    init(db: DatabasePool, name: String, onFailure: @escaping @Sendable () -> Void) {
        let core = Core(db: db, onFailure: onFailure)
        self.core = core
        let threadName = String(name.prefix(15))
        let thread = Thread {
            // Foundation's `Thread.name` does not reach the kernel here: name it for `top -H` and `perf`.
            try? threadName.write(toFile: "/proc/thread-self/comm", atomically: false, encoding: .utf8)
            core.loop()
        }
        thread.start()
    }

    deinit {
        core.condition.lock()
        core.closed = true
        core.condition.signal()
        core.condition.unlock()
    }

    /// Queues `body` for the next transaction and returns at once. After the commit, `publish` runs with its result
    /// (in queue order, before any completion), then `completion` with the result, or with `body`'s error (its
    /// savepoint rolled back; the others' writes stand) or the commit's. Both run on the committer's thread.
    func submit<T>(_ body: @escaping (Database) throws -> T, publish: @escaping (T) -> Void,
                   completion: @escaping (Result<T, any Error>) -> Void) {
        let box = ResultBox<T>()
        core.enqueue(Job(work: { db in box.value = try body(db) },
                         publish: { if let v = box.value { publish(v) } },
                         complete: { error in
                             if let error { completion(.failure(error)) } else if let v = box.value { completion(.success(v)) }
                             else { completion(.failure(CommitterError.lost)) }
                         }))
    }

    /// `submit`, waiting for the outcome (for callers on threads that may block).
    func run<T>(publish: @escaping (T) -> Void, _ body: @escaping (Database) throws -> T) throws -> T {
        let done = DispatchSemaphore(value: 0)
        let outcome = ResultBox<Result<T, any Error>>()
        submit(body, publish: publish) { result in
            outcome.value = result
            done.signal()
        }
        done.wait()
        guard let result = outcome.value else { throw CommitterError.lost }
        return try result.get()
    }
}

/// A value handed between the committer's thread and a waiting caller; the queue's lock and the semaphore order
/// the accesses.
private final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}

/// A write that finished without a result (cannot happen: every job completes once).
enum CommitterError: Error {
    case lost
}
