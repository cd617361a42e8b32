// libFuzzer target: the SigV4 `Authorization` header as the server reads it before any key is looked up.
// Input: line 1 the header value, line 2 the request time, line 3 `path?query`, further lines `name: value` headers.
// After a parse that succeeds it builds the canonical request over the signed headers, as verification does.
@testable import AWSWire

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let lines = text.split(separator: "\n", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
    var headers: [(name: String, value: String)] = [("host", "ec2.us-east-1.amazonaws.com")]
    headers.append(("authorization", lines[0]))
    if lines.count > 1 { headers.append(("x-amz-date", lines[1])) }
    let target = lines.count > 2 ? lines[2] : "/"
    let (path, query) = target.firstIndex(of: "?").map { (String(target[..<$0]), String(target[target.index(after: $0)...])) }
        ?? (target, "")
    if lines.count > 3 {
        for h in lines[3].split(separator: "\n") {
            let parts = h.split(separator: ":", maxSplits: 1)
            headers.append((String(parts.first ?? ""), parts.count > 1 ? String(parts[1]) : ""))
        }
    }
    let request = WireRequest(method: "POST", rawPath: path, rawQuery: query, headers: headers)
    guard case .success(let auth) = SigV4Authorization.parse(request) else { return 0 }
    // The request time as the verifier reads it: ISO 8601 basic, else an HTTP date (the `Date` header's form).
    if let date = request.header("x-amz-date") {
        _ = (SigV4Timestamp(iso8601Basic: date) ?? SigV4Timestamp(httpDate: date))?.iso8601Basic
    }
    _ = SigV4Canonical.request(request, signedHeaders: auth.signedHeaders,
                               payloadHash: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", presigned: false)
    return 0
}
