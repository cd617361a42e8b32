import AWSWire
import Foundation

/// `MaxResults` / `NextToken` over a list sorted by a stable key (the resource id). The token is the
/// last key returned, base64-encoded behind a version tag, so it stays opaque and survives restarts.
public enum EC2Pagination {
    /// One page of `items` (already filtered and sorted by `key`), and the token for the next one.
    public static func page<T>(_ items: [T], key: (T) -> String, _ p: QueryParameters,
                               range: ClosedRange<Int>? = 5...1000) throws -> (items: ArraySlice<T>, nextToken: String?) {
        let limit = try maxResults(p, range: range)
        var start = 0
        if let token = p["NextToken"], !token.isEmpty {
            let after = try decode(token)
            start = firstIndex(items, key: key, after: after)
        }
        guard let limit else { return (items[start...], nil) }
        let end = min(items.count, start + limit)
        let next = end < items.count ? encode(key(items[end - 1])) : nil
        return (items[start..<end], next)
    }

    /// The requested page size, validated against the model's range; nil when absent.
    public static func maxResults(_ p: QueryParameters, range: ClosedRange<Int>?) throws -> Int? {
        guard let text = p["MaxResults"] else { return nil }
        guard let n = Int(text) else { throw EC2Errors.invalidParameterValue("Invalid value '\(text)' for maxResults") }
        if let range {
            if n < range.lowerBound { throw EC2Errors.maxResultsTooSmall(text, min: range.lowerBound) }
            if n > range.upperBound { throw EC2Errors.maxResultsTooLarge(text, max: range.upperBound) }
        } else if n < 1 {
            throw EC2Errors.maxResultsTooSmall(text, min: 0)
        }
        return n
    }

    static let tag = "lv1:"

    static func encode(_ key: String) -> String { Data((tag + key).utf8).base64EncodedString() }

    static func decode(_ token: String) throws -> String {
        guard let data = Data(base64Encoded: token), let text = String(data: data, encoding: .utf8), text.hasPrefix(tag) else {
            throw EC2Errors.invalidNextToken(token)
        }
        return String(text.dropFirst(tag.count))
    }

    /// Binary search for the first item whose key is greater than `after`.
    static func firstIndex<T>(_ items: [T], key: (T) -> String, after: String) -> Int {
        var lo = 0, hi = items.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if key(items[mid]) <= after { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
