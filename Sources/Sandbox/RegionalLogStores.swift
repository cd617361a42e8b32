import Foundation
import Synchronization

/// Functions' logs, one `FunctionLogStore` per region under `<data-dir>/logs/<region>/`, as log groups are regional.
/// A logs directory from before regions existed (groups directly under `logs/`) moves once into the home region's.
public final class RegionalLogStores: Sendable {
    public let root: String
    private let maxBytesPerGroup: Int
    private let maxAgeSeconds: Double
    private let stores = Mutex<[String: FunctionLogStore]>([:])
    /// Marks a logs directory whose entries are regions.
    static let marker = ".regional"

    public init(root: String, homeRegion: String, maxBytesPerGroup: Int, maxAgeSeconds: Double) {
        self.root = root
        self.maxBytesPerGroup = maxBytesPerGroup
        self.maxAgeSeconds = maxAgeSeconds
        Self.migrate(root: root, homeRegion: homeRegion)
    }

    /// The region's store, created on first use.
    public func store(region: String) -> FunctionLogStore {
        stores.withLock { s in
            if let existing = s[region] { return existing }
            let made = FunctionLogStore(directory: root + "/" + region, maxBytesPerGroup: maxBytesPerGroup, maxAgeSeconds: maxAgeSeconds)
            s[region] = made
            return made
        }
    }

    /// Applies retention in every region that has logs.
    public func enforceRetention() {
        let regions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).filter { !$0.hasPrefix(".") }
        for r in regions { store(region: r).enforceRetention() }
    }

    static func migrate(root: String, homeRegion: String) {
        let fm = FileManager.default
        try? fm.createDirectory(atPath: root, withIntermediateDirectories: true)
        if fm.fileExists(atPath: root + "/" + marker) { return }
        let entries = ((try? fm.contentsOfDirectory(atPath: root)) ?? []).filter { !$0.hasPrefix(".") }
        if !entries.isEmpty {
            let home = root + "/.migrating-" + homeRegion
            try? fm.createDirectory(atPath: home, withIntermediateDirectories: true)
            for e in entries { try? fm.moveItem(atPath: root + "/" + e, toPath: home + "/" + e) }
            try? fm.moveItem(atPath: home, toPath: root + "/" + homeRegion)
        }
        _ = fm.createFile(atPath: root + "/" + marker, contents: Data())
    }
}
