// libFuzzer target: a deployment package's zip as CreateFunction and UpdateFunctionCode check it before storing:
// the "Could not unzip" check and the unzipped size declared by the central directory (zip64 included).
@testable import ControlPlane

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if ZipArchive.looksValid(bytes) { _ = ZipArchive.declaredUnzippedSize(bytes) }
    // The size reader is public and must hold on its own for any bytes.
    _ = ZipArchive.declaredUnzippedSize(bytes)
    return 0
}
