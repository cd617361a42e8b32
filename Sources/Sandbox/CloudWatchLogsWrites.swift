import Foundation

/// The CloudWatch Logs operations that create, configure and delete log groups and streams and put events, with
/// AWS's validation and errors. Every check runs before anything changes.
extension CloudWatchLogsAPI {
    typealias Answer = (status: Int, body: [UInt8])

    func createLogGroup(_ input: [String: Any]) -> Answer {
        guard let name = input["logGroupName"] as? String else { return validation("logGroupName") }
        if let problem = LogsInputRules.groupName(name) { return invalid(problem) }
        if name.hasPrefix("aws/") { return invalid("Log group names can't start with 'aws/'.") }
        let kmsKeyId = input["kmsKeyId"] as? String
        if let kmsKeyId, kmsKeyId.count > 256 {
            return invalid("1 validation error detected: Value '\(kmsKeyId)' at 'kmsKeyId' failed to satisfy constraint: Member must have length less than or equal to 256")
        }
        let groupClass = input["logGroupClass"] as? String ?? "STANDARD"
        if let problem = LogsInputRules.logGroupClass(groupClass) { return invalid(problem) }
        var tags: [String: String] = [:]
        if let given = input["tags"] {
            guard let parsed = given as? [String: String] else { return invalid("Tags must be a map of strings.") }
            if let problem = LogsInputRules.tags(parsed) { return invalid(problem) }
            tags = parsed
        }
        let settings = LogGroupSettings(creationTime: Self.nowMs(), kmsKeyId: kmsKeyId, logGroupClass: groupClass, tags: tags)
        guard store.createGroup(name, settings: settings) else {
            return error("ResourceAlreadyExistsException", "The specified log group already exists")
        }
        return ok([:])
    }

    func deleteLogGroup(_ input: [String: Any]) -> Answer {
        switch namedGroup(input) {
        case .failure(let refusal): return refusal.answer
        case .success(let name): return store.deleteGroup(name) ? ok([:]) : notFound()
        }
    }

    func putRetentionPolicy(_ input: [String: Any]) -> Answer {
        let name: String
        switch namedGroup(input) {
        case .failure(let refusal): return refusal.answer
        case .success(let n): name = n
        }
        guard let days = (input["retentionInDays"] as? NSNumber)?.intValue else { return validation("retentionInDays") }
        if let problem = LogsInputRules.retention(days) { return invalid(problem) }
        return store.updateSettings(group: name) { $0.retentionInDays = days } ? ok([:]) : notFound()
    }

    func deleteRetentionPolicy(_ input: [String: Any]) -> Answer {
        switch namedGroup(input) {
        case .failure(let refusal): return refusal.answer
        case .success(let name): return store.updateSettings(group: name) { $0.retentionInDays = nil } ? ok([:]) : notFound()
        }
    }

    /// TagResource (`resourceArn`) and the older TagLogGroup (`logGroupName`): adds or replaces, at most 50 in all.
    func tag(_ input: [String: Any], byArn: Bool) -> Answer {
        let name: String
        switch byArn ? arnGroup(input) : namedGroup(input) {
        case .failure(let refusal): return refusal.answer
        case .success(let n): name = n
        }
        guard let tags = input["tags"] as? [String: String] else { return validation("tags") }
        if let problem = LogsInputRules.tags(tags) { return invalid(problem) }
        guard store.groupExists(name) else { return notFound() }
        let merged = (store.settings(group: name)?.tags ?? [:]).merging(tags) { $1 }
        if merged.count > 50 {
            return error("TooManyTagsException", "A resource can have no more than 50 tags.")
        }
        return store.updateSettings(group: name) { $0.tags = merged } ? ok([:]) : notFound()
    }

