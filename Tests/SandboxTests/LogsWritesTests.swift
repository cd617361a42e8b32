import Foundation
import Testing
@testable import Sandbox

/// The pure parts of the CloudWatch Logs write operations: input rules, PutLogEvents' verdict, and the store's
/// retention and settings (over a temporary directory).
struct LogsWritesTests {
    let nowMs = Int64(Date().timeIntervalSince1970 * 1000)

    func api() -> CloudWatchLogsAPI {
        let dir = NSTemporaryDirectory() + "lv-logsw-" + UUID().uuidString.prefix(8)
        return CloudWatchLogsAPI(store: FunctionLogStore(directory: dir), region: "us-east-1", accountId: "123456789012")
    }

    func call(_ api: CloudWatchLogsAPI, _ op: String, _ input: [String: Any]) -> (Int, [String: Any]) {
        let body = try! JSONSerialization.data(withJSONObject: input)
        let (status, out) = api.handle(target: "Logs_20140328." + op, body: Array(body))
        return (status, (try? JSONSerialization.jsonObject(with: Data(out))) as? [String: Any] ?? [:])
    }

    @Test func nameRetentionAndTagRules() {
        #expect(LogsInputRules.groupName("/app/my-group_1.x#2") == nil)
        #expect(LogsInputRules.groupName("bad name")?.contains("Member must satisfy regular expression pattern") == true)
        #expect(LogsInputRules.groupName("")?.contains("greater than or equal to 1") == true)
        #expect(LogsInputRules.groupName(String(repeating: "a", count: 513))?.contains("less than or equal to 512") == true)
        #expect(LogsInputRules.streamName("2024/01/01/[$LATEST]x") == nil)
        #expect(LogsInputRules.streamName("a:b") != nil)
        #expect(LogsInputRules.retention(14) == nil && LogsInputRules.retention(3653) == nil)
        #expect(LogsInputRules.retention(2)?.contains("enum value set: [1, 3, 5, 7, 14,") == true)
        #expect(LogsInputRules.tags(["team": "a b@c"]) == nil)
        #expect(LogsInputRules.tags([:]) != nil)
        #expect(LogsInputRules.tags(["aws:x": "1"]) != nil)
        #expect(LogsInputRules.tags(["k": "bad|value"]) != nil)
        let parsed = LogsInputRules.logGroupArn("arn:aws:logs:us-east-1:123456789012:log-group:/a/b")
        #expect(parsed?.region == "us-east-1" && parsed?.account == "123456789012" && parsed?.name == "/a/b")
        #expect(LogsInputRules.logGroupArn("arn:aws:logs:us-east-1:123456789012:log-group:/a/b:*")?.name == "/a/b:*")
        #expect(LogsInputRules.logGroupArn("arn:aws:iam::123456789012:role/x") == nil)
    }

    @Test func verdictSplitsTooOldExpiredAndTooNew() {
        let day: Int64 = 86_400_000
        let ts = [nowMs - 20 * day, nowMs - 5 * day, nowMs - 1000, nowMs, nowMs + 3 * 3_600_000]
        let v = PutLogEventsVerdict(ts, now: nowMs, retentionCutoff: nowMs - 3 * day)
        #expect(v.rejected == ["tooOldLogEventEndIndex": 0, "expiredLogEventEndIndex": 1, "tooNewLogEventStartIndex": 4])
        #expect(v.accepted == 2..<4)
        #expect(PutLogEventsVerdict([nowMs], now: nowMs, retentionCutoff: nil).rejected.isEmpty)
        #expect(PutLogEventsVerdict([nowMs + 10 * 3_600_000], now: nowMs, retentionCutoff: nil).accepted == nil)
    }

