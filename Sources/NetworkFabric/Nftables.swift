import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Loads and reads nftables rulesets inside a namespace. Uses libnftables in-process on a namespace thread when
/// the library is present (no fork/exec per namespace, so 100 ENIs re-render in parallel in well under the budget),
/// and `nsenter … nft -f -` otherwise.
enum Nftables {
    /// Loads a firewall into namespace `ns`: sysctls, then the ruleset as one transaction. Call on a fabric thread.
    static func load(_ fw: Firewall, into ns: String) throws {
        if let lib = NftLibrary.shared {
            try NamespaceThreads.inNamespace(ns) {
                try NamespaceThreads.writeSysctls(fw.sysctls)
                let r = lib.run(fw.ruleset)
                if !r.ok {
                    throw FabricError.commandFailed(command: "nft -f (in \(ns))", status: 1, stderr: r.error + "\n--- input:\n" + fw.ruleset)
                }
            }
        } else {
            let enter = [Subprocess.tool("nsenter"), "--net=\(NamespaceThreads.netnsDirectory)/\(ns)", "--"]
            let writes = fw.sysctls.map { "[ -e /proc/sys/\($0.key) ] && echo \($0.value) > /proc/sys/\($0.key)" }
            if !writes.isEmpty { try Subprocess.check(enter + ["/bin/sh", "-c", writes.joined(separator: "; ") + "; true"]) }
            try Subprocess.check(enter + [Subprocess.tool("nft"), "-f", "-"], stdin: fw.ruleset)
        }
    }

    /// The fingerprint comment of `table` in namespace `ns`, nil when the table does not exist.
    static func fingerprint(table: String, in ns: String) throws -> String? {
        if let lib = NftLibrary.shared {
            return try NamespaceThreads.inNamespace(ns) {
                let r = lib.run("list table \(table)")
                return r.ok ? KernelStateParser.fingerprint(nftListing: r.output) : nil
            }
        }
        let r = try Subprocess.run([Subprocess.tool("nsenter"), "--net=\(NamespaceThreads.netnsDirectory)/\(ns)", "--",
                                    Subprocess.tool("nft"), "list", "table"] + table.split(separator: " ").map(String.init))
        return r.status == 0 ? KernelStateParser.fingerprint(nftListing: r.stdout) : nil
    }
}

/// libnftables, opened at run time so the binary has no link-time dependency on it.
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
    /// Context creation reads global tables in the library; serialise it, run commands in parallel.
    private let lock = NSLock()

    private init?() {
        guard let h = dlopen("libnftables.so.1", RTLD_NOW) else { return nil }
        func sym<F>(_ name: String, _: F.Type) -> F? { dlsym(h, name).map { unsafeBitCast($0, to: F.self) } }
        guard let a = sym("nft_ctx_new", CtxNew.self), let b = sym("nft_ctx_free", CtxFree.self),
              let c = sym("nft_ctx_buffer_output", CtxFlag.self), let d = sym("nft_ctx_buffer_error", CtxFlag.self),
              let e = sym("nft_ctx_get_output_buffer", CtxBuffer.self), let f = sym("nft_ctx_get_error_buffer", CtxBuffer.self),
              let g = sym("nft_run_cmd_from_buffer", RunBuffer.self) else { return nil }
        ctxNew = a; ctxFree = b; bufferOutput = c; bufferError = d; outputBuffer = e; errorBuffer = f; runBuffer = g
    }

    /// Runs nft commands in the calling thread's network namespace.
    func run(_ commands: String) -> (ok: Bool, output: String, error: String) {
        lock.lock()
        let ctx = ctxNew(0)
        lock.unlock()
        guard let ctx else { return (false, "", "nft_ctx_new failed") }
        defer { lock.lock(); ctxFree(ctx); lock.unlock() }
        _ = bufferOutput(ctx)
        _ = bufferError(ctx)
        let rc = commands.withCString { runBuffer(ctx, $0) }
        let out = outputBuffer(ctx).map { String(cString: $0) } ?? ""
        let err = errorBuffer(ctx).map { String(cString: $0) } ?? ""
        return (rc == 0, out, err)
    }
}
