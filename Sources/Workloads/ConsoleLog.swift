import Foundation
import Synchronization

/// An instance's console: the last `memoryLimit` bytes in memory (what GetConsoleOutput returns, like EC2's
/// 64 KB) and a file on disk that survives restarts, cut back to that tail when it grows past `fileLimit`.
final class ConsoleLog: Sendable {
    static let memoryLimit = 64 * 1024
    static let fileLimit = 1024 * 1024

    let path: String
    private struct State { var tail = Data(); var fileBytes = 0; var handle: FileHandle? }
    private let state = Mutex(State())

    /// Opens (or creates) the file and starts from its tail, so output from before a restart is kept.
    init(path: String) {
        self.path = path
        let existing = FileManager.default.contents(atPath: path) ?? Data()
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        let handle = FileHandle(forWritingAtPath: path)
        _ = try? handle?.seekToEnd()
        state.withLock {
            $0.tail = existing.suffix(Self.memoryLimit)
            $0.fileBytes = existing.count
            $0.handle = handle
        }
    }

    func append(_ chunk: Data) {
        state.withLock { s in
            if s.handle == nil {
                s.handle = FileHandle(forWritingAtPath: path)
                _ = try? s.handle?.seekToEnd()
            }
            s.tail.append(chunk)
            if s.tail.count > Self.memoryLimit { s.tail = Data(s.tail.suffix(Self.memoryLimit)) }
            s.fileBytes += chunk.count
            if s.fileBytes > Self.fileLimit, let h = s.handle {
                // Keep the file bounded: start it again from the tail the API can still show.
                try? h.truncate(atOffset: 0)
                try? h.write(contentsOf: s.tail)
                s.fileBytes = s.tail.count
            } else {
                try? s.handle?.write(contentsOf: chunk)
            }
        }
    }

    var text: String { state.withLock { String(decoding: $0.tail, as: UTF8.self) } }

    /// Releases the file once nothing writes to it (the script ended); a later `append` opens it again.
    func close() { state.withLock { try? $0.handle?.close(); $0.handle = nil } }
}
