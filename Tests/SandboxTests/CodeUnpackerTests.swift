import Foundation
import Testing
@testable import Sandbox

/// The server's own unzip: what lands in the task directory, and what never does (more than the budget, anything
/// outside the directory, anything written through a link).
struct CodeUnpackerTests {
    /// A fresh empty directory to unpack into, and a sibling that must stay untouched.
    private func scratch() throws -> (dir: String, outside: String) {
        let base = NSTemporaryDirectory() + "lv-unpack-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: base + "/task", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: base + "/outside", withIntermediateDirectories: true)
        return (base + "/task", base + "/outside")
    }

    private func unpack(_ zip: TestZip, budget: UInt64 = CodeUnpacker.unzippedLimit) throws -> (Result<Void, CodeUnpacker.Failure>, String, String) {
        let (dir, outside) = try scratch()
        let path = try zip.write()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = Result { () throws(CodeUnpacker.Failure) in _ = try CodeUnpacker.unpack(zipPath: path, into: dir, budget: budget) }
        return (result, dir, outside)
    }

    private func mode(_ path: String) -> Int {
        var st = stat()
        return lstat(path, &st) == 0 ? Int(st.st_mode) : -1
    }

    private func contents(_ dir: String) -> [String] {
        ((FileManager.default.enumerator(atPath: dir)?.allObjects as? [String]) ?? []).sorted()
    }

    @Test func aNormalPackageKeepsDirectoriesModesAndLinks() throws {
        let code = Array("def handler(e, c):\n    return 42\n".utf8)
        let (result, dir, _) = try unpack(TestZip(entries: [
            .init(name: "lib/", data: [], mode: 0o040755),
            .init(name: "lib/util.py", data: code, deflate: true),
            .init(name: "bootstrap", data: Array("#!/bin/sh\necho hi\n".utf8), mode: 0o100755, deflate: true),
            .init(name: "sub/deep/data.bin", data: Array(repeating: 7, count: 100_000), mode: 0o104777),
            .init(name: "plain.txt", data: Array("no unix attributes".utf8), mode: nil),
            .init(name: "link.py", data: Array("lib/util.py".utf8), mode: 0o120777),
        ]))
        try result.get()
        #expect(contents(dir) == ["bootstrap", "lib", "lib/util.py", "link.py", "plain.txt", "sub", "sub/deep", "sub/deep/data.bin"])
        #expect(FileManager.default.contents(atPath: dir + "/lib/util.py") == Data(code))
        #expect(mode(dir + "/bootstrap") & 0o7777 == 0o755)
        #expect(FileManager.default.isExecutableFile(atPath: dir + "/bootstrap"))
        // Permission bits kept, set-uid dropped; no attributes at all: 0644.
        #expect(mode(dir + "/sub/deep/data.bin") & 0o7777 == 0o777)
        #expect(mode(dir + "/plain.txt") & 0o7777 == 0o644)
        #expect(mode(dir + "/sub") & 0o170777 == 0o040755)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: dir + "/link.py") == "lib/util.py")
        #expect(FileManager.default.contents(atPath: dir + "/link.py") == Data(code))
    }

    @Test func anEntryThatInflatesPastItsDeclaredSizeIsRefusedAndNotStoredBeyondIt() throws {
        let zeros = [UInt8](repeating: 0, count: 3_000_000)
        // Small enough for the budget: a corrupt package. Past the budget: too large. Either way no more than declared.
        let lie = TestZip(entries: [.init(name: "a.bin", data: zeros, deflate: true, declaredSize: 1000)])
        let (small, dir1, _) = try unpack(lie, budget: 10_000_000)
        guard case .failure(.invalid) = small else { Issue.record("expected invalid, got \(small)"); return }
        let (big, dir2, _) = try unpack(lie, budget: 1_000_000)
        #expect(throws: CodeUnpacker.Failure.tooLarge) { try big.get() }
        for dir in [dir1, dir2] {
            let size = (try? FileManager.default.attributesOfItem(atPath: dir + "/a.bin")[.size] as? Int) ?? 0
            #expect(size <= 1000)
        }
    }

    @Test func manyEntriesOverTheBudgetAreRefusedBeforeAnythingIsWritten() throws {
        let entries = (0..<50).map { TestZip.Entry(name: "f\($0).bin", data: [UInt8](repeating: 1, count: 30_000), deflate: true) }
        let (result, dir, _) = try unpack(TestZip(entries: entries), budget: 1_000_000)
        #expect(throws: CodeUnpacker.Failure.tooLarge) { try result.get() }
        #expect(contents(dir).isEmpty)
        // Each one lying by half: the declared total fits, the first liar stops the unpacking at its declared size.
        let liars = (0..<50).map {
            TestZip.Entry(name: "f\($0).bin", data: [UInt8](repeating: 1, count: 30_000), deflate: true, declaredSize: 15_000)
        }
        let (stopped, dir2, _) = try unpack(TestZip(entries: liars), budget: 1_000_000)
        guard case .failure(.invalid) = stopped else { Issue.record("expected invalid, got \(stopped)"); return }
        let written = contents(dir2).reduce(0) { sum, name in
            sum + ((try? FileManager.default.attributesOfItem(atPath: dir2 + "/" + name)[.size] as? Int) ?? 0)
        }
        #expect(written <= 15_000)
    }

