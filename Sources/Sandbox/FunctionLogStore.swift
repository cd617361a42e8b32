import Foundation
import Synchronization

/// One log event as CloudWatch Logs keeps it (times in epoch milliseconds).
public struct LogEvent: Sendable, Equatable {
    public var timestamp: Int64
    public var message: String
    public var ingestionTime: Int64

    public init(timestamp: Int64, message: String, ingestionTime: Int64? = nil) {
        self.timestamp = timestamp
        self.message = message
        self.ingestionTime = ingestionTime ?? timestamp
    }
}

/// A log group's summary.
public struct LogGroupInfo: Sendable, Equatable {
    public var name: String
    public var creationTime: Int64
    public var storedBytes: Int
}

/// A log stream's summary.
public struct LogStreamInfo: Sendable, Equatable {
    public var name: String
    public var creationTime: Int64
    public var firstEventTimestamp: Int64?
    public var lastEventTimestamp: Int64?
    public var lastIngestionTime: Int64?
    public var storedBytes: Int
}

/// Function logs on disk, CloudWatch-shaped: `<dir>/<group>/<stream>.log`, one event per line
/// (`<timestamp ms>\t<ingestion ms>\t<message with \ and newline escaped>`), names percent-encoded.
/// Retention keeps each group under a byte cap and drops streams older than the age limit.
public final class FunctionLogStore: Sendable {
    public let directory: String
    private let maxBytesPerGroup: Int
    private let maxAgeSeconds: Double
    private let lock = Mutex(())

    public init(directory: String, maxBytesPerGroup: Int = 32 << 20, maxAgeSeconds: Double = 7 * 86400) {
        self.directory = directory
        self.maxBytesPerGroup = maxBytesPerGroup
        self.maxAgeSeconds = maxAgeSeconds
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    public func append(group: String, stream: String, events: [LogEvent]) {
        guard !events.isEmpty else { return }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(events.reduce(0) { $0 + $1.message.utf8.count + 32 })
        for e in events {
            bytes += String(e.timestamp).utf8
            bytes.append(UInt8(ascii: "\t"))
            bytes += String(e.ingestionTime).utf8
            bytes.append(UInt8(ascii: "\t"))
            Self.appendEscaped(e.message, to: &bytes)
            bytes.append(UInt8(ascii: "\n"))
        }
        let groupDir = directory + "/" + Self.encode(group)
        let file = groupDir + "/" + Self.encode(stream) + ".log"
        lock.withLock { _ in
            var fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
            if fd < 0 {
                try? FileManager.default.createDirectory(atPath: groupDir, withIntermediateDirectories: true)
                fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
            }
            guard fd >= 0 else { return }
            _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
        }
    }

    /// Groups whose name starts with `prefix`, sorted by name.
    public func groups(prefix: String = "") -> [LogGroupInfo] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.compactMap { encoded -> LogGroupInfo? in
            guard let name = Self.decode(encoded), name.hasPrefix(prefix) else { return nil }
            let dir = directory + "/" + encoded
            let files = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
            let bytes = files.reduce(0) { $0 + Self.size(dir + "/" + $1) }
            return LogGroupInfo(name: name, creationTime: Self.creationMs(dir), storedBytes: bytes)
        }.sorted { $0.name < $1.name }
    }

    /// The group's streams (nil when the group does not exist), sorted by name.
    public func streams(group: String, prefix: String = "") -> [LogStreamInfo]? {
        let dir = directory + "/" + Self.encode(group)
        guard let files = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return nil }
        return files.compactMap { file -> LogStreamInfo? in
            guard file.hasSuffix(".log"), let name = Self.decode(String(file.dropLast(4))), name.hasPrefix(prefix)
            else { return nil }
            let events = Self.read(dir + "/" + file)
            return LogStreamInfo(name: name, creationTime: events.first?.timestamp ?? Self.creationMs(dir + "/" + file),
                                 firstEventTimestamp: events.first?.timestamp, lastEventTimestamp: events.last?.timestamp,
                                 lastIngestionTime: events.last?.ingestionTime, storedBytes: Self.size(dir + "/" + file))
        }.sorted { $0.name < $1.name }
    }

    /// A stream's events in order (nil when the stream does not exist).
    public func events(group: String, stream: String) -> [LogEvent]? {
        let file = directory + "/" + Self.encode(group) + "/" + Self.encode(stream) + ".log"
        guard FileManager.default.fileExists(atPath: file) else { return nil }
        return Self.read(file)
    }

    /// Deletes streams past the age limit, then the oldest streams of each group until it fits the byte cap.
    public func enforceRetention(now: Date = Date()) {
        lock.withLock { _ in
            let groups = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            for group in groups {
                let dir = directory + "/" + group
                var files = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).map { name in
                    (path: dir + "/" + name, modified: Self.modified(dir + "/" + name), size: Self.size(dir + "/" + name))
                }.sorted { $0.modified < $1.modified }
                var total = files.reduce(0) { $0 + $1.size }
                while let oldest = files.first,
                      total > maxBytesPerGroup || now.timeIntervalSince1970 - oldest.modified > maxAgeSeconds {
                    try? FileManager.default.removeItem(atPath: oldest.path)
                    total -= oldest.size
                    files.removeFirst()
                }
            }
        }
    }

    // MARK: encoding

    /// Percent-encodes every byte but ASCII letters, digits, `.`, `_` and `-` (and a leading `.`), byte by byte:
    /// it runs twice per invocation.
    static func encode(_ name: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(name.utf8.count + 8)
        for byte in name.utf8 {
            let plain = (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
                || (byte == UInt8(ascii: ".") && !out.isEmpty)
            if plain {
                out.append(byte)
            } else {
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0xf)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func decode(_ encoded: String) -> String? {
        var bytes: [UInt8] = []
        var it = Array(encoded.utf8)[...]
        while let b = it.popFirst() {
            if b == UInt8(ascii: "%") {
                guard it.count >= 2, let v = UInt8(String(decoding: it.prefix(2), as: UTF8.self), radix: 16) else { return nil }
                bytes.append(v)
                it = it.dropFirst(2)
            } else {
                bytes.append(b)
            }
        }
        return String(bytes: bytes, encoding: .utf8)
    }

    static func escape(_ message: String) -> String {
        var out: [UInt8] = []
        appendEscaped(message, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `\` → `\\`, newline → `\n`; bytes, not Foundation: it runs for every log line.
    static func appendEscaped(_ message: String, to out: inout [UInt8]) {
        for byte in message.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case UInt8(ascii: "\n"): out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            default: out.append(byte)
            }
        }
    }

    static func unescape(_ text: Substring) -> String {
        guard text.contains("\\") else { return String(text) }
        var out = ""
        var escaping = false
        for c in text {
            if escaping { out.append(c == "n" ? "\n" : c); escaping = false } else if c == "\\" { escaping = true } else { out.append(c) }
        }
        return out
    }

    private static func read(_ file: String) -> [LogEvent] {
        guard let data = FileManager.default.contents(atPath: file) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { line in
            let parts = line.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, let t = Int64(parts[0]), let i = Int64(parts[1]) else { return nil }
            return LogEvent(timestamp: t, message: unescape(parts[2]), ingestionTime: i)
        }
    }

    private static func size(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    private static func modified(_ path: String) -> Double {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
    }

    private static func creationMs(_ path: String) -> Int64 {
        let attrs = try? FileManager.default.attributesOfItem(atPath: path)
        let date = (attrs?[.creationDate] as? Date) ?? (attrs?[.modificationDate] as? Date) ?? Date()
        return Int64(date.timeIntervalSince1970 * 1000)
    }
}
