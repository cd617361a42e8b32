import Foundation

/// Merges unpacked layers into one directory in their order, as Lambda extracts a function's layers into `/opt`:
/// a later layer's file replaces an earlier one's at the same path, directories merge. Walks with `lstat` and never
/// follows a link on either side: a link an earlier layer left where a later one has a directory is replaced, so
/// nothing is ever written outside the destination.
enum LayerMerge {
    /// Copies the tree under `source` into `destination` (an existing directory); files are hard-linked when they can be.
    static func merge(from source: String, into destination: String) throws {
        for name in try FileManager.default.contentsOfDirectory(atPath: source) {
            let from = source + "/" + name, to = destination + "/" + name
            var st = stat()
            guard lstat(from, &st) == 0 else { throw SandboxError.environmentStartFailed("lstat \(from): errno \(errno)") }
            let kind = st.st_mode & S_IFMT
            var existing = stat()
            let present = lstat(to, &existing) == 0
            if kind == S_IFDIR {
                if present && existing.st_mode & S_IFMT != S_IFDIR { try FileManager.default.removeItem(atPath: to) }
                if !present || existing.st_mode & S_IFMT != S_IFDIR {
                    guard mkdir(to, 0o755) == 0, chmod(to, 0o755) == 0 else {
                        throw SandboxError.environmentStartFailed("mkdir \(to): errno \(errno)")
                    }
                }
                try merge(from: from, into: to)
                continue
            }
            if present { try FileManager.default.removeItem(atPath: to) }
            if kind == S_IFLNK {
                let target = try FileManager.default.destinationOfSymbolicLink(atPath: from)
                guard symlink(target, to) == 0 else { throw SandboxError.environmentStartFailed("symlink \(to): errno \(errno)") }
            } else if kind == S_IFREG {
                if link(from, to) != 0 { try FileManager.default.copyItem(atPath: from, toPath: to) }
            }
        }
    }
}
