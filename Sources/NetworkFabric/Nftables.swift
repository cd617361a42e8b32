import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Loads and reads nftables rulesets inside a namespace. Uses libnftables in-process on a namespace thread when
/// the library is present (no fork/exec per namespace, and one long-lived context per namespace, see
/// `NftLibrary`), and `nsenter … nft -f -` otherwise.
enum Nftables {
    /// Loads a firewall into namespace `ns`: sysctls, then the ruleset as one transaction. With the firewall this
    /// process loaded there before (`previous`), only the difference is applied; should that fail (the kernel
    /// changed behind the fabric's back), the full replacement follows. Call on a fabric thread.
    static func load(_ fw: Firewall, into ns: String, replacing previous: Firewall? = nil) throws {
        let sysctls = previous.map { Self.sameSysctls($0.sysctls, fw.sysctls) } == true ? [] : fw.sysctls
        let update = previous.flatMap { fw.update(from: $0) }
        if update == "" && sysctls.isEmpty { return }
        if let lib = NftLibrary.shared {
            try NamespaceThreads.inNamespace(ns) {
                try NamespaceThreads.writeSysctls(sysctls)
                if let update, update.isEmpty || lib.run(update, namespace: ns).ok { return }
                let r = lib.run(fw.ruleset, namespace: ns)
                if !r.ok {
                    throw FabricError.commandFailed(command: "nft -f (in \(ns))", status: 1, stderr: r.error + "\n--- input:\n" + fw.ruleset)
                }
            }
        } else {
            let enter = [Subprocess.tool("nsenter"), "--net=\(NamespaceThreads.netnsDirectory)/\(ns)", "--"]
            let writes = sysctls.map { "[ -e /proc/sys/\($0.key) ] && echo \($0.value) > /proc/sys/\($0.key)" }
            if !writes.isEmpty { try Subprocess.check(enter + ["/bin/sh", "-c", writes.joined(separator: "; ") + "; true"]) }
            if let update {
                if update.isEmpty { return }
                if (try? Subprocess.check(enter + [Subprocess.tool("nft"), "-f", "-"], stdin: update)) != nil { return }
            }
            try Subprocess.check(enter + [Subprocess.tool("nft"), "-f", "-"], stdin: fw.ruleset)
        }
    }

    static func sameSysctls(_ a: [(key: String, value: String)], _ b: [(key: String, value: String)]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }

    /// The fingerprint comment of `table` in namespace `ns`, nil when the table does not exist.
    static func fingerprint(table: String, in ns: String) throws -> String? {
        if let lib = NftLibrary.shared {
            return try NamespaceThreads.inNamespace(ns) {
                let r = lib.run("list table \(table)", namespace: ns)
                return r.ok ? KernelStateParser.fingerprint(nftListing: r.output) : nil
            }
        }
        let r = try Subprocess.run([Subprocess.tool("nsenter"), "--net=\(NamespaceThreads.netnsDirectory)/\(ns)", "--",
                                    Subprocess.tool("nft"), "list", "table"] + table.split(separator: " ").map(String.init))
        return r.status == 0 ? KernelStateParser.fingerprint(nftListing: r.stdout) : nil
    }
}

/// libnftables, opened at run time so the binary has no link-time dependency on it.
///
/// Each namespace keeps one context (and so one netlink socket) for as long as it exists. Closing a netlink
/// socket after a transaction that deleted anything waits in the kernel for the deferred destruction of the
/// deleted objects (an RCU grace period, 5-20 ms); a context per call paid that on every re-render. A kept
/// context closes only when its namespace goes, on a reaper thread off the critical path.
final class NftLibrary: @unchecked Sendable {
    typealias CtxNew = @convention(c) (UInt32) -> OpaquePointer?
    typealias CtxFree = @convention(c) (OpaquePointer?) -> Void
    typealias CtxFlag = @convention(c) (OpaquePointer?) -> Int32
    typealias CtxBuffer = @convention(c) (OpaquePointer?) -> UnsafePointer<CChar>?
    typealias RunBuffer = @convention(c) (OpaquePointer?, UnsafePointer<CChar>?) -> Int32

    static let shared: NftLibrary? = {
        if ProcessInfo.processInfo.environment["LAMBDA_VPC_NFT_SUBPROCESS"] == "1" { return nil }
        return NftLibrary()
    }()

    private let ctxNew: CtxNew, ctxFree: CtxFree, bufferOutput: CtxFlag, bufferError: CtxFlag
    private let outputBuffer: CtxBuffer, errorBuffer: CtxBuffer, runBuffer: RunBuffer
    /// Guards the library's process-wide state: context creation and destruction, and its interface-name cache
    /// (one global list, filled from whichever namespace asks first), which only `iif`/`oif` by name touch.
    private let lock = NSLock()
    /// Guards `sessions`.
    private let sessionsLock = NSLock()
    private var sessions: [String: Session] = [:]
    private let reaper = SerialThread(name: "lv-nft-reaper")

