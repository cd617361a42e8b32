import Foundation
import Synchronization

/// Function zips on disk, content-addressed: `<data-dir>/code/<sha256hex>.zip`, written atomically
/// (temp file + rename) so a crash never leaves half a package under a valid name.
public final class FileCodeStore: Sendable {
    public let directory: String
    /// Zips stored by a request whose record is not committed yet (count per SHA-256): never removed as unreferenced.
    private let held = Mutex<[String: Int]>([:])

    public init(dataDir: String) throws {
        directory = (dataDir as NSString).appendingPathComponent("code")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // Temp files of an earlier process that stopped mid-write.
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) where name.contains(".tmp-") {
            try? FileManager.default.removeItem(atPath: (directory as NSString).appendingPathComponent(name))
        }
    }

    public func path(sha256Hex: String) -> String { (directory as NSString).appendingPathComponent(sha256Hex + ".zip") }

    /// Stores the zip and holds it until `release(sha256Hex:)`, so a sweep running before the record that references
    /// it is committed cannot take it away.
    public func put(_ zip: [UInt8], sha256Hex: String) throws {
        held.withLock { $0[sha256Hex, default: 0] += 1 }
        let final = path(sha256Hex: sha256Hex)
        if FileManager.default.fileExists(atPath: final) { return }
        let tmp = final + ".tmp-" + UUID().uuidString
        do {
            try Data(zip).write(to: URL(fileURLWithPath: tmp))
            try FileManager.default.moveItem(atPath: tmp, toPath: final)
        } catch {
            try? FileManager.default.removeItem(atPath: tmp)
            // A concurrent writer stored the same content first: fine.
            if !FileManager.default.fileExists(atPath: final) {
                release(sha256Hex: sha256Hex)
                throw error
            }
        }
    }

    /// Ends the hold `put` took (the referencing record is committed, or the request failed).
    public func release(sha256Hex: String) {
        held.withLock { h in
            let left = h[sha256Hex, default: 1] - 1
            h[sha256Hex] = left > 0 ? left : nil
        }
    }

    public func get(sha256Hex: String) throws -> [UInt8]? {
        guard let d = FileManager.default.contents(atPath: path(sha256Hex: sha256Hex)) else { return nil }
        return Array(d)
    }

    /// Deletes every stored zip whose SHA-256 is not in `referenced()` and not held; returns their SHA-256s.
    /// `referenced` is asked while holds cannot change: a zip put before it is either held or already referenced.
    @discardableResult
    public func removeUnreferenced(_ referenced: () -> Set<String>) -> [String] {
        held.withLock { h in
            let keep = referenced()
            var removed: [String] = []
            for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where name.hasSuffix(".zip") {
                let sha = String(name.dropLast(4))
                guard !sha.contains(".tmp-"), !keep.contains(sha), h[sha] == nil else { continue }
                if unlink(path(sha256Hex: sha)) == 0 { removed.append(sha) }
            }
            return removed
        }
    }
}
