import Foundation
import AWSWire

/// How an S3 request names its bucket and key: virtual-hosted (`bucket.s3.amazonaws.com`,
/// `bucket.s3.REGION.amazonaws.com`, `bucket.s3.localhost`, `bucket.s3.REGION.localhost`) or path-style
/// (`/bucket/key` on any other host).
public enum S3Addressing {
    /// True when the request is for S3: signed for `s3` (header or presigned), or sent to an S3 host name.
    /// Cheap for the other services' requests: a substring test on the signature and one on the host.
    public static func isS3(_ r: WireRequest) -> Bool {
        if let auth = r.header("authorization") { return SigV4Scope.service(ofHeader: auth) == "s3" }
        // Signature version 2 presigned (boto3's and the CLI's default presign form for S3).
        if r.rawQuery.contains("AWSAccessKeyId=") && r.rawQuery.contains("Expires=") && !r.rawQuery.contains("SignatureVersion=") {
            return true
        }
        if r.rawQuery.contains("X-Amz-Credential=") {
            return r.rawQuery.contains("%2Fs3%2Faws4_request") || r.rawQuery.contains("/s3/aws4_request")
        }
        // Lambda's code links (`CodeURLSigner`), also when their signature was cut off.
        if CodeURLSigner.digest(inPath: r.rawPath) != nil { return true }
        guard let host = r.header("host"), host.contains("s3") else { return false }
        return hostBucket(host) != nil || isServiceHost(host)
    }

    /// The bucket named by a virtual-hosted Host, nil for any other host.
    public static func hostBucket(_ hostHeader: String) -> String? {
        // Most requests come to an address or a host without an `s3` label: leave before splitting anything.
        guard mayNameS3(hostHeader) else { return nil }
        let host = (hostHeader.split(separator: ":", maxSplits: 1).first.map(String.init) ?? hostHeader).lowercased()
        let labels = host.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard let s3 = labels.firstIndex(where: { $0 == "s3" || $0.hasPrefix("s3-") }), s3 > 0 else { return nil }
        let rest = labels[(s3 + 1)...]
        let tailOK = rest.elementsEqual(["amazonaws", "com"]) || rest.elementsEqual(["localhost"])
            || (rest.count == 3 && rest.dropFirst().elementsEqual(["amazonaws", "com"]))
            || (rest.count == 2 && rest.last == "localhost")
        guard tailOK else { return nil }
        return labels[..<s3].joined(separator: ".")
    }

    /// False when the host cannot have an `s3` label: it holds no `s3` in any case.
    private static func mayNameS3(_ host: String) -> Bool {
        var previous: UInt8 = 0
        for c in host.utf8 {
            if (previous | 0x20) == UInt8(ascii: "s") && c == UInt8(ascii: "3") { return true }
            previous = c
        }
        return false
    }

    /// `s3.amazonaws.com`, `s3.REGION.amazonaws.com`, `s3.localhost`: path-style hosts.
    static func isServiceHost(_ hostHeader: String) -> Bool {
        let host = (hostHeader.split(separator: ":", maxSplits: 1).first.map(String.init) ?? hostHeader).lowercased()
        return host.hasPrefix("s3.") && (host.hasSuffix(".amazonaws.com") || host.hasSuffix("localhost"))
    }

    /// The bucket and key a request addresses (percent-decoded); nil bucket for the service (ListBuckets).
    static func target(_ r: WireRequest) -> (bucket: String?, key: String?)? {
        if let host = r.header("host"), let bucket = hostBucket(host) {
            let key = r.rawPath.hasPrefix("/") ? String(r.rawPath.dropFirst()) : r.rawPath
            guard let decoded = percentDecoded(Substring(key)) else { return nil }
            return (bucket, decoded.isEmpty ? nil : decoded)
        }
        var path = Substring(r.rawPath)
        if path.hasPrefix("/") { path = path.dropFirst() }
        if path.isEmpty { return (nil, nil) }
        let bucket = path.prefix { $0 != "/" }
        let key = path.dropFirst(bucket.count + 1)
        guard let b = percentDecoded(bucket), let k = percentDecoded(key) else { return nil }
        return (b, k.isEmpty ? nil : k)
    }

    /// Percent-decoded text; a path without `%` (the common key) is taken as it is, without Foundation's decoder,
    /// which was a tenth of a small PUT's work on the event loop (a request's target is read three times).
    private static func percentDecoded(_ s: Substring) -> String? {
        s.utf8.contains(UInt8(ascii: "%")) ? String(s).removingPercentEncoding : String(s)
    }
}
