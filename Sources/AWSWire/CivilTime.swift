import Foundation

/// UTC calendar arithmetic without Foundation's calendars (days since 1970 ↔ year/month/day), so the wire formats'
/// timestamps cost a few integer operations.
public enum CivilTime {
    /// Days since 1970-01-01 to a proleptic Gregorian (year, month, day) (Howard Hinnant's civil algorithm).
    public static func date(fromDays z0: Int64) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmm` in UTC, the part EC2's (`…Z`) and Lambda's (`…+0000`) timestamps share.
    public static func isoMilliseconds(_ d: Date) -> String {
        let ms = Int64((d.timeIntervalSince1970 * 1000).rounded(.down))
        let secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000
        let msPart = Int(ms - secs * 1000)
        let days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400
        let rem = Int(secs - days * 86400)
        let (y, m, dd) = date(fromDays: days)
        func p2(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let msText = msPart < 10 ? "00\(msPart)" : msPart < 100 ? "0\(msPart)" : "\(msPart)"
        return "\(y)-\(p2(m))-\(p2(dd))T\(p2(rem / 3600)):\(p2(rem / 60 % 60)):\(p2(rem % 60)).\(msText)"
    }
}
