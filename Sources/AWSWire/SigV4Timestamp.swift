import Foundation

/// A UTC instant at one-second precision, read from and written in the text forms SigV4 uses.
/// Parsing and formatting are done by hand: verification runs on every request and
/// `DateFormatter` is both slow and locale-sensitive.
public struct SigV4Timestamp: Sendable, Hashable, Comparable {
    public var secondsSince1970: Int64

    public init(secondsSince1970: Int64) { self.secondsSince1970 = secondsSince1970 }

    /// The second containing `date` (fractions are dropped, as the signature has no finer unit).
    public init(_ date: Date) { secondsSince1970 = Int64(date.timeIntervalSince1970.rounded(.down)) }

    public var date: Date { Date(timeIntervalSince1970: TimeInterval(secondsSince1970)) }

    public static func < (a: SigV4Timestamp, b: SigV4Timestamp) -> Bool { a.secondsSince1970 < b.secondsSince1970 }

    public func adding(seconds: Int64) -> SigV4Timestamp { SigV4Timestamp(secondsSince1970: secondsSince1970 + seconds) }

    /// Reads ISO 8601 basic format, `yyyyMMdd'T'HHmmss'Z'` (`X-Amz-Date`); nil for anything else.
    public init?(iso8601Basic text: String) {
        // Read on the string's own bytes: every enforced request's X-Amz-Date comes through here.
        let parsed = text.utf8.withContiguousStorageIfAvailable { Self.iso8601BasicSeconds($0) } ?? Self.iso8601BasicSeconds(Array(text.utf8))
        guard let parsed else { return nil }
        secondsSince1970 = parsed
    }

