import Foundation
import Testing
@testable import Sandbox

/// Layers merged in order: later files win, directories merge, and a link an earlier layer left never leads a later
/// layer's files outside the destination.
@Suite struct LayerMergeTests {
    private func scratch() throws -> String {
        let base = NSTemporaryDirectory() + "lv-merge-" + UUID().uuidString
        for d in ["one/python", "two/python", "opt", "outside"] {
            try FileManager.default.createDirectory(atPath: base + "/" + d, withIntermediateDirectories: true)
        }
        return base
    }

    private func read(_ path: String) -> String? { try? String(contentsOfFile: path, encoding: .utf8) }

    @Test func laterLayerWinsAndDirectoriesMerge() throws {
        let base = try scratch()
        defer { try? FileManager.default.removeItem(atPath: base) }
        try "one".write(toFile: base + "/one/python/shared.py", atomically: false, encoding: .utf8)
        try "only one".write(toFile: base + "/one/python/a.py", atomically: false, encoding: .utf8)
        try "two".write(toFile: base + "/two/python/shared.py", atomically: false, encoding: .utf8)
        try LayerMerge.merge(from: base + "/one", into: base + "/opt")
        try LayerMerge.merge(from: base + "/two", into: base + "/opt")
        #expect(read(base + "/opt/python/shared.py") == "two")
        #expect(read(base + "/opt/python/a.py") == "only one")
        // The first layer's own copy is untouched (the merge replaces, never writes through, a hard link).
        #expect(read(base + "/one/python/shared.py") == "one")
    }

    @Test func linkOfEarlierLayerIsReplacedNotFollowed() throws {
        let base = try scratch()
        defer { try? FileManager.default.removeItem(atPath: base) }
        try FileManager.default.removeItem(atPath: base + "/one/python")
        try FileManager.default.createSymbolicLink(atPath: base + "/one/python", withDestinationPath: base + "/outside")
        try "two".write(toFile: base + "/two/python/x.py", atomically: false, encoding: .utf8)
        try LayerMerge.merge(from: base + "/one", into: base + "/opt")
        try LayerMerge.merge(from: base + "/two", into: base + "/opt")
        #expect(read(base + "/opt/python/x.py") == "two")
        #expect(try FileManager.default.contentsOfDirectory(atPath: base + "/outside").isEmpty)
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: base + "/opt/python")) == nil)
    }
}
