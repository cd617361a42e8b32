// libFuzzer target: an S3 upload body in aws-chunked encoding, fed to the decoder in pieces whose sizes the first
// byte picks (chunk and line boundaries fall anywhere, as TCP delivers them). The decoded payload can never be longer
// than the input, and a decoder that reports done has seen its final line.
@testable import AWSWire

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let step = Int(data[0] % 17) + 1
    let body = UnsafeRawBufferPointer(start: data + 1, count: size - 1)
    var decoder = AWSChunkedDecoder()
    var payload = 0
    var offset = 0
    while offset < body.count {
        let n = min(step, body.count - offset)
        decoder.feed(UnsafeRawBufferPointer(rebasing: body[offset..<(offset + n)]), payload: { payload += $0.count }, chunkEnd: { _ in })
        offset += n
    }
    decoder.finish()
    precondition(payload <= body.count)
    _ = decoder.trailers
    return 0
}
