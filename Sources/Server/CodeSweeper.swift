import CloudModel
import ControlPlane
import Foundation
import Logging
import Persistence
import Sandbox

/// Removes deployment packages (`code/<sha>.zip`) and their unpacked copies (`tasks/<sha>/`) once no function version,
/// `$LATEST` included, references their SHA-256: after every committed write (DeleteFunction, UpdateFunctionCode,
/// DeleteFunction of a version) and once a minute for whatever a race left behind.
final class CodeSweeper: Sendable {
    private let store: StateStore
    private let zips: FileCodeStore
    private let pool: SandboxPool
    private let wake: AsyncStream<Void>
    private let wakeUp: AsyncStream<Void>.Continuation

    init(store: StateStore, zips: FileCodeStore, pool: SandboxPool) {
        self.store = store; self.zips = zips; self.pool = pool
        // One pending wake-up is enough: a sweep reads the newest state, whatever the commits before it were.
        (wake, wakeUp) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        store.observe { [wakeUp] _ in wakeUp.yield() }
    }

    /// The code SHA-256s some function version uses.
    static func referencedCode(_ s: CloudState) -> Set<String> {
        var out = Set(s.lambdaFunctions.values.map(\.latest.codeHex))
        for v in s.lambdaVersions.values { out.insert(v.config.codeHex) }
        return out
    }

    /// One pass: environments and task directories first (they are made from zips), then the zips.
    func sweep() {
        let store = self.store
        pool.removeUnusedCode { Self.referencedCode(store.snapshot()) }
        zips.removeUnreferenced { Self.referencedCode(store.snapshot()) }
    }

    /// Sweeps at start (leftovers of an earlier run), then on every wake-up; cancel the task to stop.
    func start() -> Task<Void, Never> {
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