    /// UntagResource (`tagKeys`) and the older UntagLogGroup (`tags`, a list of keys).
    func untag(_ input: [String: Any], byArn: Bool) -> Answer {
        let name: String
        switch byArn ? arnGroup(input) : namedGroup(input) {
        case .failure(let refusal): return refusal.answer
        case .success(let n): name = n
        }
        let member = byArn ? "tagKeys" : "tags"
        guard let keys = input[member] as? [String] else { return validation(member) }
        if !byArn && keys.isEmpty {
            return invalid("1 validation error detected: Value '[]' at 'tags' failed to satisfy constraint: Member must have length greater than or equal to 1")
        }
        if keys.count > 50 {
            return invalid("1 validation error detected: Value at 'tagKeys' failed to satisfy constraint: Member must have length less than or equal to 50")
        }
        guard store.groupExists(name) else { return notFound() }
        guard !keys.isEmpty else { return ok([:]) }
        return store.updateSettings(group: name) { s in for k in keys { s.tags[k] = nil } } ? ok([:]) : notFound()
    }

    func listTags(_ input: [String: Any], byArn: Bool) -> Answer {
        switch byArn ? arnGroup(input) : namedGroup(input) {
        case .failure(let refusal): return refusal.answer
        case .success(let name):
            guard store.groupExists(name) else { return notFound() }
            return ok(["tags": store.settings(group: name)?.tags ?? [:]])
        }
    }

    func createLogStream(_ input: [String: Any]) -> Answer {
        switch namedStream(input) {
        case .failure(let refusal): return refusal.answer
        case .success(let (group, stream)):
            switch store.createStream(group: group, stream: stream) {
            case .done: return ok([:])
            case .noGroup: return notFound()
            default: return error("ResourceAlreadyExistsException", "The specified log stream already exists")
            }
        }
    }

    func deleteLogStream(_ input: [String: Any]) -> Answer {
        switch namedStream(input) {
        case .failure(let refusal): return refusal.answer
        case .success(let (group, stream)):
            switch store.deleteStream(group: group, stream: stream) {
            case .done: return ok([:])
            case .noGroup: return notFound()
            default: return streamNotFound()
            }
        }
    }

    /// Events more than 2 hours ahead, older than 14 days or past the group's retention are reported in
    /// `rejectedLogEventsInfo` and the rest stored; the sequence token is ignored, as AWS does today.
    func putLogEvents(_ input: [String: Any], now: Date = Date()) -> Answer {
        let group: String, stream: String
        switch namedStream(input) {
        case .failure(let refusal): return refusal.answer
        case .success(let names): (group, stream) = names
        }
        guard let raw = input["logEvents"] as? [Any] else { return validation("logEvents") }
        var events: [LogEvent] = []
        var bytes = 0
        let ingestion = Int64(now.timeIntervalSince1970 * 1000)
        for (i, item) in raw.enumerated() {
            guard let e = item as? [String: Any], let t = (e["timestamp"] as? NSNumber)?.int64Value else {
                return validation("logEvents.\(i + 1).member.timestamp")
            }
            guard let message = e["message"] as? String else { return validation("logEvents.\(i + 1).member.message") }
            if message.isEmpty {
                return invalid("1 validation error detected: Value '' at 'logEvents.\(i + 1).member.message' failed to satisfy constraint: Member must have length greater than or equal to 1")
            }
            bytes += message.utf8.count + 26
            events.append(LogEvent(timestamp: t, message: message, ingestionTime: ingestion))
        }
        if let problem = Self.batchProblem(events, bytes: bytes) { return invalid(problem) }
        guard store.groupExists(group) else { return notFound() }
        guard store.streamExists(group: group, stream: stream) else { return streamNotFound() }
        let verdict = PutLogEventsVerdict(events.map(\.timestamp), now: ingestion,
                                          retentionCutoff: store.settings(group: group)?.retentionCutoff(now: now))
        if let span = verdict.accepted.map({ events[$0.upperBound - 1].timestamp - events[$0.lowerBound].timestamp }),
           span > 86_400_000 {
            return invalid("The batch of log events in a single PutLogEvents request cannot span more than 24 hours.")
        }
        if let accepted = verdict.accepted { store.append(group: group, stream: stream, events: Array(events[accepted])) }
        var out: [String: Any] = ["nextSequenceToken": Self.sequenceToken(ingestion)]
        if !verdict.rejected.isEmpty { out["rejectedLogEventsInfo"] = verdict.rejected }
        return ok(out)
    }

