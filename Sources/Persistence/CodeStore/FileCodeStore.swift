import Foundation

/// Function zips on disk, content-addressed: `<data-dir>/code/<sha256hex>.zip`, written atomically
/// (temp file + rename) so a crash never leaves half a package under a valid name.
public final class FileCodeStore: Sendable {
    public let directory: String

    public init(dataDir: String) throws {
        directory = (dataDir as NSString).appendingPathComponent("code")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    public func path(sha256Hex: String) -> String { (directory as NSString).appendingPathComponent(sha256Hex + ".zip") }

    public func put(_ zip: [UInt8], sha256Hex: String) throws {
        let final = path(sha256Hex: sha256Hex)
        if FileManager.default.fileExists(atPath: final) { return }
        let tmp = final + ".tmp-" + UUID().uuidString
        try Data(zip).write(to: URL(fileURLWithPath: tmp))
        do { try FileManager.default.moveItem(atPath: tmp, toPath: final) } catch {
            try? FileManager.default.removeItem(atPath: tmp)
            // A concurrent writer stored the same content first: fine.
            if !FileManager.default.fileExists(atPath: final) { throw error }
        }
    }

    public func get(sha256Hex: String) throws -> [UInt8]? {
        guard let d = FileManager.default.contents(atPath: path(sha256Hex: sha256Hex)) else { return nil }
        return Array(d)
    }
}
