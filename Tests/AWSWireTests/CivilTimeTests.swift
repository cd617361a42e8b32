import AWSWire
import Foundation
import Testing

@Test func isoMillisecondsAgreesWithFoundation() {
    let f = DateFormatter()
    f.locale = Locale(identifier: "en_US_POSIX")
    f.timeZone = TimeZone(identifier: "UTC")
    f.dateFormat = "yyyy-MM-dd'T'HH:mm:ss.SSS"
    for seconds in [0.0, 1.5, 86_399.875, 951_782_400.25, 1_750_000_000.123, 4_102_444_800, -86_400.5, -1] {
        let d = Date(timeIntervalSince1970: seconds)
        #expect(CivilTime.isoMilliseconds(d) == f.string(from: d), "at \(seconds)")
    }
}