    /// Count, size and order of a batch; nil when it is acceptable.
    static func batchProblem(_ events: [LogEvent], bytes: Int) -> String? {
        if events.isEmpty {
            return "1 validation error detected: Value '[]' at 'logEvents' failed to satisfy constraint: Member must have length greater than or equal to 1"
        }
        if events.count > LogsInputRules.maxBatchEvents {
            return "1 validation error detected: Value at 'logEvents' failed to satisfy constraint: Member must have length less than or equal to \(LogsInputRules.maxBatchEvents)"
        }
        if bytes > LogsInputRules.maxBatchBytes {
            return "Upload too large: \(bytes) bytes exceeds limit of \(LogsInputRules.maxBatchBytes)"
        }
        if zip(events, events.dropFirst()).contains(where: { $0.timestamp > $1.timestamp }) {
            return "Log events in a single PutLogEvents request must be in chronological order."
        }
        return nil
    }

    // MARK: names

    private func namedGroup(_ input: [String: Any]) -> Result<String, Refusal> {
        guard let name = input["logGroupName"] as? String else { return .failure(Refusal(validation("logGroupName"))) }
        if let problem = LogsInputRules.groupName(name) { return .failure(Refusal(invalid(problem))) }
        return .success(name)
    }

    private func namedStream(_ input: [String: Any]) -> Result<(String, String), Refusal> {
        let group: String
        switch namedGroup(input) {
        case .failure(let r): return .failure(r)
        case .success(let g): group = g
        }
        guard let stream = input["logStreamName"] as? String else { return .failure(Refusal(validation("logStreamName"))) }
        if let problem = LogsInputRules.streamName(stream) { return .failure(Refusal(invalid(problem))) }
        return .success((group, stream))
    }

    /// The group a `resourceArn` names; one in another account or region, or not a log group, is not found.
    private func arnGroup(_ input: [String: Any]) -> Result<String, Refusal> {
        guard let arn = input["resourceArn"] as? String else { return .failure(Refusal(validation("resourceArn"))) }
        guard let parts = LogsInputRules.logGroupArn(arn) else {
            return .failure(Refusal(invalid("Invalid resource ARN: \(arn)")))
        }
        guard parts.region == region, parts.account == accountId, LogsInputRules.groupName(parts.name) == nil else {
            return .failure(Refusal(notFound()))
        }
        return .success(parts.name)
    }

    private func invalid(_ message: String) -> Answer { error("InvalidParameterException", message) }

    private func streamNotFound() -> Answer { error("ResourceNotFoundException", "The specified log stream does not exist.") }

    private static func nowMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// Opaque and never checked; digits, as AWS's are.
    private static func sequenceToken(_ ms: Int64) -> String { String(format: "4963%052lld", ms) }
}

/// An error answer carried through `Result`.
struct Refusal: Error {
    let answer: (status: Int, body: [UInt8])
    init(_ answer: (status: Int, body: [UInt8])) { self.answer = answer }
}

/// Which events of a chronological batch PutLogEvents stores and which it reports as too new, too old or expired.
struct PutLogEventsVerdict {
    /// Indices of the events stored (nil when none are).
    var accepted: Range<Int>?
    /// `rejectedLogEventsInfo`, empty when every event is stored.
    var rejected: [String: Int] = [:]

    static let maxAheadMs: Int64 = 2 * 3_600_000
    static let maxAgeMs: Int64 = 14 * 86_400_000

    init(_ timestamps: [Int64], now: Int64, retentionCutoff: Int64?) {
        var lower = 0
        var upper = timestamps.count
        if let end = timestamps.lastIndex(where: { $0 < now - Self.maxAgeMs }) {
            rejected["tooOldLogEventEndIndex"] = end
            lower = end + 1
        }
        if let cutoff = retentionCutoff, let end = timestamps.lastIndex(where: { $0 < cutoff }) {
            rejected["expiredLogEventEndIndex"] = end
            lower = max(lower, end + 1)
        }
        if let start = timestamps.firstIndex(where: { $0 > now + Self.maxAheadMs }) {
            rejected["tooNewLogEventStartIndex"] = start
            upper = start
        }
        accepted = lower < upper ? lower..<upper : nil
    }
}