    @Test func batchRules() {
        #expect(CloudWatchLogsAPI.batchProblem([], bytes: 0) != nil)
        #expect(CloudWatchLogsAPI.batchProblem([LogEvent(timestamp: 2, message: "b"), LogEvent(timestamp: 1, message: "a")], bytes: 54)?
            .contains("chronological order") == true)
        #expect(CloudWatchLogsAPI.batchProblem([LogEvent(timestamp: 1, message: "a")], bytes: 1_048_577)?.hasPrefix("Upload too large") == true)
    }

    @Test func retentionHidesAndPrunesOldEvents() throws {
        let a = api()
        #expect(call(a, "CreateLogGroup", ["logGroupName": "/r"]).0 == 200)
        #expect(call(a, "CreateLogStream", ["logGroupName": "/r", "logStreamName": "s"]).0 == 200)
        let day: Int64 = 86_400_000
        // Written straight to the store: PutLogEvents would refuse events this old.
        a.store.append(group: "/r", stream: "s", events: [LogEvent(timestamp: nowMs - 10 * day, message: "old"),
                                                          LogEvent(timestamp: nowMs - 1000, message: "new")])
        #expect(a.store.events(group: "/r", stream: "s")?.count == 2)
        #expect(call(a, "PutRetentionPolicy", ["logGroupName": "/r", "retentionInDays": 7]).0 == 200)
        #expect(a.store.events(group: "/r", stream: "s")?.map(\.message) == ["new"])
        a.store.enforceRetention()
        let file = a.store.directory + "/" + FunctionLogStore.encode("/r") + "/s.log"
        let text = String(decoding: FileManager.default.contents(atPath: file) ?? Data(), as: UTF8.self)
        #expect(!text.contains("old") && text.contains("new"))
        // The settings file survives pruning and is not a stream.
        #expect(a.store.groups().first?.settings?.retentionInDays == 7)
        #expect(a.store.streams(group: "/r")?.map(\.name) == ["s"])
        #expect(call(a, "DeleteRetentionPolicy", ["logGroupName": "/r"]).0 == 200)
        #expect(a.store.settings(group: "/r")?.retentionInDays == nil)
    }

    @Test func describeLogGroupsPagesByNameAndFilters() {
        let a = api()
        for n in ["/c", "/a", "/b/x", "/b/y"] { #expect(call(a, "CreateLogGroup", ["logGroupName": n]).0 == 200) }
        let (_, first) = call(a, "DescribeLogGroups", ["limit": 3])
        let names = (first["logGroups"] as? [[String: Any]])?.compactMap { $0["logGroupName"] as? String }
        #expect(names == ["/a", "/b/x", "/b/y"])
        let (_, second) = call(a, "DescribeLogGroups", ["limit": 3, "nextToken": first["nextToken"] as? String ?? ""])
        #expect((second["logGroups"] as? [[String: Any]])?.compactMap { $0["logGroupName"] as? String } == ["/c"])
        #expect(second["nextToken"] == nil)
        let (_, pattern) = call(a, "DescribeLogGroups", ["logGroupNamePattern": "b/"])
        let groups = pattern["logGroups"] as? [[String: Any]] ?? []
        #expect(groups.compactMap { $0["logGroupName"] as? String } == ["/b/x", "/b/y"])
        #expect(Set(groups.first.map { Array($0.keys) } ?? []) == ["logGroupName", "creationTime", "arn"])
        let (status, both) = call(a, "DescribeLogGroups", ["logGroupNamePattern": "b", "logGroupNamePrefix": "/b"])
        #expect(status == 400 && both["__type"] as? String == "InvalidParameterException")
    }

    @Test func resourceArnsForAuthorization() {
        let arn = { (op: String, input: [String: Any]) in
            CloudWatchLogsAPI.resourceArn(op, input, region: "us-east-1", accountId: "123456789012")
        }
        let group = "arn:aws:logs:us-east-1:123456789012:log-group:/g"
        #expect(arn("CreateLogGroup", ["logGroupName": "/g"]) == group + ":*")
        #expect(arn("PutLogEvents", ["logGroupName": "/g", "logStreamName": "s"]) == group + ":log-stream:s")
        #expect(arn("TagResource", ["resourceArn": group]) == group)
        #expect(arn("ListTagsLogGroup", ["logGroupName": "/g"]) == group + ":*")
        #expect(CloudWatchLogsAPI.operation(target: "Logs_20140328.PutRetentionPolicy") == "PutRetentionPolicy")
    }
}
