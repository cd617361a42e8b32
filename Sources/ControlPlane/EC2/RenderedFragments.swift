import Synchronization

/// The XML of records as last rendered, reused while the record (and whatever else went into its XML) is unchanged:
/// a Describe of unchanged resources then costs a comparison and a copy per item instead of a rendering.
final class RenderedFragments<Key: Equatable & Sendable>: Sendable {
    private let entries = Mutex<[String: (key: Key, xml: String)]>([:])
    /// Past this many entries the cache starts over, so deleted records do not pile up.
    private let limit: Int

    init(limit: Int = 8192) { self.limit = limit }

    /// The fragment for `id` rendered from `key`, rendering it with `render` only when `key` changed.
    func fragment(_ id: String, key: Key, render: () -> String) -> String {
        if let hit = entries.withLock({ $0[id] }), hit.key == key { return hit.xml }
        let xml = render()
        entries.withLock { e in
            if e.count >= limit { e.removeAll(keepingCapacity: true) }
            e[id] = (key, xml)
        }
        return xml
    }
}
