import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Work inside network namespaces on dedicated threads. `setns` changes only the calling thread, so these
/// threads are created for the purpose (never Swift concurrency or Dispatch threads) and always go home after.
enum NamespaceThreads {
    static let netnsDirectory = "/run/netns"
    static let cloneNewNet: Int32 = 0x4000_0000

    /// glibc's `setns`, looked up at run time because Swift's Glibc module hides GNU extensions.
    private static let setnsFunction: @convention(c) (Int32, Int32) -> Int32 = {
        guard let p = dlsym(nil, "setns") else { fatalError("glibc without setns") }
        return unsafeBitCast(p, to: (@convention(c) (Int32, Int32) -> Int32).self)
    }()

    /// Runs `body` on the calling thread while it is inside namespace `name`, then returns the thread to the
    /// namespace it was in. Only for the fabric's own threads.
    static func inNamespace<T>(_ name: String, _ body: () throws -> T) throws -> T {
        #if os(Linux)
        let home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)
        guard home >= 0 else { throw FabricError.commandFailed(command: "open own netns", status: errno, stderr: "") }
        defer { close(home) }
        let target = open(netnsDirectory + "/" + name, O_RDONLY | O_CLOEXEC)
        guard target >= 0 else {
            throw FabricError.commandFailed(command: "open netns \(name)", status: errno, stderr: String(cString: strerror(errno)))
        }
        defer { close(target) }
        guard setnsFunction(target, cloneNewNet) == 0 else {
            throw FabricError.commandFailed(command: "setns \(name)", status: errno, stderr: String(cString: strerror(errno)))
        }
        defer {
            // A thread stuck in a foreign namespace would poison everything it runs later: die loudly instead.
            if setnsFunction(home, cloneNewNet) != 0 { fatalError("cannot return to the home network namespace") }
        }
        return try body()
        #else
        throw FabricError.noCapability
        #endif
    }

    /// Writes sysctls of the current thread's namespace (paths under /proc/sys). Missing keys (IPv6 compiled
    /// out) are skipped.
    static func writeSysctls(_ sysctls: [(key: String, value: String)]) throws {
        for (key, value) in sysctls {
            let path = "/proc/sys/" + key
            guard let h = FileHandle(forWritingAtPath: path) else { continue }
            defer { try? h.close() }
            try h.write(contentsOf: Data(value.utf8))
        }
    }

    /// Maps `items` with up to `width` dedicated threads at once; results keep the input order.
    static func parallelMap<T: Sendable, R: Sendable>(_ items: [T], width: Int = 8, _ f: @escaping @Sendable (T) -> R) -> [R] {
        if items.isEmpty { return [] }
        if items.count == 1 { return [f(items[0])] }
        let box = ResultBox<R>(count: items.count)
        let threads = min(width, items.count)
        let done = DispatchSemaphore(value: 0)
        for _ in 0..<threads {
            let t = Thread {
                while let i = box.nextIndex() { box.set(i, f(items[i])) }
                done.signal()
            }
            t.stackSize = 1 << 20
            t.start()
        }
        for _ in 0..<threads { done.wait() }
        return box.results()
    }

    private final class ResultBox<R>: @unchecked Sendable {
        private let lock = NSLock()
        private var next = 0
        private var values: [R?]
        init(count: Int) { values = Array(repeating: nil, count: count) }
        func nextIndex() -> Int? {
            lock.lock(); defer { lock.unlock() }
            guard next < values.count else { return nil }
            next += 1
            return next - 1
        }
        func set(_ i: Int, _ v: R) { lock.lock(); values[i] = v; lock.unlock() }
        func results() -> [R] { lock.lock(); defer { lock.unlock() }; return values.map { $0! } }
    }
}

/// A dedicated thread running submitted jobs one at a time: the fabric's single writer, so reconcile, attach and
/// detach never interleave, and blocking subprocess waits never occupy a Swift concurrency thread.
final class SerialThread: @unchecked Sendable {
    private let cond = NSCondition()
    private var jobs: [@Sendable () -> Void] = []

    init(name: String) {
        // The thread owns the object for the life of the process; fabrics are few and long-lived.
        let t = Thread { self.loop() }
        t.name = name
        t.start()
    }

    private func loop() {
        while true {
            cond.lock()
            while jobs.isEmpty { cond.wait() }
            let job = jobs.removeFirst()
            cond.unlock()
            job()
        }
    }

    private func submit(_ job: @escaping @Sendable () -> Void) {
        cond.lock(); jobs.append(job); cond.signal(); cond.unlock()
    }

    func run<T: Sendable>(_ f: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { c in submit { c.resume(with: Result { try f() }) } }
    }

    /// For callers on their own (non-concurrency) threads, such as the sandbox's environment thread.
    func runBlocking<T: Sendable>(_ f: @escaping @Sendable () throws -> T) throws -> T {
        let box = BlockingBox<T>()
        submit { box.result = Result { try f() }; box.done.signal() }
        box.done.wait()
        return try box.result!.get()
    }

    private final class BlockingBox<T>: @unchecked Sendable {
        var result: Result<T, any Error>?
        let done = DispatchSemaphore(value: 0)
    }
}
