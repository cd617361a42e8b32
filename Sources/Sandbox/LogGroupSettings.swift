import Foundation

/// What CloudWatch Logs keeps about a log group beyond its events: kept in `<group dir>/.settings.json` so a group
/// created through the API (even with no stream yet) and its retention and tags survive a restart. Groups that
/// functions' first logs create have no file until something sets one of these.
public struct LogGroupSettings: Codable, Sendable, Equatable {
    public var creationTime: Int64
    public var retentionInDays: Int?
    public var kmsKeyId: String?
    public var logGroupClass: String
    public var tags: [String: String]

    public init(creationTime: Int64, retentionInDays: Int? = nil, kmsKeyId: String? = nil, logGroupClass: String = "STANDARD",
                tags: [String: String] = [:]) {
        self.creationTime = creationTime
        self.retentionInDays = retentionInDays
        self.kmsKeyId = kmsKeyId
        self.logGroupClass = logGroupClass
        self.tags = tags
    }

    /// The file name inside the group's directory; a leading `.` never starts an encoded stream name.
    static let fileName = ".settings.json"

    /// Events stamped before this (epoch ms) are past the retention period, when there is one.
    public func retentionCutoff(now: Date) -> Int64? {
        retentionInDays.map { Int64(now.timeIntervalSince1970 * 1000) - Int64($0) * 86_400_000 }
    }

    static func load(_ path: String) -> LogGroupSettings? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(LogGroupSettings.self, from: data)
    }

    /// Written to a temporary name and renamed, so a crash leaves the old settings or the new, never half of one.
    func save(_ path: String) -> Bool {
        guard let data = try? JSONEncoder().encode(self) else { return false }
        let temporary = path + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: data) else { return false }
        return rename(temporary, path) == 0
    }
}
