import Foundation

/// The exact bodies and log lines AWS produces for failures the sandbox detects; kept here so they are easy to correct.
enum SandboxMessages {
    /// Invoke payload when the function ran past its timeout (the environment is discarded).
    static func timeoutPayload(requestId: String, seconds: Int) -> String {
        json(["errorType": "Sandbox.Timedout",
              "errorMessage": "RequestId: \(requestId) Error: Task timed out after \(secondsText(seconds)) seconds"])
    }

    /// Log line written after the REPORT line of a timed-out invocation.
    static func timeoutLogLine(requestId: String, seconds: Int, at date: Date) -> String {
        "\(LogTimestamp.iso(date)) \(requestId) Task timed out after \(secondsText(seconds)) seconds"
    }

    /// Invoke payload when the runtime process exits during an invocation.
    /// `errorType` is Runtime.OutOfMemory when the memory limit's killer ended it, as Lambda reports.
    static func exitErrorPayload(requestId: String, exit: String, errorType: String = "Runtime.ExitError") -> String {
        json(["errorType": errorType,
              "errorMessage": "RequestId: \(requestId) Error: Runtime exited with error: \(exit)"])
    }

    /// Invoke payload when the runtime never became ready and posted no init error.
    static func initUnknownPayload(requestId: String, detail: String) -> String {
        json(["errorType": "Runtime.Unknown", "errorMessage": "RequestId: \(requestId) Error: \(detail)"])
    }

    /// Invoke payload when the function's response exceeds 6 MB.
    static func responseTooLargePayload() -> String {
        json(["errorType": "Function.ResponseSizeTooLarge",
              "errorMessage": "Response payload size exceeded maximum allowed payload size (6291556 bytes)."])
    }

    /// Go-style wait status text, as AWS prints it: `exit status 1`, `signal: killed`.
    static func exitDescription(_ status: ProcessExit) -> String {
        switch status {
        case .exited(let code): return "exit status \(code)"
        case .signaled(let signal): return "signal: \(signalName(signal))"
        }
    }

    static func secondsText(_ seconds: Int) -> String { String(format: "%.2f", Double(seconds)) }

    private static func signalName(_ signal: Int32) -> String {
        switch signal {
        case 9: return "killed"
        case 15: return "terminated"
        case 11: return "segmentation fault"
        case 6: return "aborted"
        case 2: return "interrupt"
        default: return "signal \(signal)"
        }
    }

    static func json(_ object: [String: String]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}

/// How a runtime process ended.
enum ProcessExit: Sendable, Equatable {
    case exited(Int32)
    case signaled(Int32)
}

/// The timestamp format of Lambda's own log lines (`2024-05-01T12:00:00.000Z`).
enum LogTimestamp {
    static func iso(_ date: Date) -> String {
        let ms = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var t = time_t(ms / 1000)
        var tm = tm()
        gmtime_r(&t, &tm)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(tm.tm_year) + 1900, Int(tm.tm_mon) + 1,
                      Int(tm.tm_mday), Int(tm.tm_hour), Int(tm.tm_min), Int(tm.tm_sec), Int(ms % 1000))
    }

    /// `YYYY/MM/DD` for log stream names.
    static func day(_ date: Date) -> String {
        var t = time_t(date.timeIntervalSince1970)
        var tm = tm()
        gmtime_r(&t, &tm)
        return String(format: "%04d/%02d/%02d", Int(tm.tm_year) + 1900, Int(tm.tm_mon) + 1, Int(tm.tm_mday))
    }
}
