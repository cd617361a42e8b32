import Foundation
import Testing
@testable import Sandbox

struct LogsTests {
    func store() -> FunctionLogStore {
        FunctionLogStore(directory: NSTemporaryDirectory() + "lv-logs-" + UUID().uuidString.prefix(8), maxBytesPerGroup: 2000)
    }

    func call(_ api: CloudWatchLogsAPI, _ op: String, _ body: String) -> (Int, [String: Any]) {
        let (status, out) = api.handle(target: "Logs_20140328." + op, body: Array(body.utf8))
        return (status, (try? JSONSerialization.jsonObject(with: Data(out))) as? [String: Any] ?? [:])
    }

    @Test func eventsRoundTripThroughTheStoreAndTheAPI() {
        let s = store()
        s.append(group: "/aws/lambda/f", stream: "2024/05/01/[$LATEST]abc", events: [
            LogEvent(timestamp: 1000, message: "START RequestId: r1 Version: $LATEST"),
            LogEvent(timestamp: 1001, message: "line with\ttab and\nnewline \\ slash"),
            LogEvent(timestamp: 1002, message: "END RequestId: r1"),
        ])
        let api = CloudWatchLogsAPI(store: s, region: "us-east-1", accountId: "123456789012")
        let (_, groups) = call(api, "DescribeLogGroups", #"{"logGroupNamePrefix":"/aws/lambda/"}"#)
        #expect((groups["logGroups"] as? [[String: Any]])?.first?["logGroupName"] as? String == "/aws/lambda/f")
        let (_, streams) = call(api, "DescribeLogStreams", #"{"logGroupName":"/aws/lambda/f","orderBy":"LastEventTime","descending":true}"#)
        let stream = (streams["logStreams"] as? [[String: Any]])?.first
        #expect(stream?["logStreamName"] as? String == "2024/05/01/[$LATEST]abc")
        #expect(stream?["lastEventTimestamp"] as? Int == 1002)
        let (_, events) = call(api, "GetLogEvents", #"{"logGroupName":"/aws/lambda/f","logStreamName":"2024/05/01/[$LATEST]abc","startFromHead":true}"#)
        #expect((events["events"] as? [[String: Any]])?.map { $0["message"] as? String } == [
            "START RequestId: r1 Version: $LATEST", "line with\ttab and\nnewline \\ slash", "END RequestId: r1"])
        let (_, filtered) = call(api, "FilterLogEvents", #"{"logGroupIdentifier":"arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/f:*","filterPattern":"RequestId -END"}"#)
        #expect((filtered["events"] as? [[String: Any]])?.map { $0["message"] as? String } == ["START RequestId: r1 Version: $LATEST"])
        let (status, missing) = call(api, "FilterLogEvents", #"{"logGroupName":"/aws/lambda/none"}"#)
        #expect(status == 400)
        #expect(missing["__type"] as? String == "ResourceNotFoundException")
        #expect(missing["message"] as? String == "The specified log group does not exist.")
    }

    @Test func retentionCapsEachGroup() {
        let s = store()
        for i in 0..<10 {
            s.append(group: "/aws/lambda/big", stream: "s\(i)", events: [LogEvent(timestamp: Int64(i), message: String(repeating: "x", count: 500))])
        }
        s.enforceRetention()
        let streams = s.streams(group: "/aws/lambda/big") ?? []
        #expect(streams.count < 10)
        #expect(streams.reduce(0) { $0 + $1.storedBytes } <= 2000)
    }
}
