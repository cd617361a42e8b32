// libFuzzer target: an S3 request document (`<Delete>`, `<CompleteMultipartUpload>`, `<Tagging>`, ...) read by
// `XMLElement.parse`, then walked as the S3 operations walk it.
@testable import AWSWire

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let doc = XMLElement.parse(Array(UnsafeBufferPointer(start: data, count: size))) else { return 0 }
    for o in doc.all("Object") { _ = o.value("Key"); _ = o.value("VersionId") }
    for p in doc.all("Part") { _ = p.value("PartNumber").flatMap(Int.init); _ = p.value("ETag") }
    _ = doc.child("TagSet")?.all("Tag").map { ($0.value("Key"), $0.value("Value")) }
    _ = doc.value("LocationConstraint")
    return 0
}
