import Dispatch
import GRDB
import Synchronization

/// Group commit: writes that arrive while a commit is being synced wait and then go together into the next
/// transaction, one savepoint each, so N concurrent acknowledged writes cost one WAL sync instead of N. One of the
/// waiting threads leads a batch (runs the transaction) and hands the lead to the next waiter, so no caller is kept
/// committing other callers' batches for long. Callers block: they run on S3's storage threads.
final class GroupCommit: Sendable {
    /// A write waiting for its batch.
    private final class Pending: @unchecked Sendable {
        // Written by the leader before it signals `wake`, read by the owner after: the semaphore orders them.
        let work: (Database) throws -> Void
        /// Runs after the commit, in batch order, before anyone is woken (what must not be seen before the commit).
        var published: (() -> Void)?
        var failure: (any Error)?
        var lead = false
        let wake = DispatchSemaphore(value: 0)

        init(_ work: @escaping (Database) throws -> Void) { self.work = work }
    }

    private struct Queue {
        var waiting: [Pending] = []
        var leading = false
    }

    private let queue = Mutex(Queue())
    /// The most writes one transaction takes, so a batch's latency stays bounded.
    private let batchLimit = 256

    /// Runs `body` in a transaction shared with the writes queued beside it; its error (or the commit's) is thrown
    /// here. `publish` runs once the transaction committed, in the order of the writes (batches run one at a time),
    /// so what it shows (a cache entry) is never ahead of the database nor behind a later write. `onFailure` runs when
    /// a whole batch's commit failed.
    func run<T>(_ db: DatabasePool, onFailure: @escaping @Sendable () -> Void, publish: @escaping (T) -> Void,
                _ body: @escaping (Database) throws -> T) throws -> T {
        nonisolated(unsafe) var result: T?
        let mine = Pending { db in result = try body(db) }
        mine.published = { if let result { publish(result) } }
        let leads = queue.withLock { q -> Bool in
            q.waiting.append(mine)
            if q.leading { return false }
            q.leading = true
            return true
        }
        if !leads {
            mine.wake.wait()
        }
        if mine.lead || leads {
            lead(mine, db, onFailure: onFailure)
        }
        if let failure = mine.failure { throw failure }
        // The leader may have signalled a successor before our own batch ran: wait for it.
        guard let result else { throw GroupCommitError.lost }
        return result
    }

    /// Commits the batch that starts with this thread's own write (the leader's is always first in the queue), then
    /// passes the lead to the next waiter, or drops it when none waits.
    private func lead(_ mine: Pending, _ db: DatabasePool, onFailure: @Sendable () -> Void) {
        let batch = queue.withLock { q -> [Pending] in
            let n = min(q.waiting.count, batchLimit)
            let b = Array(q.waiting.prefix(n))
            q.waiting.removeFirst(n)
            return b
        }
        commit(batch, db, onFailure: onFailure)
        let next = queue.withLock { q -> Pending? in
            guard let first = q.waiting.first else {
                q.leading = false
                return nil
            }
            return first
        }
        for p in batch where p !== mine { p.wake.signal() }
        if let next {
            next.lead = true
            next.wake.signal()
        }
    }

    private func commit(_ batch: [Pending], _ db: DatabasePool, onFailure: @Sendable () -> Void) {
        var ran = [Bool](repeating: false, count: batch.count)
        var committed = false
        defer {
            if committed { for (i, p) in batch.enumerated() where ran[i] { p.published?() } }
        }
        do {
            try db.write { db in
                for (i, p) in batch.enumerated() {
                    do {
                        try db.inSavepoint {
                            try p.work(db)
                            return .commit
                        }
                        ran[i] = true
                    } catch {
                        p.failure = error
                    }
                }
            }
            committed = true
        } catch {
            onFailure()
            for (i, p) in batch.enumerated() where ran[i] { p.failure = error }
        }
    }
}

/// A write that no batch ran (cannot happen while the lead is handed over as above).
enum GroupCommitError: Error {
    case lost
}
