import Foundation

/// Whether a server is running on a data directory: the server holds a shared `flock` on `<data-dir>/server.lock`
/// for as long as its process lives (the kernel drops it on any exit, `kill -9` included), and `doctor` asks for the
/// lock exclusively without waiting. No pid file to go stale.
public enum ServerPresence {
    static func lockPath(_ directory: String) -> String { directory + "/server.lock" }

    /// Called once by the server: the lock is kept by the returned descriptor, left open until the process ends.
    @discardableResult
    public static func hold(directory: String) -> Int32? {
        let fd = open(lockPath(directory), O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return nil }
        guard flock(fd, LOCK_SH | LOCK_NB) == 0 else { close(fd); return nil }
        return fd
    }

    /// True when a server process holds the directory's lock.
    public static func isRunning(directory: String) -> Bool {
        let fd = open(lockPath(directory), O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { return true }
        _ = flock(fd, LOCK_UN)
        return false
    }
}
