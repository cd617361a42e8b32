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
    /// nil for a group a function's logs created and nothing configured since.
    public var settings: LogGroupSettings?
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

/// Log groups on disk, CloudWatch-shaped: `<dir>/<group>/<stream>.log`, one event per line
/// (`<timestamp ms>\t<ingestion ms>\t<message with \ and newline escaped>`), names percent-encoded, and the group's
/// `LogGroupSettings` in `<dir>/<group>/.settings.json` when it has any. Functions and PutLogEvents append alike.
/// Retention keeps each group under a byte cap; events older than a group's `retentionInDays` are neither read nor
/// kept; groups without a policy that functions created drop streams older than the server's age limit.
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
            guard !encoded.hasPrefix("."), let name = Self.decode(encoded), name.hasPrefix(prefix) else { return nil }
            let dir = directory + "/" + encoded
            let files = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
            let bytes = files.filter { $0.hasSuffix(".log") }.reduce(0) { $0 + Self.size(dir + "/" + $1) }
            let settings = LogGroupSettings.load(dir + "/" + LogGroupSettings.fileName)
            return LogGroupInfo(name: name, creationTime: settings?.creationTime ?? Self.creationMs(dir), storedBytes: bytes,
                                settings: settings)
        }.sorted { $0.name < $1.name }
    }

    /// The group's streams (nil when the group does not exist), sorted by name.
    public func streams(group: String, prefix: String = "", now: Date = Date()) -> [LogStreamInfo]? {
        let dir = directory + "/" + Self.encode(group)
        guard let files = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return nil }
        let cutoff = settings(group: group)?.retentionCutoff(now: now)
        return files.compactMap { file -> LogStreamInfo? in
            guard file.hasSuffix(".log"), let name = Self.decode(String(file.dropLast(4))), name.hasPrefix(prefix)
            else { return nil }
            let events = Self.read(dir + "/" + file, after: cutoff)
            return LogStreamInfo(name: name, creationTime: events.first?.timestamp ?? Self.creationMs(dir + "/" + file),
                                 firstEventTimestamp: events.first?.timestamp, lastEventTimestamp: events.last?.timestamp,
                                 lastIngestionTime: events.last?.ingestionTime, storedBytes: Self.size(dir + "/" + file))
        }.sorted { $0.name < $1.name }
    }

    /// A stream's events in order (nil when the stream does not exist).
    public func events(group: String, stream: String, now: Date = Date()) -> [LogEvent]? {
        let file = directory + "/" + Self.encode(group) + "/" + Self.encode(stream) + ".log"
        guard FileManager.default.fileExists(atPath: file) else { return nil }
        return Self.read(file, after: settings(group: group)?.retentionCutoff(now: now))
    }

    // MARK: groups and streams made through the API

    public func groupExists(_ group: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: groupDirectory(group), isDirectory: &isDirectory) && isDirectory.boolValue
    }

    public func streamExists(group: String, stream: String) -> Bool {
        FileManager.default.fileExists(atPath: streamFile(group, stream))
    }

    /// The group's settings (nil when it has none or does not exist).
    public func settings(group: String) -> LogGroupSettings? {
        LogGroupSettings.load(groupDirectory(group) + "/" + LogGroupSettings.fileName)
    }

    /// Creates the group with its settings; false when it already exists (a function's group included).
    public func createGroup(_ group: String, settings: LogGroupSettings) -> Bool {
        lock.withLock { _ in
            let dir = groupDirectory(group)
            guard mkdir(dir, 0o755) == 0 else { return false }
            if !settings.save(dir + "/" + LogGroupSettings.fileName) {
                try? FileManager.default.removeItem(atPath: dir)
                return false
            }
            return true
        }
    }

    /// Changes the group's settings (starting from its creation time when it had none); false when it does not exist.
    public func updateSettings(group: String, _ change: (inout LogGroupSettings) -> Void) -> Bool {
        lock.withLock { _ in
            let dir = groupDirectory(group)
            guard groupExists(group) else { return false }
            let path = dir + "/" + LogGroupSettings.fileName
            var settings = LogGroupSettings.load(path) ?? LogGroupSettings(creationTime: Self.creationMs(dir))
            change(&settings)
            return settings.save(path)
        }
    }

    /// Deletes the group with its streams, events and settings; false when it does not exist.
    public func deleteGroup(_ group: String) -> Bool {
        lock.withLock { _ in
            guard groupExists(group) else { return false }
            // Renamed away first so that a concurrent reader sees the whole group or none of it.
            let doomed = directory + "/.deleting-" + UUID().uuidString
            guard rename(groupDirectory(group), doomed) == 0 else { return false }
            try? FileManager.default.removeItem(atPath: doomed)
            return true
        }
    }

    /// Outcome of creating or deleting a stream.
    public enum StreamChange: Sendable, Equatable { case done, noGroup, streamExists, noStream }

    public func createStream(group: String, stream: String) -> StreamChange {
        lock.withLock { _ in
            guard groupExists(group) else { return .noGroup }
            let fd = open(streamFile(group, stream), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            guard fd >= 0 else { return .streamExists }
            close(fd)
            return .done
        }
    }

    public func deleteStream(group: String, stream: String) -> StreamChange {
        lock.withLock { _ in
            guard groupExists(group) else { return .noGroup }
            return unlink(streamFile(group, stream)) == 0 ? .done : .noStream
        }
    }

    private func groupDirectory(_ group: String) -> String { directory + "/" + Self.encode(group) }

    private func streamFile(_ group: String, _ stream: String) -> String {
        groupDirectory(group) + "/" + Self.encode(stream) + ".log"
    }

    /// Drops events past a group's retention period; then deletes streams past the age limit (the retention period,
    /// or the server's for functions' groups without settings; none for other groups), then the oldest streams of each
    /// group until it fits the byte cap.
    public func enforceRetention(now: Date = Date()) {
        lock.withLock { _ in
            let groups = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            for group in groups where !group.hasPrefix(".") {
                let dir = directory + "/" + group
                let settings = LogGroupSettings.load(dir + "/" + LogGroupSettings.fileName)
                let maxAge = settings.map { s in s.retentionInDays.map { Double($0) * 86400 } ?? .infinity } ?? maxAgeSeconds
                let logs = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".log") }
                if let cutoff = settings?.retentionCutoff(now: now) {
                    for name in logs { Self.dropEvents(before: cutoff, in: dir + "/" + name) }
                }
                var files = logs.map { name in
                    (path: dir + "/" + name, modified: Self.modified(dir + "/" + name), size: Self.size(dir + "/" + name))
                }.sorted { $0.modified < $1.modified }
                var total = files.reduce(0) { $0 + $1.size }
                while let oldest = files.first,
                      total > maxBytesPerGroup || now.timeIntervalSince1970 - oldest.modified > maxAge {
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

    /// The file's events, without those stamped before `cutoff`.
    private static func read(_ file: String, after cutoff: Int64? = nil) -> [LogEvent] {
        guard let data = FileManager.default.contents(atPath: file) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { line in
            let parts = line.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, let t = Int64(parts[0]), let i = Int64(parts[1]) else { return nil }
            if let cutoff, t < cutoff { return nil }
            return LogEvent(timestamp: t, message: unescape(parts[2]), ingestionTime: i)
        }
    }

    /// Rewrites a stream without its expired events (renamed into place, so readers see before or after), keeping the
    /// file's modification time so the age limit still sees when it was last written.
    private static func dropEvents(before cutoff: Int64, in file: String) {
        guard let data = FileManager.default.contents(atPath: file) else { return }
        let lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)
        let kept = lines.filter { line in
            guard let tab = line.firstIndex(of: UInt8(ascii: "\t")),
                  let t = Int64(String(decoding: line[line.startIndex..<tab], as: UTF8.self)) else { return false }
            return t >= cutoff
        }
        guard kept.count != lines.count else { return }
        let modified = (try? FileManager.default.attributesOfItem(atPath: file))?[.modificationDate] as? Date
        var out = Data()
        for line in kept { out.append(line); out.append(UInt8(ascii: "\n")) }
        let temporary = file + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: out) else { return }
        if let modified { try? FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: temporary) }
        if rename(temporary, file) != 0 { unlink(temporary) }
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
