import Foundation

/// Builds zip archives byte by byte for the unpacker's tests, including ones no honest tool writes: sizes that lie,
/// wrong CRCs, hostile names. Deflate comes from Python's zlib (the machine's python3), everything else from here.
struct TestZip {
    struct Entry {
        var name: String
        var data: [UInt8]
        /// Full `st_mode` (type and permissions) stored as Unix external attributes; nil: an archive without them.
        var mode: UInt32? = 0o100644
        var deflate = false
        /// The uncompressed size the directory declares (a lie when it differs from `data.count`).
        var declaredSize: UInt64?
        var crc: UInt32?
        /// General purpose bit 3: zeros in the local header, sizes in a data descriptor after the data.
        var descriptor = false
    }

    var entries: [Entry]
    var zip64 = false

    func bytes() -> [UInt8] {
        var out: [UInt8] = []
        var central: [UInt8] = []
        func le(_ v: UInt64, _ n: Int, into a: inout [UInt8]) { for i in 0..<n { a.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) } }
        for e in entries {
            let payload = e.deflate ? Self.deflate(e.data) : e.data
            let crc = UInt64(e.crc ?? Self.crc32(e.data))
            let size = e.declaredSize ?? UInt64(e.data.count)
            let name = Array(e.name.utf8)
            let flags: UInt64 = e.descriptor ? 8 : 0
            let method: UInt64 = e.deflate ? 8 : 0
            let offset = UInt64(out.count)
            le(0x0403_4b50, 4, into: &out); le(20, 2, into: &out); le(flags, 2, into: &out); le(method, 2, into: &out)
            le(0x6000, 2, into: &out); le(0x5A21, 2, into: &out)
            le(e.descriptor ? 0 : crc, 4, into: &out)
            le(e.descriptor ? 0 : UInt64(payload.count), 4, into: &out)
            le(e.descriptor ? 0 : size, 4, into: &out)
            le(UInt64(name.count), 2, into: &out); le(0, 2, into: &out)
            out += name + payload
            if e.descriptor {
                le(0x0807_4b50, 4, into: &out); le(crc, 4, into: &out); le(UInt64(payload.count), 4, into: &out); le(size, 4, into: &out)
            }
            var extra: [UInt8] = []
            if zip64 {
                le(1, 2, into: &extra); le(24, 2, into: &extra)
                le(size, 8, into: &extra); le(UInt64(payload.count), 8, into: &extra); le(offset, 8, into: &extra)
            }
            le(0x0201_4b50, 4, into: &central)
            le(e.mode == nil ? 20 : 0x0314, 2, into: &central); le(20, 2, into: &central)
            le(flags, 2, into: &central); le(method, 2, into: &central); le(0x6000, 2, into: &central); le(0x5A21, 2, into: &central)
            le(crc, 4, into: &central)
            le(zip64 ? 0xFFFF_FFFF : UInt64(payload.count), 4, into: &central)
            le(zip64 ? 0xFFFF_FFFF : size, 4, into: &central)
            le(UInt64(name.count), 2, into: &central); le(UInt64(extra.count), 2, into: &central); le(0, 2, into: &central)
            le(0, 2, into: &central); le(0, 2, into: &central)
            le(UInt64(e.mode ?? 0) << 16, 4, into: &central)
            le(zip64 ? 0xFFFF_FFFF : offset, 4, into: &central)
            central += name + extra
        }
        let directoryOffset = UInt64(out.count)
        out += central
        if zip64 {
            let record = UInt64(out.count)
            le(0x0606_4b50, 4, into: &out); le(44, 8, into: &out); le(45, 2, into: &out); le(45, 2, into: &out)
            le(0, 4, into: &out); le(0, 4, into: &out)
            le(UInt64(entries.count), 8, into: &out); le(UInt64(entries.count), 8, into: &out)
            le(UInt64(central.count), 8, into: &out); le(directoryOffset, 8, into: &out)
            le(0x0706_4b50, 4, into: &out); le(0, 4, into: &out); le(record, 8, into: &out); le(1, 4, into: &out)
        }
        le(0x0605_4b50, 4, into: &out); le(0, 2, into: &out); le(0, 2, into: &out)
        le(zip64 ? 0xFFFF : UInt64(entries.count), 2, into: &out); le(zip64 ? 0xFFFF : UInt64(entries.count), 2, into: &out)
        le(UInt64(central.count), 4, into: &out); le(zip64 ? 0xFFFF_FFFF : directoryOffset, 4, into: &out); le(0, 2, into: &out)
        return out
    }

    /// Writes the archive to a fresh temporary file and returns its path.
    func write() throws -> String {
        let path = NSTemporaryDirectory() + "lv-testzip-" + UUID().uuidString + ".zip"
        try Data(bytes()).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func crc32(_ data: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in data {
            c ^= UInt32(b)
            for _ in 0..<8 { c = c & 1 != 0 ? (c >> 1) ^ 0xEDB8_8320 : c >> 1 }
        }
        return ~c
    }

    /// Raw deflate (no zlib header), as zip entries carry it.
    static func deflate(_ data: [UInt8]) -> [UInt8] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        p.arguments = ["-c", "import sys,zlib; c=zlib.compressobj(9,zlib.DEFLATED,-15); "
                       + "sys.stdout.buffer.write(c.compress(sys.stdin.buffer.read())+c.flush())"]
        let source = NSTemporaryDirectory() + "lv-deflate-" + UUID().uuidString
        _ = FileManager.default.createFile(atPath: source, contents: Data(data))
        defer { try? FileManager.default.removeItem(atPath: source) }
        let output = Pipe()
        p.standardInput = FileHandle(forReadingAtPath: source)
        p.standardOutput = output
        try! p.run()
        let result = output.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Array(result)
    }
}
