import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Object bytes on disk: uploads arrive in `incoming/`, are synced and renamed into `objects/XX/NAME` (XX: the
/// name's first two characters, so no directory grows huge), and are never changed afterwards, which lets a copy be
/// a hard link. A file no row names is removed (after the row's commit, or by the sweep at start).
struct S3Files: Sendable {
    let root: String
    /// Open descriptors of the object directories, kept for their fsyncs (one open saved per PUT).
    private let directories = DirectoryHandles()
    var incoming: String { root + "/incoming" }
    var objects: String { root + "/objects" }

    /// 32 random hex digits, from two 64-bit draws (each draw is a getrandom call).
    func newName() -> String {
        var g = SystemRandomNumberGenerator()
        let hex = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(32)
        for _ in 0..<2 {
            let word: UInt64 = g.next()
            for shift in stride(from: 60, through: 0, by: -4) { out.append(hex[Int((word >> UInt64(shift)) & 0xF)]) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    func incomingPath() -> String { incoming + "/" + newName() }

    func path(_ blob: String) -> String { objects + "/" + blob }

    /// Makes an incoming file an object file: its bytes synced, renamed, the directory synced. Returns its name.
    func adopt(_ incomingFile: String) throws -> String {
        let fd = open(incomingFile, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw S3Errors.internalError }
        let synced = fsync(fd) == 0
        close(fd)
        guard synced else { throw S3Errors.internalError }
        let name = newName()
        let dir = objects + "/" + name.prefix(2)
        if mkdir(dir, 0o755) == 0 { syncDirectory(objects) }
        let blob = name.prefix(2) + "/" + name
        guard rename(incomingFile, path(blob)) == 0 else { throw S3Errors.internalError }
        syncDirectory(dir)
        return blob
    }

    func syncDirectory(_ dir: String) {
        let fd = directories.descriptor(dir)
        if fd >= 0 { _ = fsync(fd) }
    }

    func remove(_ blobs: [String]) {
        for b in blobs where !b.isEmpty && !b.contains("..") { unlink(path(b)) }
    }

    /// A new object file with the same bytes (a hard link: files never change).
    func duplicate(_ blob: String) throws -> String {
        let name = newName()
        let dir = objects + "/" + name.prefix(2)
        if mkdir(dir, 0o755) == 0 { syncDirectory(objects) }
        let target = name.prefix(2) + "/" + name
        guard link(path(blob), path(target)) == 0 else {
            // A file system without hard links: copy the bytes.
            let tmp = incomingPath()
            try copy(from: path(blob), offset: 0, length: nil, appendingTo: tmp)
            return try adopt(tmp)
        }
        syncDirectory(dir)
        return target
    }

    /// Appends `length` bytes (nil: to the end) of `source` from `offset` to `target` (created if absent), through a
    /// 1 MiB buffer: never the whole file in memory.
    func copy(from source: String, offset: Int64, length: Int64?, appendingTo target: String) throws {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw S3Errors.internalError }
        defer { close(input) }
        let output = open(target, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard output >= 0 else { throw S3Errors.internalError }
        defer { close(output) }
        let size = 1 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        defer { buffer.deallocate() }
        var position = offset
        var left = length ?? Int64.max
        while left > 0 {
            let n = pread(input, buffer, Int(min(Int64(size), left)), off_t(position))
            if n < 0 { if errno == EINTR { continue }; throw S3Errors.internalError }
            if n == 0 { break }
            var written = 0
            while written < n {
                let w = write(output, buffer + written, n - written)
                if w < 0 { if errno == EINTR { continue }; throw S3Errors.internalError }
                written += w
            }
            position += Int64(n)
            left -= Int64(n)
        }
    }

    /// Opens an object file for reading; -1 if it is gone.
    func openForReading(_ blob: String) -> Int32 { open(path(blob), O_RDONLY | O_CLOEXEC) }

    /// Removes what a crash left: every incoming file, and object files no row names.
    func sweep(referenced: Set<String>) {
        let fm = FileManager.default
        for f in (try? fm.contentsOfDirectory(atPath: incoming)) ?? [] { unlink(incoming + "/" + f) }
        for d in (try? fm.contentsOfDirectory(atPath: objects)) ?? [] {
            for f in (try? fm.contentsOfDirectory(atPath: objects + "/" + d)) ?? [] where !referenced.contains(d + "/" + f) {
                unlink(objects + "/" + d + "/" + f)
            }
        }
    }
}

/// Directory descriptors opened once and kept for the server's life (at most 257: `objects/` and its subdirectories).
final class DirectoryHandles: Sendable {
    private let fds = Mutex<[String: Int32]>([:])

    func descriptor(_ dir: String) -> Int32 {
        fds.withLock { table in
            if let fd = table[dir] { return fd }
            let fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if fd >= 0 { table[dir] = fd }
            return fd
        }
    }

    deinit { fds.withLock { for fd in $0.values { close(fd) } } }
}
