import AWSWire
import Foundation

/// One S3 request as the operations see it: bucket and key (decoded), query parameters, headers, the caller.
struct S3Call: Sendable {
    let request: WireRequest
    let context: RequestContext
    let bucket: String?
    let key: String?
    /// Query parameters by name (first value), decoded.
    let query: [String: String]
    /// The region the request was signed for (the server's when unsigned): CreateBucket's location rules read it.
    let signedRegion: String
    /// The caller runs on an event loop and takes a deferred response: a small PUT answers once its commit is done
    /// instead of blocking for it.
    var mayDefer = false

    var isHead: Bool { request.method == "HEAD" }
    func header(_ name: String) -> String? { request.header(name) }

    /// The bucket, which every bucket and object operation has (the table routes only those with one).
    var bucketName: String { bucket ?? "" }
    var objectKey: String { key ?? "" }

    var bucketArn: String { "arn:aws:s3:::" + bucketName }
    var objectArn: String { "arn:aws:s3:::" + bucketName + "/" + objectKey }

    /// A non-negative integer query parameter, else InvalidArgument naming it.
    func intQuery(_ name: String, default d: Int, max: Int? = nil) throws -> Int {
        guard let text = query[name] else { return d }
        guard let v = Int(text), v >= 0 else {
            throw S3Errors.invalidArgument("Provided \(name) not an integer or within integer range", name: name, value: text)
        }
        return max.map { Swift.min(v, $0) } ?? v
    }
}

/// Timestamps in S3's two forms.
enum S3Time {
    /// `2026-12-02T16:20:00.000Z` (XML bodies).
    static func iso(_ t: Double) -> String { CivilTime.isoMilliseconds(Date(timeIntervalSince1970: t)) + "Z" }

    /// `Wed, 02 Dec 2026 16:20:00 GMT` (headers).
    static func http(_ t: Double) -> String {
        let secs = Int64(t.rounded(.down))
        let days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400
        let rem = Int(secs - days * 86400)
        let (y, m, d) = CivilTime.date(fromDays: days)
        let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][Int(((days % 7) + 7) % 7)]
        let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][m - 1]
        func p2(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(weekday), \(p2(d)) \(month) \(y) \(p2(rem / 3600)):\(p2(rem / 60 % 60)):\(p2(rem % 60)) GMT"
    }

    /// Reads an HTTP date (RFC 1123, as clients send If-Modified-Since) or ISO 8601; nil if neither.
    static func parse(_ text: String) -> Double? {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'"] {
            f.dateFormat = format
            if let d = f.date(from: text) { return d.timeIntervalSince1970 }
        }
        return nil
    }
}
