import Foundation

/// Unpacked deployment packages, one directory per code SHA-256 (`<dataDir>/tasks/<sha>/`), unpacked once and shared
/// by every environment of every function with that code. `unzip` keeps the executable bits (`bootstrap`).
actor CodeStore {
    private let root: String
    private var inFlight: [String: Task<String, any Error>] = [:]

    init(dataDir: String) {
        root = dataDir + "/tasks"
        try? FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    /// The task root for this code, unpacking it first if needed.
    func taskRoot(zipPath: String, sha256: String) async throws -> String {
        let safe = sha256.map { $0.isLetter || $0.isNumber ? $0 : "_" }
        let dir = root + "/" + String(safe)
        if FileManager.default.fileExists(atPath: dir) { return dir }
        if let running = inFlight[dir] { return try await running.value }
        let task = Task { try await Self.unpack(zipPath: zipPath, into: dir) }
        inFlight[dir] = task
        defer { inFlight[dir] = nil }
        return try await task.value
    }

    private static func unpack(zipPath: String, into dir: String) async throws -> String {
        let staging = dir + ".tmp-" + RandomHex.make(8)
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/unzip")
            process.arguments = ["-q", "-o", zipPath, "-d", staging]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        // unzip: 1 = warnings only (e.g. an empty archive), still usable.
        guard status == 0 || status == 1 else {
            try? FileManager.default.removeItem(atPath: staging)
            throw SandboxError.invalidCode("Could not unzip uploaded file. Please check your file, then try to upload again.")
        }
        // Atomic publish: a crash mid-unpack leaves only a staging directory, never a half-filled task root.
        if rename(staging, dir) != 0 { try? FileManager.default.removeItem(atPath: staging) }
        return dir
    }
}
