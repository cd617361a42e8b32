import CSandbox
import Foundation
import Synchronization

/// A started runtime process: its pid, its merged stdout/stderr, and a watcher thread that reaps it.
/// Output is buffered under one lock together with the reads from the pipe, so `drainOutput()` returns everything
/// the process wrote before the moment of the call (the runtime writes its logs before it posts its response).
final class RuntimeProcess: Sendable {
    let pid: pid_t
    private let state: Mutex<CaptureState>
    /// Keep at most this much unread output; older bytes are dropped.
    private static let maxBuffered = 8 << 20

    private struct CaptureState {
        var outputFd: Int32
        var pidFd: Int32
        var buffer: [UInt8] = []
        var exit: ProcessExit?
    }

    /// Takes ownership of `outputFd` (non-blocking read end) and starts watching `pid`.
    init(pid: pid_t, outputFd: Int32, onExit: @escaping @Sendable (ProcessExit) -> Void) {
        self.pid = pid
        let pidFd = lv_pidfd_open(pid)
        self.state = Mutex(CaptureState(outputFd: outputFd, pidFd: pidFd))
        let thread = Thread { [self] in self.watch(onExit: onExit) }
        thread.name = "lv-env-watch"
        thread.stackSize = 256 << 10
        thread.start()
    }

    /// Everything written since the last drain.
    func drainOutput() -> [UInt8] {
        state.withLock { s in
            Self.readAvailable(&s)
            defer { s.buffer = [] }
            return s.buffer
        }
    }

    /// SIGKILL to the whole session (the runtime and anything it started).
    func kill() {
        let exited = state.withLock { $0.exit != nil }
        if exited { return }
        _ = Glibc.kill(-pid, SIGKILL)
        _ = Glibc.kill(pid, SIGKILL)
    }

    /// Peak resident memory of the runtime process, in MB (at least 1).
    func peakMemoryMB() -> Int {
        let kib = lv_peak_rss_kib(pid)
        return kib > 0 ? max(1, Int((Double(kib) / 1024).rounded(.up))) : 1
    }

    private func watch(onExit: @Sendable (ProcessExit) -> Void) {
        while true {
            let (outFd, pidFd) = state.withLock { ($0.outputFd, $0.pidFd) }
            let ready = lv_poll2(outFd, pidFd)
            if ready & 1 != 0 {
                state.withLock { Self.readAvailable(&$0) }
            }
            if ready & 2 != 0 || pidFd < 0 { break }
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exit: ProcessExit = (status & 0x7f) == 0 ? .exited((status >> 8) & 0xff) : .signaled(status & 0x7f)
        state.withLock { s in
            Self.readAvailable(&s)
            s.exit = exit
            if s.pidFd >= 0 { close(s.pidFd); s.pidFd = -1 }
        }
        onExit(exit)
    }

    /// Closes the output pipe once nobody needs it any more.
    func closeOutput() {
        state.withLock { s in
            if s.outputFd >= 0 { close(s.outputFd); s.outputFd = -1 }
        }
    }

    private static func readAvailable(_ s: inout CaptureState) {
        guard s.outputFd >= 0 else { return }
        // Uninitialised scratch space: this runs twice per invocation, usually to find the pipe empty.
        withUnsafeTemporaryAllocation(byteCount: 65536, alignment: 16) { chunk in
            while true {
                let n = lv_read_nonblocking(s.outputFd, chunk.baseAddress, UInt(chunk.count))
                if n <= 0 {
                    // End of file: stop polling the pipe (-1 is ignored by poll).
                    if n == 0 { close(s.outputFd); s.outputFd = -1 }
                    return
                }
                s.buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[0..<n]))
                if s.buffer.count > maxBuffered { s.buffer.removeFirst(s.buffer.count - maxBuffered) }
            }
        }
    }
}
