/// The service a SigV4 `Authorization` header is scoped to, read straight from its bytes: the routers ask for it on
/// every request before the full parse, so it must cost no more than a scan.
public enum SigV4Scope {
    /// `s3` of `… Credential=KEY/20261202/us-east-1/s3/aws4_request, …`; nil when the header has no such scope.
    public static func service(ofHeader header: String) -> Substring? {
        var h = header
        return h.withUTF8 { b -> Range<Int>? in
            let marker = Array("/aws4_request".utf8)
            let n = b.count, m = marker.count
            guard n > m else { return nil }
            var i = 0
            while i + m <= n {
                if b[i] == marker[0] {
                    var j = 1
                    while j < m && b[i + j] == marker[j] { j += 1 }
                    if j == m {
                        var start = i
                        while start > 0 && b[start - 1] != UInt8(ascii: "/") { start -= 1 }
                        return start < i ? start..<i : nil
                    }
                }
                i += 1
            }
            return nil
        }.map { r in
            let u = header.utf8
            return Substring(header[u.index(u.startIndex, offsetBy: r.lowerBound)..<u.index(u.startIndex, offsetBy: r.upperBound)])
        }
    }
}