    private static func iso8601BasicSeconds<B: RandomAccessCollection>(_ b: B) -> Int64? where B.Element == UInt8, B.Index == Int {
        guard b.count == 16, b[8] == UInt8(ascii: "T"), b[15] == UInt8(ascii: "Z"),
              let year = Self.digits(b, 0, 4), let month = Self.digits(b, 4, 2), let day = Self.digits(b, 6, 2),
              let hour = Self.digits(b, 9, 2), let minute = Self.digits(b, 11, 2), let second = Self.digits(b, 13, 2)
        else { return nil }
        return Self.seconds(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
    }

    /// Reads an HTTP `Date` header: `Sun, 30 Aug 2015 12:36:00 GMT` (RFC 7231), also with a numeric zone
    /// (`-0000`, as Python's `formatdate` writes) and without the weekday.
    public init?(httpDate text: String) {
        var fields = text.split(separator: " ", omittingEmptySubsequences: true)
        if let first = fields.first, first.hasSuffix(",") { fields.removeFirst() }
        guard fields.count == 5,
              let day = Int(fields[0]), let month = Self.monthNumber(fields[1]), let year = Int(fields[2]), fields[2].count == 4
        else { return nil }
        let clock = Array(fields[3].utf8)
        guard clock.count == 8, clock[2] == UInt8(ascii: ":"), clock[5] == UInt8(ascii: ":"),
              let hour = Self.digits(clock, 0, 2), let minute = Self.digits(clock, 3, 2), let second = Self.digits(clock, 6, 2),
              let offset = Self.zoneOffsetSeconds(fields[4]),
              let s = Self.seconds(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        else { return nil }
        secondsSince1970 = s - offset
    }

    /// `yyyyMMdd'T'HHmmss'Z'`.
    public var iso8601Basic: String {
        let (days, secondOfDay) = secondsSince1970.floorDivided(by: 86_400)
        let (y, m, d) = CivilTime.date(fromDays: days)
        guard (0...9999).contains(y) else { return Self.wideISO8601Basic(y, m, d, secondOfDay) }
        return String(unsafeUninitializedCapacity: 16) { b in
            Self.put(y, width: 4, at: 0, b); Self.put(m, width: 2, at: 4, b); Self.put(d, width: 2, at: 6, b)
            b[8] = UInt8(ascii: "T")
            Self.put(Int(secondOfDay / 3600), width: 2, at: 9, b)
            Self.put(Int(secondOfDay % 3600 / 60), width: 2, at: 11, b)
            Self.put(Int(secondOfDay % 60), width: 2, at: 13, b)
            b[15] = UInt8(ascii: "Z")
            return 16
        }
    }

    /// `yyyyMMdd`, the date of a credential scope.
    public var dateStamp: String { String(iso8601Basic.prefix(8)) }

    /// Years outside 0...9999 (never a real request time), written as `String(year)` pads them.
    private static func wideISO8601Basic(_ y: Int, _ m: Int, _ d: Int, _ secondOfDay: Int64) -> String {
        var out = ""
        Self.append(y, width: 4, to: &out); Self.append(m, width: 2, to: &out); Self.append(d, width: 2, to: &out)
        out += "T"
        Self.append(Int(secondOfDay / 3600), width: 2, to: &out)
        Self.append(Int(secondOfDay % 3600 / 60), width: 2, to: &out)
        Self.append(Int(secondOfDay % 60), width: 2, to: &out)
        out += "Z"
        return out
    }

    /// Writes a non-negative `value` as exactly `width` decimal digits.
    private static func put(_ value: Int, width: Int, at start: Int, _ b: UnsafeMutableBufferPointer<UInt8>) {
        var v = value
        for i in stride(from: start + width - 1, through: start, by: -1) {
            b[i] = UInt8(ascii: "0") + UInt8(v % 10)
            v /= 10
        }
    }

    // MARK: - Calendar arithmetic (proleptic Gregorian, UTC)

    static func seconds(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) -> Int64? {
        guard (1...12).contains(month), day >= 1, day <= daysInMonth(year: year, month: month),
              (0...23).contains(hour), (0...59).contains(minute), (0...59).contains(second) else { return nil }
        return days(year: year, month: month, day: day) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01. Years are counted from March so the leap day falls at the end of a cycle.
    static func days(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let shiftedMonth = Int64(month > 2 ? month - 3 : month + 9)
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    // MARK: - Text helpers

    static func digits<B: RandomAccessCollection>(_ b: B, _ start: Int, _ count: Int) -> Int? where B.Element == UInt8, B.Index == Int {
        var v = 0
        for i in start..<(start + count) {
            let c = b[i]
            guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return nil }
            v = v * 10 + Int(c - UInt8(ascii: "0"))
        }
        return v
    }

    static func append(_ value: Int, width: Int, to out: inout String) {
        let text = String(value)
        if text.count < width { out += String(repeating: "0", count: width - text.count) }
        out += text
    }

    static let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    static func monthNumber(_ s: Substring) -> Int? {
        guard s.utf8.count == 3 else { return nil }
        return monthNames.firstIndex(of: s.lowercased()).map { $0 + 1 }
    }

    /// Seconds east of UTC for `GMT`, `UTC`, `Z` or `±hhmm`.
    static func zoneOffsetSeconds(_ s: Substring) -> Int64? {
        switch s {
        case "GMT", "UTC", "UT", "Z": return 0
        default: break
        }
        let b = Array(s.utf8)
        guard b.count == 5, b[0] == UInt8(ascii: "+") || b[0] == UInt8(ascii: "-"),
              let h = digits(b, 1, 2), let m = digits(b, 3, 2), h < 24, m < 60 else { return nil }
        let magnitude = Int64(h * 3600 + m * 60)
        return b[0] == UInt8(ascii: "-") ? -magnitude : magnitude
    }
}

extension Int64 {
    /// Division rounding toward negative infinity, with a non-negative remainder.
    func floorDivided(by d: Int64) -> (quotient: Int64, remainder: Int64) {
        let q = self / d, r = self % d
        return r < 0 ? (q - 1, r + d) : (q, r)
    }
}
