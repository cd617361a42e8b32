import Foundation

/// The CloudWatch Logs subset that `aws logs tail` / `filter-log-events` / `get-log-events` and Terraform's
/// `aws_cloudwatch_log_group` use, as a function from (X-Amz-Target, awsJson1_1 body) to (status, body) over a
/// `FunctionLogStore`; the operations that change groups and streams are in CloudWatchLogsWrites.swift. The server wires the route
/// (credential scope service `logs`, `POST /`, `Content-Type: application/x-amz-json-1.1`).
public struct CloudWatchLogsAPI: Sendable {
    public let store: FunctionLogStore
    public let region: String
    public let accountId: String

    public init(store: FunctionLogStore, region: String, accountId: String) {
        self.store = store
        self.region = region
        self.accountId = accountId
    }

    public static let targetPrefix = "Logs_20140328."

    public func handle(target: String, body: [UInt8]) -> (status: Int, body: [UInt8]) {
        guard target.hasPrefix(Self.targetPrefix) else { return error("UnknownOperationException", nil) }
        let input: [String: Any]
        if body.isEmpty {
            input = [:]
        } else if let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] {
            input = object
        } else {
            return error("SerializationException", nil)
        }
        guard let name = Self.operation(target: target), let run = Self.table[name] else {
            return error("UnknownOperationException", nil)
        }
        return run(self, input)
    }

    /// The operation table: every operation answered, by its `X-Amz-Target` name, with its handler. The router
    /// authorizes `logs:<name>` on `resourceArn` before a handler runs.
    static let table: [String: @Sendable (CloudWatchLogsAPI, [String: Any]) -> (status: Int, body: [UInt8])] = [
        "DescribeLogGroups": { $0.describeLogGroups($1) },
        "DescribeLogStreams": { $0.describeLogStreams($1) },
        "GetLogEvents": { $0.getLogEvents($1) },
        "FilterLogEvents": { $0.filterLogEvents($1) },
        "CreateLogGroup": { $0.createLogGroup($1) },
        "DeleteLogGroup": { $0.deleteLogGroup($1) },
        "PutRetentionPolicy": { $0.putRetentionPolicy($1) },
        "DeleteRetentionPolicy": { $0.deleteRetentionPolicy($1) },
        "TagResource": { $0.tag($1, byArn: true) },
        "TagLogGroup": { $0.tag($1, byArn: false) },
        "UntagResource": { $0.untag($1, byArn: true) },
        "UntagLogGroup": { $0.untag($1, byArn: false) },
        "ListTagsForResource": { $0.listTags($1, byArn: true) },
        "ListTagsLogGroup": { $0.listTags($1, byArn: false) },
        "CreateLogStream": { $0.createLogStream($1) },
        "DeleteLogStream": { $0.deleteLogStream($1) },
        "PutLogEvents": { $0.putLogEvents($1) },
    ]

    /// The operations answered, by their `X-Amz-Target` name.
    public static var operations: Set<String> { Set(table.keys) }

    /// The operation a target names, when it is one of `operations`.
    public static func operation(target: String) -> String? {
        guard target.hasPrefix(targetPrefix) else { return nil }
        let name = String(target.dropFirst(targetPrefix.count))
        return operations.contains(name) ? name : nil
    }

    /// A request body's JSON object (nil when it is not one).
    public static func input(_ body: [UInt8]) -> [String: Any]? {
        body.isEmpty ? [:] : (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
    }

    /// Operations on one stream, authorized on `log-group:NAME:log-stream:STREAM`.
    static let streamOperations: Set<String> = ["GetLogEvents", "CreateLogStream", "DeleteLogStream", "PutLogEvents"]

    /// The resource IAM authorizes an operation on: the log stream for the operations on one stream, the ARN the
    /// caller names for the `*Resource` tag operations, the log group for the other operations on one group, every
    /// group for DescribeLogGroups (as in the Service Authorization Reference).
    public static func resourceArn(_ operation: String, _ input: [String: Any], region: String, accountId: String) -> String {
        if let arn = input["resourceArn"] as? String, operation.hasSuffix("Resource") { return arn }
        let prefix = "arn:aws:logs:\(region):\(accountId):log-group:"
        let group = (input["logGroupName"] as? String)
            ?? (input["logGroupIdentifier"] as? String).map { $0.hasPrefix("arn:") ? ($0.split(separator: ":").dropFirst(6).first.map(String.init) ?? $0) : $0 }
        guard operation != "DescribeLogGroups", let group else { return prefix + "*" }
        if streamOperations.contains(operation), let stream = input["logStreamName"] as? String {
            return prefix + group + ":log-stream:" + stream
        }
        return prefix + group + ":*"
    }

    // MARK: operations

    private func describeLogGroups(_ input: [String: Any]) -> (status: Int, body: [UInt8]) {
        let prefix = input["logGroupNamePrefix"] as? String
        let pattern = input["logGroupNamePattern"] as? String
        if prefix != nil && pattern != nil {
            return error("InvalidParameterException", "LogGroupNamePrefix and LogGroupNamePattern are mutually exclusive parameters.")
        }
        if let prefix, let problem = LogsInputRules.groupName(prefix, member: "logGroupNamePrefix") {
            return error("InvalidParameterException", problem)
        }
        let groupClass = input["logGroupClass"] as? String
        if let groupClass, let problem = LogsInputRules.logGroupClass(groupClass) { return error("InvalidParameterException", problem) }
        guard let limit = limit(input, max: 50) else { return limitError(50) }
        // The token is the last name of the page before: names are unique and sorted, so groups created or deleted
        // between pages neither repeat nor go missing.
        let after = input["nextToken"] as? String
        let all = store.groups(prefix: prefix ?? "").filter { g in
            (pattern.map { $0.isEmpty || g.name.contains($0) } ?? true)
                && (groupClass.map { $0 == (g.settings?.logGroupClass ?? "STANDARD") } ?? true)
                && (after.map { g.name > $0 } ?? true)
        }
        let page = all.prefix(limit)
        var out: [String: Any] = ["logGroups": page.map { g -> [String: Any] in
            // With a pattern AWS returns only these three.
            var d: [String: Any] = ["logGroupName": g.name, "creationTime": g.creationTime, "arn": groupArn(g.name) + ":*"]
            guard pattern == nil else { return d }
            d["metricFilterCount"] = 0
            d["storedBytes"] = g.storedBytes
            d["logGroupArn"] = groupArn(g.name)
            d["logGroupClass"] = g.settings?.logGroupClass ?? "STANDARD"
            if let days = g.settings?.retentionInDays { d["retentionInDays"] = days }
            if let key = g.settings?.kmsKeyId { d["kmsKeyId"] = key }
            return d
        }]
        if page.count < all.count, let last = page.last { out["nextToken"] = last.name }
        return ok(out)
    }

    private func describeLogStreams(_ input: [String: Any]) -> (status: Int, body: [UInt8]) {
        guard let group = groupName(input) else { return validation("logGroupName") }
        guard let limit = limit(input, max: 50) else { return limitError(50) }
        let prefix = input["logStreamNamePrefix"] as? String ?? ""
        let byTime = input["orderBy"] as? String == "LastEventTime"
        if byTime && !prefix.isEmpty {
            return error("InvalidParameterException", "Cannot order by LastEventTime with a logStreamNamePrefix.")
        }
        guard var streams = store.streams(group: group, prefix: prefix) else { return notFound() }
        if byTime { streams.sort { ($0.lastEventTimestamp ?? 0, $0.name) < ($1.lastEventTimestamp ?? 0, $1.name) } }
        if input["descending"] as? Bool == true { streams.reverse() }
        let start = offset(input["nextToken"])
        let page = streams.dropFirst(start).prefix(limit)
        var out: [String: Any] = ["logStreams": page.map { s -> [String: Any] in
            var d: [String: Any] = ["logStreamName": s.name, "creationTime": s.creationTime, "storedBytes": s.storedBytes,
                                    "arn": "arn:aws:logs:\(region):\(accountId):log-group:\(group):log-stream:\(s.name)"]
            if let v = s.firstEventTimestamp { d["firstEventTimestamp"] = v }
            if let v = s.lastEventTimestamp { d["lastEventTimestamp"] = v }
            if let v = s.lastIngestionTime { d["lastIngestionTime"] = v }
            return d
        }]
        if start + page.count < streams.count { out["nextToken"] = String(start + page.count) }
        return ok(out)
    }

    private func getLogEvents(_ input: [String: Any]) -> (status: Int, body: [UInt8]) {
        guard let group = groupName(input) else { return validation("logGroupName") }
        guard let streamName = input["logStreamName"] as? String else { return validation("logStreamName") }
        guard let limit = limit(input, max: 10000) else { return limitError(10000) }
        guard store.streams(group: group) != nil else { return notFound() }
        guard let all = store.events(group: group, stream: streamName) else {
            return error("ResourceNotFoundException", "The specified log stream does not exist.")
        }
        let events = all.filter { inRange($0.timestamp, input) }
        let token = input["nextToken"] as? String
        let range: Range<Int>
        if let token, token.hasPrefix("b/"), let end = Int(token.dropFirst(2)) {
            let e = min(end, events.count)
            range = max(0, e - limit)..<e
        } else if let token, token.hasPrefix("f/"), let begin = Int(token.dropFirst(2)) {
            let b = min(begin, events.count)
            range = b..<min(events.count, b + limit)
        } else if input["startFromHead"] as? Bool == true {
            range = 0..<min(events.count, limit)
        } else {
            range = max(0, events.count - limit)..<events.count
        }
        return ok(["events": events[range].map { ["timestamp": $0.timestamp, "message": $0.message, "ingestionTime": $0.ingestionTime] },
                   "nextForwardToken": "f/\(range.upperBound)", "nextBackwardToken": "b/\(range.lowerBound)"])
    }

    private func filterLogEvents(_ input: [String: Any]) -> (status: Int, body: [UInt8]) {
        guard let group = groupName(input) else { return validation("logGroupName") }
        guard let limit = limit(input, max: 10000) else { return limitError(10000) }
        let names = input["logStreamNames"] as? [String]
        let prefix = input["logStreamNamePrefix"] as? String ?? ""
        if names != nil && !prefix.isEmpty {
            return error("InvalidParameterException", "logStreamNames and logStreamNamePrefix are mutually exclusive")
        }
        guard let streams = store.streams(group: group, prefix: prefix) else { return notFound() }
        let selected = streams.filter { names == nil || names!.contains($0.name) }
        let pattern = FilterPattern(input["filterPattern"] as? String ?? "")
        var matches: [(stream: String, index: Int, event: LogEvent)] = []
        for s in selected {
            for (i, e) in (store.events(group: group, stream: s.name) ?? []).enumerated()
            where inRange(e.timestamp, input) && pattern.matches(e.message) {
                matches.append((s.name, i, e))
            }
        }
        matches.sort { ($0.event.timestamp, $0.stream, $0.index) < ($1.event.timestamp, $1.stream, $1.index) }
        let start = offset(input["nextToken"])
        let page = matches.dropFirst(start).prefix(limit)
        var out: [String: Any] = [
            "events": page.map { m -> [String: Any] in
                ["logStreamName": m.stream, "timestamp": m.event.timestamp, "message": m.event.message,
                 "ingestionTime": m.event.ingestionTime, "eventId": Self.eventId(m.event.timestamp, m.stream, m.index)]
            },
            "searchedLogStreams": selected.map { ["logStreamName": $0.name, "searchedCompletely": true] },
        ]
        if start + page.count < matches.count { out["nextToken"] = String(start + page.count) }
        return ok(out)
    }

    // MARK: helpers

    func groupName(_ input: [String: Any]) -> String? {
        if let name = input["logGroupName"] as? String { return name }
        guard let identifier = input["logGroupIdentifier"] as? String else { return nil }
        // An ARN (`arn:aws:logs:R:A:log-group:NAME[:*]`) or a plain name.
        guard identifier.hasPrefix("arn:"), let range = identifier.range(of: ":log-group:") else { return identifier }
        let rest = identifier[range.upperBound...]
        return String(rest.hasSuffix(":*") ? rest.dropLast(2) : rest)
    }

    func limit(_ input: [String: Any], max: Int) -> Int? {
        guard let value = input["limit"] else { return max }
        guard let n = value as? Int, (1...max).contains(n) else { return nil }
        return n
    }

    private func inRange(_ t: Int64, _ input: [String: Any]) -> Bool {
        if let s = (input["startTime"] as? NSNumber)?.int64Value, t < s { return false }
        if let e = (input["endTime"] as? NSNumber)?.int64Value, t > e { return false }
        return true
    }

    func offset(_ token: Any?) -> Int { (token as? String).flatMap(Int.init) ?? 0 }

    func groupArn(_ name: String) -> String { "arn:aws:logs:\(region):\(accountId):log-group:\(name)" }

    private static func eventId(_ t: Int64, _ stream: String, _ index: Int) -> String {
        var h: UInt64 = 1469598103934665603
        for b in stream.utf8 { h = (h ^ UInt64(b)) &* 1099511628211 }
        return String(format: "%020lld%016llx%08d", t, h, index)
    }

    func ok(_ object: [String: Any]) -> (status: Int, body: [UInt8]) {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.withoutEscapingSlashes])) ?? Data("{}".utf8)
        return (200, Array(data))
    }

    func error(_ type: String, _ message: String?) -> (status: Int, body: [UInt8]) {
        var object: [String: Any] = ["__type": type]
        if let message { object["message"] = message }
        return (400, Array((try? JSONSerialization.data(withJSONObject: object)) ?? Data()))
    }

    func notFound() -> (status: Int, body: [UInt8]) {
        error("ResourceNotFoundException", "The specified log group does not exist.")
    }

    func validation(_ member: String) -> (status: Int, body: [UInt8]) {
        error("InvalidParameterException", "1 validation error detected: Value null at '\(member)' failed to satisfy constraint: Member must not be null")
    }

    func limitError(_ max: Int) -> (status: Int, body: [UInt8]) {
        error("InvalidParameterException", "1 validation error detected: Value at 'limit' failed to satisfy constraint: Member must have value less than or equal to \(max)")
    }
}

