import Foundation
import Testing
@testable import Workloads

/// An instance's console: what GetConsoleOutput shows and what stays on disk.
@Suite struct ConsoleLogTests {
    let dir: String = {
        let d = NSTemporaryDirectory() + "console-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }()

    @Test func keepsOutputInMemoryAndOnDisk() throws {
        let log = ConsoleLog(path: dir + "/i-1.log")
        log.append(Data("hello\n".utf8))
        log.append(Data("world\n".utf8))
        #expect(log.text == "hello\nworld\n")
        #expect(try String(contentsOfFile: dir + "/i-1.log", encoding: .utf8) == "hello\nworld\n")
    }

    @Test func showsOnlyTheLast64KBAndCutsTheFileBack() throws {
        let log = ConsoleLog(path: dir + "/i-2.log")
        let line = Data((String(repeating: "x", count: 1023) + "\n").utf8)
        for _ in 0..<1100 { log.append(line) }
        #expect(log.text.utf8.count == ConsoleLog.memoryLimit)
        let size = try FileManager.default.attributesOfItem(atPath: dir + "/i-2.log")[.size] as! Int
        #expect(size <= ConsoleLog.fileLimit)
        #expect(size >= ConsoleLog.memoryLimit)
    }

    @Test func startsFromTheFileAfterARestartAndWritesAfterClose() throws {
        let first = ConsoleLog(path: dir + "/i-3.log")
        first.append(Data("before\n".utf8))
        first.close()
        let second = ConsoleLog(path: dir + "/i-3.log")
        #expect(second.text == "before\n")
        second.close()
        second.append(Data("after\n".utf8))
        #expect(second.text == "before\nafter\n")
        #expect(try String(contentsOfFile: dir + "/i-3.log", encoding: .utf8) == "before\nafter\n")
    }
}
