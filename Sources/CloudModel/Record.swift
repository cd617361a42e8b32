import Foundation

/// A persisted resource: stored as JSON in its kind's table and kept in memory in `CloudState`.
public protocol Record: Codable, Sendable, Equatable {
    /// The table name in the store; never change it once data exists.
    static var kind: String { get }
    /// Where the in-memory table for this record type lives.
    static var table: WritableKeyPath<CloudState, [String: Self]> { get }
    var id: String { get }
    /// True for account-wide records (IAM, STS sessions) kept in the global partition; regional records (the
    /// default) live in the partition of the region the request was signed for.
    static var isGlobal: Bool { get }
}

extension Record {
    public static var isGlobal: Bool { false }

    /// Decodes a stored body and inserts it into a state, used when loading the store at start.
    static func load(_ body: Data, into state: inout CloudState) throws {
        let r = try StoreCoding.decoder.decode(Self.self, from: body)
        state[keyPath: table][r.id] = r
    }

    /// Adds every record of this kind in `source` to `target` (ids are unique across partitions).
    static func copyAll(from source: CloudState, into target: inout CloudState) {
        let rows = source[keyPath: table]
        if rows.isEmpty { return }
        if target[keyPath: table].isEmpty { target[keyPath: table] = rows; return }
        target[keyPath: table].merge(rows) { _, new in new }
    }
}

/// One row to write in the store: a body to upsert, or nil to delete.
public struct StoredChange: Sendable, Equatable {
    public var kind: String
    public var id: String
    public var body: Data?

    public init(kind: String, id: String, body: Data?) {
        self.kind = kind
        self.id = id
        self.body = body
    }
}

/// The durable side of the state: the control plane writes each transaction's changes through it.
public protocol RecordStore: Sendable {
    /// Every stored row, to rebuild the in-memory state at start.
    func loadAll() throws -> [(kind: String, id: String, body: Data)]
    /// Writes all changes in one database transaction; returns only once they are durable.
    func commit(_ changes: [StoredChange]) throws
}

/// A RecordStore that keeps nothing, for unit tests of logic above the store.
public final class NullRecordStore: RecordStore {
    public init() {}
    public func loadAll() throws -> [(kind: String, id: String, body: Data)] { [] }
    public func commit(_ changes: [StoredChange]) throws {}
}
