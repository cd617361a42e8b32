@testable import AWSWire
import Foundation
import Testing

@Suite struct SigV4TimestampTests {
    @Test(arguments: [
        ("19700101T000000Z", Int64(0)),
        ("20150830T123600Z", Int64(1_440_938_160)),
        ("20000229T235959Z", Int64(951_868_799)),
        ("20240229T120000Z", Int64(1_709_208_000)),
        ("21000301T000000Z", Int64(4_107_542_400)),
        ("19691231T235959Z", Int64(-1)),
    ])
    func iso8601BasicBothWays(_ text: String, _ seconds: Int64) {
        #expect(SigV4Timestamp(iso8601Basic: text)?.secondsSince1970 == seconds)
        #expect(SigV4Timestamp(secondsSince1970: seconds).iso8601Basic == text)
    }

    @Test(arguments: [
        "20230229T000000Z", "21000229T000000Z", "20240101T240000Z", "20240101T006000Z", "20240101T000060Z",
        "20241301T000000Z", "20240100T000000Z", "20240101T000000", "2024-01-01T00:00:00Z", "20240101 000000Z",
        "20240101T00000aZ", "", "20240101T000000Z ",
    ])
    func iso8601BasicRejects(_ text: String) {
        #expect(SigV4Timestamp(iso8601Basic: text) == nil)
    }

    @Test func formattingAgreesWithFoundationAcrossFourCenturies() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withYear, .withMonth, .withDay, .withTime, .withTimeZone]
        formatter.timeZone = TimeZone(identifier: "UTC")
        var seconds: Int64 = -2_208_988_800  // 1900-01-01
        while seconds < 10_413_792_000 {     // 2300-01-01
            let t = SigV4Timestamp(secondsSince1970: seconds)
            let expected = formatter.string(from: t.date)
            #expect(t.iso8601Basic == expected)
            #expect(SigV4Timestamp(iso8601Basic: expected)?.secondsSince1970 == seconds)
            seconds += 3_999_997  // about 46 days and some hours, so days, months and times all vary
        }
    }

    @Test(arguments: [
        ("Sun, 06 Nov 1994 08:49:37 GMT", Int64(784_111_777)),
        ("Mon, 01 Jan 2024 00:00:00 -0000", Int64(1_704_067_200)),
        ("Mon, 01 Jan 2024 01:00:00 +0100", Int64(1_704_067_200)),
        ("01 Jan 2024 00:00:00 UTC", Int64(1_704_067_200)),
        ("Sun, 30 Aug 2015 12:36:00 GMT", Int64(1_440_938_160)),
    ])
    func httpDate(_ text: String, _ seconds: Int64) {
        #expect(SigV4Timestamp(httpDate: text)?.secondsSince1970 == seconds)
    }

    @Test(arguments: ["Mon, 01 Foo 2024 00:00:00 GMT", "Mon, 32 Jan 2024 00:00:00 GMT", "Mon, 01 Jan 2024 00:00 GMT",
                      "Mon, 01 Jan 2024 00:00:00 PST", "20240101T000000Z", ""])
    func httpDateRejects(_ text: String) {
        #expect(SigV4Timestamp(httpDate: text) == nil)
    }

    @Test func dateStampAndFractionalDates() {
        let t = SigV4Timestamp(Date(timeIntervalSince1970: 1_440_938_160.75))
        #expect(t.dateStamp == "20150830")
        #expect(SigV4Timestamp(Date(timeIntervalSince1970: -0.5)).iso8601Basic == "19691231T235959Z")
    }
}
