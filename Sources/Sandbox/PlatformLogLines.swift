import Foundation

/// The platform's own lines of one invocation with LoggingConfig's JSON format, as Lambda writes them instead of
/// `START`/`END`/`REPORT`: one JSON object per event (`platform.start`, `platform.runtimeDone`, `platform.report`).
struct PlatformLogLines {
    var requestId: String
    var version: String
    var time: Date
    var durationMs: Double
    var billedMs: Int
    var memorySizeMB: Int
    var maxMemoryUsedMB: Int
    var initDurationMs: Double?
    /// nil: success; `timeout`, `error`.
    var status: String?
    var errorType: String?

    var start: String { Self.event("platform.start", time, ["requestId": requestId, "version": version]) }

    var runtimeDone: String {
        var record: [String: Any] = ["requestId": requestId, "status": status ?? "success",
                                     "metrics": ["durationMs": Self.round2(durationMs)]]
        if let errorType { record["errorType"] = errorType }
        return Self.event("platform.runtimeDone", time, record)
    }

    var report: String {
        var metrics: [String: Any] = ["durationMs": Self.round2(durationMs), "billedDurationMs": billedMs,
                                      "memorySizeMB": memorySizeMB, "maxMemoryUsedMB": maxMemoryUsedMB]
        if let initDurationMs { metrics["initDurationMs"] = Self.round2(initDurationMs) }
        var record: [String: Any] = ["requestId": requestId, "metrics": metrics, "status": status ?? "success"]
        if let errorType { record["errorType"] = errorType }
        return Self.event("platform.report", time, record)
    }

    static func event(_ type: String, _ time: Date, _ record: [String: Any]) -> String {
        let object: [String: Any] = ["time": LogTimestamp.iso(time), "type": type, "record": record]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    static func round2(_ v: Double) -> Double { (v * 100).rounded() / 100 }
}
