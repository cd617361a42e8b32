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

    /// Runs `ip -batch -` with `script` inside namespace `name`, spawned from a thread that entered it: the child
    /// inherits the thread's namespace, so `ip` skips `-n`'s own namespace switch (and the mount namespace and
    /// sysfs remount that come with it), and no Foundation `Process` machinery runs. Throws `commandFailed`.
    static func runIpBatch(in name: String, _ script: String) throws {
        try inNamespace(name) {
            let ip = Subprocess.tool("ip")
            var input: [Int32] = [0, 0], errors: [Int32] = [0, 0]
            // A socket for stdin, so writes can carry MSG_NOSIGNAL: the child may exit at its first error.
            // Close-on-exec everywhere: other fabric threads spawn at the same time, and a child holding another
            // child's pipe ends would keep it from ever seeing end-of-file.
            guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &input) == 0 else {
                throw FabricError.commandFailed(command: "socketpair", status: errno, stderr: "")
            }
            guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &errors) == 0 else {
                close(input[0]); close(input[1])
                throw FabricError.commandFailed(command: "pipe", status: errno, stderr: "")
            }
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_adddup2(&actions, input[0], 0)
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_adddup2(&actions, errors[1], 2)
            let args: [String] = [ip, "-batch", "-"]
            let argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
            defer { for a in argv { free(a) } }
            var pid: pid_t = 0
            let rc = posix_spawn(&pid, ip, &actions, nil, argv, environ)
            close(input[0]); close(errors[1])
            guard rc == 0 else {
                close(input[1]); close(errors[0])
                throw FabricError.commandFailed(command: "spawn \(ip)", status: rc, stderr: String(cString: strerror(rc)))
            }
            var bytes = Array(script.utf8)
            bytes.withUnsafeMutableBytes { buf in
                var off = 0
                while off < buf.count {
                    let n = send(input[1], buf.baseAddress! + off, buf.count - off, Int32(MSG_NOSIGNAL))
                    if n > 0 { off += n; continue }
                    if n < 0 && errno == EINTR { continue }
                    break
                }
            }
            close(input[1])
            var err = [UInt8]()
            var chunk = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = read(errors[0], &chunk, chunk.count)
                if n > 0 { err += chunk[0..<n]; continue }
                if n < 0 && errno == EINTR { continue }
                break
            }
            close(errors[0])
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            let exited = status & 0x7f == 0
            let code = exited ? (status >> 8) & 0xff : 128 + (status & 0x7f)
            guard code == 0 else {
                throw FabricError.commandFailed(command: "ip -n \(name) -batch -", status: code,
                                                stderr: String(decoding: err, as: UTF8.self) + "\n--- input:\n" + script)
            }
        }
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

    func submit(_ job: @escaping @Sendable () -> Void) {
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
