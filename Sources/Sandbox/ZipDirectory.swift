import Foundation

/// A zip archive's central directory: what each entry is, its sizes, CRC and mode. Only the directory is trusted for
/// sizes: local headers carry zeros when a data descriptor follows (general purpose bit 3), and either may lie.
struct ZipDirectory {
    /// One entry as the central directory describes it.
    struct Entry {
        var name: [UInt8]
        var method: UInt16
        var crc32: UInt32
        var compressedSize: UInt64
        var uncompressedSize: UInt64
        var localHeaderOffset: UInt64
        /// `st_mode` (type and permission bits) when the archive was made on Unix and says so; nil otherwise.
        var unixMode: UInt32?
        /// Seconds since 1970: the extended timestamp's UTC time when present, else the DOS time read as local time
        /// (what Info-ZIP's unzip sets, so Python's cached bytecode still matches its sources).
        var modified: Int
        var encrypted: Bool
    }

    /// Why an archive could not be read.
    struct FormatError: Error, Equatable {
        var reason: String
    }

    var entries: [Entry]
    /// Where the central directory begins: every entry's data lies before it.
    var directoryOffset: Int

    init(_ b: UnsafeRawBufferPointer) throws(FormatError) {
        func u16(_ i: Int) -> UInt64? { i >= 0 && i + 2 <= b.count ? UInt64(b[i]) | UInt64(b[i + 1]) << 8 : nil }
        func u32(_ i: Int) -> UInt64? {
            guard let lo = u16(i), let hi = u16(i + 2) else { return nil }
            return lo | hi << 16
        }
        func u64(_ i: Int) -> UInt64? {
            guard let lo = u32(i), let hi = u32(i + 4) else { return nil }
            return lo | hi << 32
        }
        guard b.count >= 22 else { throw FormatError(reason: "too short for a zip") }
        // The end record is 22 bytes plus a comment of up to 65535 bytes.
        var eocd = b.count - 22
        let lowest = max(0, b.count - 22 - 65535)
        while eocd >= lowest && u32(eocd) != 0x0605_4b50 { eocd -= 1 }
        guard eocd >= lowest, var count = u16(eocd + 10), var offset = u32(eocd + 16) else {
            throw FormatError(reason: "no end of central directory record")
        }
        if count == 0xFFFF || offset == 0xFFFF_FFFF {
            // The zip64 end record, found through its locator just before the classic one.
            guard u32(eocd - 20) == 0x0706_4b50, let at = u64(eocd - 12), at < UInt64(b.count),
                  u32(Int(at)) == 0x0606_4b50, let n = u64(Int(at) + 32), let o = u64(Int(at) + 48) else {
                throw FormatError(reason: "bad zip64 end record")
            }
            count = n; offset = o
        }
        guard offset <= UInt64(eocd) else { throw FormatError(reason: "central directory outside the file") }
        // Each directory record takes at least 46 bytes: a count the file cannot hold is a lie, not a reservation size.
        guard count <= UInt64(b.count / 46) else { throw FormatError(reason: "more entries than the file can hold") }
        directoryOffset = Int(offset)
        var list: [Entry] = []
        list.reserveCapacity(Int(count))
        var i = Int(offset)
        for _ in 0..<count {
            guard u32(i) == 0x0201_4b50, let madeBy = u16(i + 4), let flags = u16(i + 8), let method = u16(i + 10),
                  let time = u16(i + 12), let date = u16(i + 14), let crc = u32(i + 16), var compressed = u32(i + 20),
                  var size = u32(i + 24), let nameLength = u16(i + 28), let extraLength = u16(i + 30),
                  let commentLength = u16(i + 32), let external = u32(i + 38), var local = u32(i + 42) else {
                throw FormatError(reason: "bad central directory record")
            }
            let nameStart = i + 46, extraStart = nameStart + Int(nameLength), extraEnd = extraStart + Int(extraLength)
            guard extraEnd + Int(commentLength) <= b.count else { throw FormatError(reason: "central directory truncated") }
            var modified = Self.dosTime(date: Int(date), time: Int(time))
            var e = extraStart
            while e + 4 <= extraEnd, let id = u16(e), let length = u16(e + 2), e + 4 + Int(length) <= extraEnd {
                if id == 0x0001 {
                    // Zip64: the real values, in this order, for exactly the fields saturated above.
                    var f = e + 4
                    for field in [0, 1, 2] {
                        let saturated = field == 0 ? size == 0xFFFF_FFFF : field == 1 ? compressed == 0xFFFF_FFFF
                            : local == 0xFFFF_FFFF
                        guard saturated else { continue }
                        guard f + 8 <= e + 4 + Int(length), let v = u64(f) else { throw FormatError(reason: "bad zip64 field") }
                        if field == 0 { size = v } else if field == 1 { compressed = v } else { local = v }
                        f += 8
                    }
                } else if id == 0x5455, length >= 5, b[e + 4] & 1 != 0, let t = u32(e + 5) {
                    modified = Int(Int32(truncatingIfNeeded: t))
                }
                e += 4 + Int(length)
            }
            // Info-ZIP puts st_mode in the high half of the external attributes when "made by" is Unix (3).
            let mode = UInt32(external >> 16)
            list.append(Entry(name: Array(b[nameStart..<extraStart]), method: UInt16(method), crc32: UInt32(crc),
                              compressedSize: compressed, uncompressedSize: size, localHeaderOffset: local,
                              unixMode: madeBy >> 8 == 3 && mode != 0 ? mode : nil, modified: modified,
                              encrypted: flags & 1 != 0))
            i = extraEnd + Int(commentLength)
        }
        entries = list
    }

    /// Where `entry`'s data lies: after its local header, before the central directory.
    func dataRange(of entry: Entry, in b: UnsafeRawBufferPointer) throws(FormatError) -> Range<Int> {
        let at = entry.localHeaderOffset
        guard directoryOffset >= 30, at <= UInt64(directoryOffset - 30) else { throw FormatError(reason: "local header outside the data") }
        let h = Int(at)
        guard b[h] == 0x50, b[h + 1] == 0x4B, b[h + 2] == 0x03, b[h + 3] == 0x04 else {
            throw FormatError(reason: "no local header where the directory points")
        }
        let start = UInt64(h + 30) + (UInt64(b[h + 26]) | UInt64(b[h + 27]) << 8) + (UInt64(b[h + 28]) | UInt64(b[h + 29]) << 8)
        let (end, overflow) = start.addingReportingOverflow(entry.compressedSize)
        guard !overflow, end <= UInt64(directoryOffset) else { throw FormatError(reason: "entry data outside the archive") }
        return Int(start)..<Int(end)
    }

    private static func dosTime(date: Int, time: Int) -> Int {
        var t = tm()
        t.tm_year = Int32((date >> 9) + 80)
        t.tm_mon = Int32(max(0, ((date >> 5) & 0xF) - 1))
        t.tm_mday = Int32(max(1, date & 0x1F))
        t.tm_hour = Int32(time >> 11)
        t.tm_min = Int32((time >> 5) & 0x3F)
        t.tm_sec = Int32((time & 0x1F) * 2)
        t.tm_isdst = -1
        return mktime(&t)
    }
}