    @Test(arguments: ["../evil.py", "a/../../evil.py", "/tmp/evil.py", "ok/../../../evil.py", ".."])
    func namesThatLeaveTheDirectoryAreRefused(_ name: String) throws {
        let (result, dir, outside) = try unpack(TestZip(entries: [
            .init(name: "fine.py", data: [1]), .init(name: name, data: Array("x".utf8)),
        ]))
        guard case .failure(.invalid) = result else { Issue.record("\(name) accepted"); return }
        #expect(contents(dir).isEmpty)
        #expect(contents(outside).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: "/tmp/evil.py"))
    }

    @Test func nothingIsWrittenThroughALinkEntry() throws {
        let (_, outside) = try scratch()
        // The link comes last in the archive and first: either way the file beneath it is refused.
        for order in [false, true] {
            var entries: [TestZip.Entry] = [
                .init(name: "escape", data: Array(outside.utf8), mode: 0o120777),
                .init(name: "escape/payload.sh", data: Array("owned".utf8)),
            ]
            if order { entries.reverse() }
            let (result, dir, _) = try unpack(TestZip(entries: entries))
            guard case .failure(.invalid) = result else { Issue.record("accepted"); return }
            #expect(contents(dir).isEmpty)
            #expect(contents(outside).isEmpty)
        }
        // A link pointing anywhere is fine by itself (it is only ever resolved inside the sandbox).
        let (ok, dir, _) = try unpack(TestZip(entries: [.init(name: "etc", data: Array("/etc".utf8), mode: 0o120777)]))
        try ok.get()
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: dir + "/etc") == "/etc")
    }

    @Test func dataDescriptorsAndZip64DirectoriesAreRead() throws {
        let body = Array("print('hello')\n".utf8)
        for zip64 in [false, true] {
            let (result, dir, _) = try unpack(TestZip(entries: [
                .init(name: "app.py", data: body, deflate: true, descriptor: true),
                .init(name: "stored.txt", data: Array("stored".utf8), descriptor: true),
            ], zip64: zip64))
            try result.get()
            #expect(FileManager.default.contents(atPath: dir + "/app.py") == Data(body))
            #expect(FileManager.default.contents(atPath: dir + "/stored.txt") == Data("stored".utf8))
        }
    }

    @Test func aCRCMismatchIsRefused() throws {
        let (result, _, _) = try unpack(TestZip(entries: [.init(name: "a.py", data: Array("x = 1".utf8), deflate: true, crc: 1234)]))
        #expect(throws: CodeUnpacker.Failure.invalid("a.py: CRC mismatch")) { try result.get() }
    }

    @Test func theCodeStoreRemovesStagingOnFailureAndDirectoriesOnlyOnceUnused() async throws {
        let data = NSTemporaryDirectory() + "lv-codestore-" + UUID().uuidString
        let store = CodeStore(dataDir: data, budget: 100_000)
        let bomb = try TestZip(entries: [.init(name: "z", data: [UInt8](repeating: 0, count: 1_000_000), deflate: true,
                                               declaredSize: 10)]).write()
        await #expect(throws: SandboxError.unzippedTooLarge) { try await store.acquire(zipPath: bomb, sha256: "bomb") }
        #expect(contents(data + "/tasks").isEmpty)
        // Known now: refused again even with the package gone, nothing inflated.
        try FileManager.default.removeItem(atPath: bomb)
        await #expect(throws: SandboxError.unzippedTooLarge) { try await store.acquire(zipPath: bomb, sha256: "bomb") }
        store.remove([], keeping: [])
        await #expect(throws: SandboxError.invalidCode("Could not unzip uploaded file. Please check your file, then try to upload again.")) {
            try await store.acquire(zipPath: bomb, sha256: "bomb")
        }

        let good = try TestZip(entries: [.init(name: "bootstrap", data: [1], mode: 0o100755)]).write()
        let dir = try await store.acquire(zipPath: good, sha256: "good")
        #expect(store.unpacked() == ["good"])
        store.remove(["good"])
        #expect(FileManager.default.fileExists(atPath: dir + "/bootstrap"), "in use: kept")
        store.release(sha256: "good")
        #expect(!FileManager.default.fileExists(atPath: dir))
        #expect(contents(data + "/tasks").isEmpty)
    }
}
