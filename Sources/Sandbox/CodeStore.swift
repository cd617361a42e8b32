import Foundation
import Synchronization

/// Unpacked deployment packages, one directory per code SHA-256 (`<dataDir>/tasks/<sha>/`), unpacked once and shared
/// by every environment of every function with that code; a function's layers likewise, merged in their order into one
/// directory per ordered set (`tasks/layers_<sha>_<sha>…`, see `FunctionSpec.layersKey`). Counts the environments using each directory, so code no
/// function references any more is removed only once its last environment is gone (its view is bind-mounted from it).
final class CodeStore: Sendable {
    private let root: String
    private let budget: UInt64

    private struct State {
        var unpacking: [String: Task<Void, any Error>] = [:]
        var users: [String: Int] = [:]
        /// Directories to remove when their last user releases them.
        var doomed: Set<String> = []
        /// Packages found to inflate past the budget: the answer cannot change (same SHA-256, same bytes), so later
        /// cold starts get it without inflating hundreds of megabytes again.
        var tooLarge: Set<String> = []
    }
    private let state = Mutex(State())

    init(dataDir: String, budget: UInt64 = CodeUnpacker.unzippedLimit) {
        root = dataDir + "/tasks"
        self.budget = budget
        try? FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        // Staging and trash directories of an earlier process: nobody else writes here.
        for name in (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [] where Self.isTransient(name) {
            try? FileManager.default.removeItem(atPath: root + "/" + name)
        }
    }

    /// The task root for this code, unpacking it first if needed; the caller holds it until `release`.
    func acquire(zipPath: String, sha256: String) async throws -> String {
        try await acquire(zipPaths: [zipPath], key: sha256)
    }

    /// The directory for `key`, made from `zipPaths` unpacked in order (later ones win) if it is not there yet.
    func acquire(zipPaths: [String], key sha256: String) async throws -> String {
        let name = Self.directoryName(sha256)
        let dir = root + "/" + name
        while true {
            let pending: Task<Void, any Error>? = try state.withLock { s in
                if s.tooLarge.contains(name) { throw SandboxError.unzippedTooLarge }
                if let running = s.unpacking[name] { return running }
                if FileManager.default.fileExists(atPath: dir) {
                    s.users[name, default: 0] += 1
                    s.doomed.remove(name)
                    return nil
                }
                let task = Task { [self] in
                    do {
                        try await Self.unpackOffThread(zipPaths: zipPaths, into: dir, budget: budget)
                        state.withLock { _ = $0.unpacking.removeValue(forKey: name) }
                    } catch {
                        state.withLock { s in
                            s.unpacking[name] = nil
                            if case SandboxError.unzippedTooLarge = error { s.tooLarge.insert(name) }
                        }
                        throw error
                    }
                }
                s.unpacking[name] = task
                return task
            }
            guard let pending else { return dir }
            try await pending.value
        }
    }

    /// Ends one `acquire`; removes the directory if it was doomed and this was its last user.
    func release(sha256: String) {
        let name = Self.directoryName(sha256)
        let remove: Bool = state.withLock { s in
            let left = s.users[name, default: 1] - 1
            s.users[name] = left > 0 ? left : nil
            return left <= 0 && s.doomed.remove(name) != nil
        }
        if remove { trash(name) }
    }

    /// The code SHA-256s unpacked here now.
    func unpacked() -> Set<String> {
        Set(((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).filter { !Self.isTransient($0) })
    }

    /// Removes the directories of `shas` no environment uses; those in use go when their last user releases them.
    /// `keeping`: the code still referenced; what is known of any other is forgotten.
    func remove(_ shas: Set<String>, keeping: Set<String>? = nil) {
        let now: [String] = state.withLock { s in
            if let keeping { s.tooLarge.formIntersection(keeping.map(Self.directoryName)) }
            var out: [String] = []
            for sha in shas {
                let name = Self.directoryName(sha)
                if s.unpacking[name] != nil { continue }
                if s.users[name, default: 0] > 0 { s.doomed.insert(name) } else { out.append(name) }
            }
            return out
        }
        now.forEach(trash)
    }

    /// Renames the directory out of the way (atomic: no `acquire` can find it half removed), then deletes it.
    private func trash(_ name: String) {
        let from = root + "/" + name
        let to = from + ".trash-" + RandomHex.make(8)
        let moved: Bool = state.withLock { s in
            // Acquired again in between (the code is referenced again): keep it.
            guard s.users[name, default: 0] == 0, s.unpacking[name] == nil else { return false }
            return rename(from, to) == 0
        }
        if moved { try? FileManager.default.removeItem(atPath: to) }
    }

    private static func makeStaging(_ dir: String) throws -> String {
        let staging = dir + ".tmp-" + RandomHex.make(8)
        guard mkdir(staging, 0o755) == 0, chmod(staging, 0o755) == 0 else {
            throw SandboxError.environmentStartFailed("cannot create \(staging): errno \(errno)")
        }
        return staging
    }

    @discardableResult
    private static func unpackOne(_ zipPath: String, into dir: String, budget: UInt64) throws -> UInt64 {
        do {
            return try CodeUnpacker.unpack(zipPath: zipPath, into: dir, budget: budget)
        } catch {
            switch error {
            case .tooLarge: throw SandboxError.unzippedTooLarge
            case .invalid: throw SandboxError.invalidCode("Could not unzip uploaded file. Please check your file, then try to upload again.")
            }
        }
    }

    private static func directoryName(_ sha256: String) -> String {
        String(sha256.map { $0.isLetter || $0.isNumber ? $0 : "_" })
    }

    private static func isTransient(_ name: String) -> Bool { name.contains(".tmp-") || name.contains(".trash-") }

    /// Unpacking is seconds of CPU and disk work for a large package: a thread of its own, not the cooperative pool.
    private static func unpackOffThread(zipPaths: [String], into dir: String, budget: UInt64) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try unpack(zipPaths: zipPaths, into: dir, budget: budget) })
            }
        }
    }

    private static func unpack(zipPaths: [String], into dir: String, budget: UInt64) throws {
        let staging = try makeStaging(dir)
        do {
            if zipPaths.count == 1 {
                try unpackOne(zipPaths[0], into: staging, budget: budget)
            } else {
                // Each layer into a fresh directory of its own (the unpacker's guarantees hold there), then merged;
                // the budget is the layers' total.
                var left = budget
                for zip in zipPaths {
                    let part = try makeStaging(dir)
                    defer { try? FileManager.default.removeItem(atPath: part) }
                    left -= try unpackOne(zip, into: part, budget: left)
                    try LayerMerge.merge(from: part, into: staging)
                }
            }
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw error
        }
        // Atomic publish: a crash mid-unpack leaves only a staging directory, never a half-filled task root.
        if rename(staging, dir) != 0 { try? FileManager.default.removeItem(atPath: staging) }
    }
}
