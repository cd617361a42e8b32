@testable import AWSWire
import Foundation
import Testing

@Test func crcCheckValues() {
    var ieee = CRC32()
    ieee.update(Array("123456789".utf8))
    #expect(ieee.value == 0xCBF4_3926)
    var castagnoli = CRC32(castagnoli: true)
    castagnoli.update(Array("123456789".utf8))
    #expect(castagnoli.value == 0xE306_9283)
    // Incremental over odd splits equals one pass (the slicing-by-8 path and the byte path agree).
    let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
    var whole = CRC32()
    whole.update(data)
    var parts = CRC32()
    for chunk in stride(from: 0, to: data.count, by: 13) { parts.update(Array(data[chunk..<min(chunk + 13, data.count)])) }
    #expect(whole.value == parts.value)
    #expect(Base64.encode(ieee.bigEndianBytes) == Data([0xCB, 0xF4, 0x39, 0x26]).base64EncodedString())
}

@Test func base64MatchesFoundation() {
    for n in 0..<10 {
        let bytes = (0..<n).map { UInt8($0 * 37 % 256) }
        #expect(Base64.encode(bytes) == Data(bytes).base64EncodedString())
    }
}

private func decode(_ body: [UInt8], step: Int) -> (payload: [UInt8], headers: [AWSChunkedDecoder.ChunkHeader], decoder: AWSChunkedDecoder) {
    var d = AWSChunkedDecoder()
    var payload: [UInt8] = []
    var headers: [AWSChunkedDecoder.ChunkHeader] = []
    var i = 0
    while i < body.count {
        let piece = Array(body[i..<min(i + step, body.count)])
        piece.withUnsafeBytes { d.feed($0, payload: { payload += $0 }, chunkEnd: { headers.append($0) }) }
        i += step
    }
    d.finish()
    return (payload, headers, d)
}

@Test func awsChunkedDecodesWhateverTheSplits() {
    let sig = String(repeating: "a", count: 64)
    let body = Array("5;chunk-signature=\(sig)\r\nhello\r\n3;chunk-signature=\(sig)\r\n!!!\r\n0;chunk-signature=\(sig)\r\n\r\n".utf8)
    for step in [1, 2, 3, 7, 64, body.count] {
        let (payload, headers, d) = decode(body, step: step)
        #expect(String(decoding: payload, as: UTF8.self) == "hello!!!", "step \(step)")
        #expect(headers.map(\.size) == [5, 3, 0])
        #expect(headers.allSatisfy { $0.signature == sig })
        #expect(d.isDone && d.failure == nil)
    }
    let trailer = Array("5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n".utf8)
    let (payload, _, d) = decode(trailer, step: 4)
    #expect(payload == Array("hello".utf8))
    #expect(d.trailers.first?.name == "x-amz-checksum-crc32" && d.trailers.first?.value == "NhCmhg==")
}

@Test func awsChunkedRefusesBrokenFraming() {
    for bad in ["5\r\nhello!!\r\n0\r\n\r\n", "zz\r\nhello\r\n", "5\r\nhel", "5;other=1\r\nhello\r\n0\r\n\r\n",
                "0\r\n\r\nmore data"] {
        let (_, _, d) = decode(Array(bad.utf8), step: 3)
        #expect(d.failure != nil, "\(bad.debugDescription)")
    }
}

@Test func xmlTreeReadsS3Documents() {
    let doc = XMLElement.parse(Array("""
        <?xml version="1.0" encoding="UTF-8"?>
        <Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><!-- c -->
          <Object><Key>a &amp; b&#x21;</Key><VersionId>v1</VersionId></Object>
          <Object><Key><![CDATA[<raw>]]></Key></Object>
          <Quiet>true</Quiet>
        </Delete>
        """.utf8))
    #expect(doc?.localName == "Delete")
    #expect(doc?.all("Object").map { $0.value("Key") } == ["a & b!", "<raw>"])
    #expect(doc?.value("Quiet") == "true")
    for bad in ["<a><b></a>", "<a>", "<a></a><b/>", "<!DOCTYPE x><a/>", "<a>&bogus;</a>", "text"] {
        #expect(XMLElement.parse(Array(bad.utf8)) == nil, "\(bad)")
    }
}

@Test func sigV2PresignedMatchesAWSDocumentedExample() {
    // The query-string authentication example of the S3 (signature version 2) documentation.
    let r = WireRequest(method: "GET", rawPath: "/johnsmith/photos/puppy.jpg",
                        rawQuery: "AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Expires=1175139620&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D",
                        headers: [("host", "s3.amazonaws.com")])
    let v2 = SigV2Presigned.parse(r)
    #expect(v2?.expires == 1_175_139_620)
    #expect(v2?.verifies(r, secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY") == true)
    #expect(v2?.verifies(r, secretAccessKey: "other") == false)
}

@Test func crc64NVMECheckValueAndSplits() {
    var c = CRC64NVME()
    c.update(Array("123456789".utf8))
    #expect(c.value == 0xAE8B_1486_0A79_9888)
    let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 77) }
    var whole = CRC64NVME()
    whole.update(data)
    var parts = CRC64NVME()
    for chunk in stride(from: 0, to: data.count, by: 11) { parts.update(Array(data[chunk..<min(chunk + 11, data.count)])) }
    #expect(whole.value == parts.value)
    #expect(c.bigEndianBytes == [0xAE, 0x8B, 0x14, 0x86, 0x0A, 0x79, 0x98, 0x88])
}

@Test func aSmallBodyStaysInMemoryAndALargeOneSpillsToItsFile() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sink-\(UInt32.random(in: 0...UInt32.max))").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let small = try RequestBodySink(path: dir + "/small", plan: .init(chunked: false, checksums: ["CRC64NVME"]), memoryLimit: 100)
    Array(repeating: UInt8(7), count: 60).withUnsafeBytes { small.write($0) }
    let a = small.finish()
    #expect(a.bytes == Array(repeating: 7, count: 60) && a.length == 60)
    #expect(!FileManager.default.fileExists(atPath: dir + "/small"))
    var expected = CRC64NVME()
    expected.update(Array(repeating: 7, count: 60))
    #expect(a.checksums["CRC64NVME"] == Base64.encode(expected.bigEndianBytes))
    let large = try RequestBodySink(path: dir + "/large", plan: .init(chunked: false), memoryLimit: 100)
    for _ in 0..<3 { Array(repeating: UInt8(9), count: 60).withUnsafeBytes { large.write($0) } }
    let b = large.finish()
    #expect(b.bytes == nil && b.length == 180)
    #expect(FileManager.default.contents(atPath: dir + "/large") == Data(repeating: 9, count: 180))
}
