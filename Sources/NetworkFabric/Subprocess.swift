import Foundation

/// Runs a program to completion and captures its output. Blocking: call it only from the fabric's own threads,
/// never from a Swift concurrency thread.
enum Subprocess {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ argv: [String], stdin: String? = nil) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: argv[0])
        p.arguments = Array(argv.dropFirst())
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        let input = stdin.map { _ in Pipe() }
        p.standardInput = input ?? FileHandle.nullDevice
        try p.run()
        if let input, let text = stdin {
            input.fileHandleForWriting.write(Data(text.utf8))
            try? input.fileHandleForWriting.close()
        }
        // stderr is drained on its own thread so a chatty child cannot block on a full pipe while we read stdout.
        let errBox = DataBox()
        let errThread = Thread { errBox.data = err.fileHandleForReading.readDataToEndOfFile(); errBox.done.signal() }
        errThread.start()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        errBox.done.wait()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                      stderr: String(decoding: errBox.data, as: UTF8.self))
    }

    /// Runs and throws `commandFailed` on a non-zero exit.
    @discardableResult
    static func check(_ argv: [String], stdin: String? = nil) throws -> String {
        let r = try run(argv, stdin: stdin)
        guard r.status == 0 else {
            throw FabricError.commandFailed(command: argv.joined(separator: " "), status: r.status, stderr: r.stderr + (stdin.map { "\n--- input:\n" + $0 } ?? ""))
        }
        return r.stdout
    }

    private final class DataBox: @unchecked Sendable {
        var data = Data()
        let done = DispatchSemaphore(value: 0)
    }

    /// The first existing path of a tool, so the fabric works whether `ip` is in /usr/sbin, /sbin or /usr/bin.
    static func tool(_ name: String) -> String {
        for dir in ["/usr/sbin", "/sbin", "/usr/bin", "/bin"] {
            let path = dir + "/" + name
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return "/usr/sbin/" + name
    }
}
