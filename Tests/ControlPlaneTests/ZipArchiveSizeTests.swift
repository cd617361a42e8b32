import ControlPlane
import Testing

/// The unzipped size a package declares, read from its central directory.
struct ZipArchiveSizeTests {
    /// A zip whose central directory lists one entry per size (no data needed: only the directory is read).
    static func archive(declaring sizes: [UInt32]) -> [UInt8] {
        func le(_ v: UInt64, _ n: Int) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) } }
        var b: [UInt8] = [0x50, 0x4B, 0x03, 0x04] + Array(repeating: 0, count: 26)
        let directory = b.count
        for size in sizes {
            var h: [UInt8] = [0x50, 0x4B, 0x01, 0x02] + Array(repeating: 0, count: 42)
            h.replaceSubrange(24..<28, with: le(UInt64(size), 4))
            h.replaceSubrange(28..<30, with: le(1, 2))
            b += h + [UInt8(ascii: "a")]
        }
        var end: [UInt8] = [0x50, 0x4B, 0x05, 0x06] + Array(repeating: 0, count: 18)
        end.replaceSubrange(8..<10, with: le(UInt64(sizes.count), 2))
        end.replaceSubrange(10..<12, with: le(UInt64(sizes.count), 2))
        end.replaceSubrange(16..<20, with: le(UInt64(directory), 4))
        return b + end
    }

    @Test func sumsTheDeclaredSizes() {
        #expect(ZipArchive.declaredUnzippedSize(Self.archive(declaring: [10, 20, 4_000_000_000])) == 4_000_000_030)
        #expect(ZipArchive.declaredUnzippedSize(Self.archive(declaring: [])) == 0)
    }

    @Test func anUnreadableDirectoryDeclaresNothing() {
        var broken = Self.archive(declaring: [10])
        broken[30] = 0 // the central header's signature
        #expect(ZipArchive.declaredUnzippedSize(broken) == nil)
        #expect(ZipArchive.declaredUnzippedSize([0x50, 0x4B]) == nil)
    }

    /// `archive(declaring:)` with its end record in the zip64 form: classic fields at their 0xFFFF markers, the
    /// entry count and directory offset in a zip64 end record found through its locator.
    static func zip64(declaring sizes: [UInt32], directoryOffset: UInt64? = nil) -> [UInt8] {
        func le(_ v: UInt64, _ n: Int) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) } }
        var b = Array(archive(declaring: sizes).dropLast(22))
        let record = b.count
        b += [0x50, 0x4B, 0x06, 0x06] + le(44, 8) + Array(repeating: 0, count: 20)
            + le(UInt64(sizes.count), 8) + le(UInt64(47 * sizes.count), 8) + le(directoryOffset ?? 30, 8)
        b += [0x50, 0x4B, 0x06, 0x07] + le(0, 4) + le(UInt64(record), 8) + le(1, 4)
        b += [0x50, 0x4B, 0x05, 0x06] + le(0, 4) + le(0xFFFF, 2) + le(0xFFFF, 2) + le(0xFFFF_FFFF, 4) + le(0xFFFF_FFFF, 4) + le(0, 2)
        return b
    }

    @Test func readsTheZip64EndRecord() {
        #expect(ZipArchive.declaredUnzippedSize(Self.zip64(declaring: [7, 8])) == 15)
    }

    /// Found by fuzz/targets/zip_directory.swift: a zip64 directory offset past Int.max crashed the server.
    @Test func aZip64DirectoryOffsetBeyondTheFileDeclaresNothing() {
        for offset: UInt64 in [UInt64.max, 1 << 63, UInt64(Int.max), UInt64(Int.max) - 1, 1 << 40] {
            #expect(ZipArchive.declaredUnzippedSize(Self.zip64(declaring: [10], directoryOffset: offset)) == nil)
        }
    }
}
