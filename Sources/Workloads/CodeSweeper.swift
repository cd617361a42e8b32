import CloudModel
import ControlPlane
import Foundation
import Logging
import Persistence
import Sandbox

/// Removes deployment packages (`code/<sha>.zip`) and their unpacked copies (`tasks/<sha>/`) once no function version,
/// `$LATEST` included, in any region references their SHA-256: after every committed write (DeleteFunction, UpdateFunctionCode,
/// DeleteFunction of a version) and once a minute for whatever a race left behind.
public final class CodeSweeper: Sendable {
    private let stores: RegionalStores
    private let zips: FileCodeStore
    private let pool: SandboxPool
    private let wake: AsyncStream<Void>
    private let wakeUp: AsyncStream<Void>.Continuation

    public init(stores: RegionalStores, zips: FileCodeStore, pool: SandboxPool) {
        self.stores = stores; self.zips = zips; self.pool = pool
        // One pending wake-up is enough: a sweep reads the newest state, whatever the commits before it were.
        (wake, wakeUp) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        stores.observeAll { [wakeUp] in wakeUp.yield() }
    }

    /// The archive SHA-256s some function version or layer version uses (a deleted layer version's archive stays
    /// while a function references it, as on AWS).
    static func referencedCode(_ s: CloudState) -> Set<String> {
        var out: Set<String> = []
        for c in configs(s) {
            out.insert(c.codeHex)
            for l in c.layers ?? [] { out.insert(l.codeHex) }
        }
        for l in s.lambdaLayerVersions.values { out.insert(l.codeHex) }
        return out
    }

    /// What the sandbox keeps unpacked: each version's code and its ordered set of layers (`FunctionSpec.layersKey`).
    static func referencedDirectories(_ s: CloudState) -> Set<String> {
        var out: Set<String> = []
        for c in configs(s) {
            out.insert(c.codeHex)
            if let key = FunctionSpec.layersKey((c.layers ?? []).map(\.codeHex)) { out.insert(key) }
        }
        return out
    }

    private static func configs(_ s: CloudState) -> [FunctionConfig] {
        s.lambdaFunctions.values.map(\.latest) + s.lambdaVersions.values.map(\.config)
    }

    /// One pass: environments and task directories first (they are made from zips), then the zips.
    func sweep() {
        let stores = self.stores
        pool.removeUnusedCode { Self.referencedDirectories(stores.unionSnapshot()) }
        zips.removeUnreferenced { Self.referencedCode(stores.unionSnapshot()) }
    }

    /// Sweeps at start (leftovers of an earlier run), then on every wake-up; cancel the task to stop.
    public func start() -> Task<Void, Never> {
        let wakeUp = self.wakeUp
        let ticker = Task.detached {
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: 60_000_000_000)
                wakeUp.yield()
            }
        }
        wakeUp.yield()
        return Task.detached { [self] in
            await withTaskCancellationHandler {
                for await _ in wake {
                    sweep()
                    // Bursts of commits (a deployment script) coalesce into one sweep per short pause.
                    try? await Task.sleep(nanoseconds: 50_000_000)
                }
            } onCancel: {
                ticker.cancel()
                wakeUp.finish()
            }
        }
    }
}
