// libFuzzer target: a presigned URL's query (`X-Amz-Algorithm`, `X-Amz-Credential`, ...), read, its date parsed,
// and the canonical request built with the signature parameter left out, as verification does.
// Input: `path?query` (no `?`: the whole input is the query).
@testable import AWSWire

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let (path, query) = text.firstIndex(of: "?").map { (String(text[..<$0]), String(text[text.index(after: $0)...])) }
        ?? ("/", text)
    let request = WireRequest(method: "GET", rawPath: path, rawQuery: query, headers: [("host", "lambda.us-east-1.amazonaws.com")])
    guard case .success(let auth) = SigV4Authorization.parse(request) else { return 0 }
    for (k, v) in request.queryItems where k == "X-Amz-Date" { _ = SigV4Timestamp(iso8601Basic: v)?.iso8601Basic }
    for plusIsSpace in [false, true] {
        _ = SigV4Canonical.request(request, signedHeaders: auth.signedHeaders, payloadHash: "UNSIGNED-PAYLOAD",
                                   presigned: true, plusIsSpace: plusIsSpace)
    }
    return 0
}
