import CSandbox
import Foundation

/// Unpacks a deployment package into a fresh directory, never storing more than a byte budget (Lambda's 250 MB
/// unzipped limit) whatever the archive claims, and never writing outside that directory: names that are absolute or
/// climb with `..` are refused, symbolic links are made last and no entry may lie beneath one.
enum CodeUnpacker {
    /// Lambda's limit on a deployment package's unzipped size (the control plane's `ZipArchive.unzippedLimit`).
    static let unzippedLimit: UInt64 = 262_144_000

    /// Why a package was refused.
    enum Failure: Error, Equatable {
        /// Its content (declared or actually inflated) is larger than the budget.
        case tooLarge
        /// Anything else; the reason is for logs and tests (Lambda answers with one fixed message).
        case invalid(String)
    }

    private enum Kind { case directory, file, symlink }

    private struct Item {
        var entry: ZipDirectory.Entry
        var kind: Kind
        /// The path below the destination, as bytes (names need not be UTF-8), components joined by `/`.
        var path: [UInt8]
        var parents: [[UInt8]]
    }

    /// Unpacks `zipPath` into `directory`, which must exist and be empty. On failure the directory may hold part of
    /// the content: the caller removes it.
    /// Returns the bytes written.
    @discardableResult
    static func unpack(zipPath: String, into directory: String, budget: UInt64 = unzippedLimit) throws(Failure) -> UInt64 {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: zipPath), options: .alwaysMapped) } catch {
            throw .invalid("cannot read \(zipPath): \(error)")
        }
        let outcome: Result<UInt64, Failure> = data.withUnsafeBytes { raw in
            Result { () throws(Failure) in try unpack(raw, into: directory, budget: budget) }
        }
        return try outcome.get()
    }

    private static func unpack(_ raw: UnsafeRawBufferPointer, into directory: String, budget: UInt64) throws(Failure) -> UInt64 {
        let zip: ZipDirectory
        do { zip = try ZipDirectory(raw) } catch { throw .invalid(error.reason) }
        // A package that admits its size is refused before a byte is written.
        var declared: UInt64 = 0
        for e in zip.entries {
            let (sum, overflow) = declared.addingReportingOverflow(e.uncompressedSize)
            if overflow || sum > budget { throw .tooLarge }
            declared = sum
        }
        let items = try plan(zip.entries)
        let root = Array(directory.utf8) + [UInt8(ascii: "/")]
        var made: Set<[UInt8]> = []
        func makeDirectory(_ path: [UInt8]) throws(Failure) {
            guard !made.contains(path) else { return }
            let result = cPath(root + path) { mkdir($0, 0o755) }
            if result != 0 && errno != EEXIST { throw .invalid("mkdir \(String(decoding: path, as: UTF8.self)): errno \(errno)") }
            // Readable by the sandbox's user whatever the server's umask.
            if result == 0 { _ = cPath(root + path) { chmod($0, 0o755) } }
            made.insert(path)
        }
        var used: UInt64 = 0
        // Files and directories first; links only once nothing more is written, so no write can pass through one.
        for item in items where item.kind != .symlink {
            for p in item.parents { try makeDirectory(p) }
            if item.kind == .directory {
                try makeDirectory(item.path)
                continue
            }
            let range: Range<Int>
            do { range = try zip.dataRange(of: item.entry, in: raw) } catch { throw .invalid(error.reason) }
            let fd = cPath(root + item.path) { open($0, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o600) }
            guard fd >= 0 else { throw .invalid("open \(String(decoding: item.path, as: UTF8.self)): errno \(errno)") }
            defer { close(fd) }
            let produced = try extract(item, raw, range, fd: fd, buffer: nil, budgetLeft: budget - used)
            used += produced
            // Regular files keep their permission bits (an executable `bootstrap` stays one), never set-id bits.
            let mode = item.entry.unixMode.map { mode_t($0 & 0o777) } ?? 0o644
            var times = [timespec(tv_sec: item.entry.modified, tv_nsec: 0), timespec(tv_sec: item.entry.modified, tv_nsec: 0)]
            guard fchmod(fd, mode) == 0, futimens(fd, &times) == 0 else { throw .invalid("fchmod: errno \(errno)") }
        }
        for item in items where item.kind == .symlink {
            for p in item.parents { try makeDirectory(p) }
            let range: Range<Int>
            do { range = try zip.dataRange(of: item.entry, in: raw) } catch { throw .invalid(error.reason) }
            guard item.entry.uncompressedSize > 0, item.entry.uncompressedSize < UInt64(PATH_MAX) else {
                throw .invalid("bad link target length")
            }
            var target = [UInt8](repeating: 0, count: Int(item.entry.uncompressedSize) + 1)
            let produced = try target.withUnsafeMutableBufferPointer { p throws(Failure) in
                try extract(item, raw, range, fd: -1, buffer: p.baseAddress!, budgetLeft: budget - used)
            }
            used += produced
            guard !target.dropLast().contains(0) else { throw .invalid("NUL in link target") }
            let result = cPath(root + item.path) { path in cPath(Array(target.dropLast())) { symlink($0, path) } }
            guard result == 0 else { throw .invalid("symlink \(String(decoding: item.path, as: UTF8.self)): errno \(errno)") }
        }
        return used
    }

    /// Runs `body` with `bytes` as a NUL-terminated C string.
    private static func cPath<T>(_ bytes: [UInt8], _ body: (UnsafePointer<CChar>) -> T) -> T {
        (bytes + [0]).withUnsafeBufferPointer { p in p.withMemoryRebound(to: CChar.self) { body($0.baseAddress!) } }
    }

    /// Inflates one entry into `fd` (or `buffer`), checking it yields exactly its declared size and CRC. An entry
    /// that runs past its declared size is counted (not stored) up to the budget, to tell a lie from a bomb.
    private static func extract(_ item: Item, _ raw: UnsafeRawBufferPointer, _ range: Range<Int>, fd: Int32,
                                buffer: UnsafeMutablePointer<UInt8>?, budgetLeft: UInt64) throws(Failure) -> UInt64 {
        let e = item.entry
        guard e.method == 0 || e.method == 8 else { throw .invalid("compression method \(e.method)") }
        var produced: UInt64 = 0
        var crc: UInt32 = 0
        let base = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let r = lv_zip_extract(base + range.lowerBound, range.count, Int32(e.method), fd, buffer, e.uncompressedSize,
                               budgetLeft, &produced, &crc)
        let name = String(decoding: item.path, as: UTF8.self)
        switch r {
        case Int32(LV_ZIP_OK.rawValue): break
        case Int32(LV_ZIP_OVER_LIMIT.rawValue): throw .tooLarge
        case Int32(LV_ZIP_WRITE_FAILED.rawValue): throw .invalid("write \(name): errno \(errno)")
        default: throw .invalid("\(name): corrupt data")
        }
        guard produced == e.uncompressedSize else { throw .invalid("\(name): \(produced) bytes, declared \(e.uncompressedSize)") }
        guard crc == e.crc32 else { throw .invalid("\(name): CRC mismatch") }
        return produced
    }

    /// Checks every name and sorts entries into directories, files and links, before anything is written.
    private static func plan(_ entries: [ZipDirectory.Entry]) throws(Failure) -> [Item] {
        var items: [Item] = []
        items.reserveCapacity(entries.count)
        var links: Set<[UInt8]> = []
        for e in entries {
            if e.encrypted { throw .invalid("encrypted entry") }
            let name = e.name
            guard !name.isEmpty, !name.contains(0) else { throw .invalid("empty name or NUL in name") }
            guard name.first != UInt8(ascii: "/") else { throw .invalid("absolute name") }
            var components: [ArraySlice<UInt8>] = []
            for c in name.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true) {
                if c.elementsEqual([UInt8(ascii: ".")]) { continue }
                if c.elementsEqual([UInt8(ascii: "."), UInt8(ascii: ".")]) { throw .invalid("name with ..") }
                components.append(c)
            }
            if components.isEmpty { continue }
            let type = (e.unixMode ?? 0) & 0o170000
            let kind: Kind = name.last == UInt8(ascii: "/") || type == 0o040000 ? .directory
                : type == 0o120000 ? .symlink : .file
            var parents: [[UInt8]] = []
            var path: [UInt8] = []
            for (i, c) in components.enumerated() {
                if i > 0 { parents.append(path); path.append(UInt8(ascii: "/")) }
                path += c
            }
            if kind == .symlink { links.insert(path) }
            items.append(Item(entry: e, kind: kind, path: path, parents: parents))
        }
        for item in items where item.parents.contains(where: { links.contains($0) }) {
            throw .invalid("\(String(decoding: item.path, as: UTF8.self)) lies beneath a symbolic link")
        }
        return items
    }
}
