import AWSWire
import Foundation

/// The zip CloudFormation builds for `Code.ZipFile`: the inline source as one stored (uncompressed) file,
/// `index.py` / `index.js` / `index.mjs` by runtime, readable by Lambda's own zip checks.
enum InlineZip {
    static func fileName(runtime: String?) -> String {
        let r = runtime ?? ""
        if r.hasPrefix("python") { return "index.py" }
        if r.hasPrefix("nodejs") { return "index.js" }
        return "index"
    }

    static func archive(name: String, contents: String) -> [UInt8] {
        let data = Array(contents.utf8)
        var crc = CRC32()
        crc.update(data)
        let nameBytes = Array(name.utf8)
        func u16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
        func u32(_ v: UInt32) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24 & 0xFF)] }
        let size = u32(UInt32(data.count))
        // DOS date 1980-01-01, and Unix mode 0644 in the external attributes (so the file is readable in the sandbox).
        let common: [UInt8] = u16(20) + u16(0) + u16(0) + u16(0) + u16(0x21) + u32(crc.value) + size + size + u16(nameBytes.count) + u16(0)
        let local: [UInt8] = u32(0x0403_4B50) + common + nameBytes + data
        let central: [UInt8] = u32(0x0201_4B50) + u16(0x031E) + common + u16(0) + u16(0) + u16(0) + u32(0o100644 << 16) + u32(0) + nameBytes
        let end: [UInt8] = u32(0x0605_4B50) + u16(0) + u16(0) + u16(1) + u16(1) + u32(UInt32(central.count)) + u32(UInt32(local.count)) + u16(0)
        return local + central + end
    }
}