/// CloudWatch Logs text filter patterns: terms that must all appear (`ERROR timeout`), quoted phrases (`"Task timed out"`),
/// `-term` to exclude, `?a ?b` for any of. JSON and space-delimited patterns are treated as match-all.
struct FilterPattern {
    private var required: [String] = []
    private var excluded: [String] = []
    private var anyOf: [String] = []
    private var matchAll = false

    init(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty || trimmed.hasPrefix("{") || trimmed.hasPrefix("[") { matchAll = true; return }
        var tokens: [String] = []
        var current = ""
        var quoted = false
        for c in trimmed {
            if c == "\"" { quoted.toggle(); continue }
            if c == " " && !quoted {
                if !current.isEmpty { tokens.append(current); current = "" }
            } else {
                current.append(c)
            }
        }
        if !current.isEmpty { tokens.append(current) }
        for t in tokens {
            if t.hasPrefix("?") { anyOf.append(String(t.dropFirst())) } else if t.hasPrefix("-") { excluded.append(String(t.dropFirst())) } else { required.append(t) }
        }
    }

    func matches(_ message: String) -> Bool {
        if matchAll { return true }
        if !anyOf.isEmpty { return anyOf.contains { message.contains($0) } }
        return required.allSatisfy { message.contains($0) } && !excluded.contains { message.contains($0) }
    }
}