    /// One namespace's context. `netns` is the inode of the namespace it was opened in: a namespace deleted and
    /// made again under the same name gets a new context instead of silently writing into the old one.
    private final class Session: @unchecked Sendable {
        let ctx: OpaquePointer
        let netns: UInt64
        let lock = NSLock()
        init(ctx: OpaquePointer, netns: UInt64) { self.ctx = ctx; self.netns = netns }
    }

    private init?() {
        guard let h = dlopen("libnftables.so.1", RTLD_NOW) else { return nil }
        func sym<F>(_ name: String, _: F.Type) -> F? { dlsym(h, name).map { unsafeBitCast($0, to: F.self) } }
        guard let a = sym("nft_ctx_new", CtxNew.self), let b = sym("nft_ctx_free", CtxFree.self),
              let c = sym("nft_ctx_buffer_output", CtxFlag.self), let d = sym("nft_ctx_buffer_error", CtxFlag.self),
              let e = sym("nft_ctx_get_output_buffer", CtxBuffer.self), let f = sym("nft_ctx_get_error_buffer", CtxBuffer.self),
              let g = sym("nft_run_cmd_from_buffer", RunBuffer.self) else { return nil }
        ctxNew = a; ctxFree = b; bufferOutput = c; bufferError = d; outputBuffer = e; errorBuffer = f; runBuffer = g
    }

    /// Runs nft commands in the calling thread's network namespace, which must be the namespace named `namespace`
    /// (the thread entered it with `NamespaceThreads.inNamespace`).
    func run(_ commands: String, namespace: String) -> (ok: Bool, output: String, error: String) {
        guard let netns = Self.currentNetns() else { return (false, "", "cannot identify the current network namespace") }
        guard let session = session(namespace, netns: netns) else { return (false, "", "nft_ctx_new failed") }
        session.lock.lock(); defer { session.lock.unlock() }
        // Interface names resolved to indexes go through the library's global cache: serialise those commands.
        let touchesGlobalCache = Self.mentionsInterfaceIndex(commands)
        if touchesGlobalCache { lock.lock() }
        defer { if touchesGlobalCache { lock.unlock() } }
        let rc = commands.withCString { runBuffer(session.ctx, $0) }
        let out = outputBuffer(session.ctx).map { String(cString: $0) } ?? ""
        let err = errorBuffer(session.ctx).map { String(cString: $0) } ?? ""
        return (rc == 0, out, err)
    }

    /// Closes the context of a namespace the fabric deleted (on the reaper thread: the close may wait a grace
    /// period). Harmless for a namespace that never had one.
    func forget(namespace: String) {
        sessionsLock.lock()
        let s = sessions.removeValue(forKey: namespace)
        sessionsLock.unlock()
        if let s { close(s) }
    }

    /// Closes the contexts of namespaces that no longer exist (deleted behind the fabric's back): a context
    /// holds its namespace alive.
    func forget(allBut existing: Set<String>) {
        sessionsLock.lock()
        let gone = sessions.keys.filter { !existing.contains($0) }
        sessionsLock.unlock()
        for ns in gone { forget(namespace: ns) }
    }

    private func session(_ namespace: String, netns: UInt64) -> Session? {
        sessionsLock.lock()
        let existing = sessions[namespace]
        sessionsLock.unlock()
        if let existing {
            if existing.netns == netns { return existing }
            forget(namespace: namespace)
        }
        lock.lock()
        let ctx = ctxNew(0)
        lock.unlock()
        guard let ctx else { return nil }
        _ = bufferOutput(ctx)
        _ = bufferError(ctx)
        let s = Session(ctx: ctx, netns: netns)
        sessionsLock.lock(); sessions[namespace] = s; sessionsLock.unlock()
        return s
    }

    private func close(_ s: Session) {
        reaper.submit { [self] in
            s.lock.lock()
            lock.lock()
            ctxFree(s.ctx)
            lock.unlock()
            s.lock.unlock()
        }
    }

    /// True when the commands may match `iif`/`oif` (interface indexes); a byte scan, as this runs per load.
    static func mentionsInterfaceIndex(_ commands: String) -> Bool {
        var previous: [UInt8] = [0, 0, 0]
        for b in commands.utf8 {
            if b == UInt8(ascii: " "), previous[1] == UInt8(ascii: "i"), previous[2] == UInt8(ascii: "f"),
               previous[0] == UInt8(ascii: "i") || previous[0] == UInt8(ascii: "o") { return true }
            previous[0] = previous[1]; previous[1] = previous[2]; previous[2] = b
        }
        return false
    }

    /// The inode of the calling thread's network namespace.
    static func currentNetns() -> UInt64? {
        var st = stat()
        guard stat("/proc/thread-self/ns/net", &st) == 0 else { return nil }
        return UInt64(st.st_ino)
    }
}
