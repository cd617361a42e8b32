/// The DNS names AWS gives managed engines, with their per-account parts made stable from the account and region.
public enum ManagedEndpoints {
    /// `id.cXXXXXXXXXXX.us-east-1.rds.amazonaws.com`: the 12-character label is the same for every instance of an
    /// account in a region, as on RDS.
    public static func rdsAddress(id: String, accountId: String, region: String) -> String {
        "\(id.lowercased()).c\(label(accountId + "/" + region + "/rds", count: 11)).\(region).rds.amazonaws.com"
    }

    /// `id.xxxxxx.0001.use1.cache.amazonaws.com`: a node's name (node `0001` is the first).
    public static func cacheNodeAddress(id: String, node: Int = 1, accountId: String, region: String) -> String {
        let n = String(node)
        return "\(id.lowercased()).\(label(accountId + "/" + region + "/cache", count: 6)).\(String(repeating: "0", count: max(0, 4 - n.count)) + n).\(shortRegion(region)).cache.amazonaws.com"
    }

    /// `id.xxxxxx.cfg.use1.cache.amazonaws.com`: a memcached cluster's configuration endpoint.
    public static func cacheConfigurationAddress(id: String, accountId: String, region: String) -> String {
        "\(id.lowercased()).\(label(accountId + "/" + region + "/cache", count: 6)).cfg.\(shortRegion(region)).cache.amazonaws.com"
    }

    /// `id.xxxxxx.ng.0001.use1.cache.amazonaws.com` (and `id-ro.…` for the reader): a replication group's endpoints.
    public static func replicationGroupAddress(id: String, reader: Bool, accountId: String, region: String) -> String {
        "\(id.lowercased())\(reader ? "-ro" : "").\(label(accountId + "/" + region + "/cache", count: 6)).ng.0001.\(shortRegion(region)).cache.amazonaws.com"
    }

    /// ElastiCache's short region names: `us-east-1` → `use1`, `ap-southeast-2` → `apse2`, `eu-central-1` → `euc1`.
    public static func shortRegion(_ region: String) -> String {
        let parts = region.split(separator: "-").map(String.init)
        guard parts.count >= 3 else { return region.replacingOccurrences(of: "-", with: "") }
        var direction = ""
        var rest = Substring(parts[1])
        for word in ["north", "south", "east", "west", "central"] where rest.hasPrefix(word) {
            direction.append(word.first!)
            rest = rest.dropFirst(word.count)
        }
        for word in ["north", "south", "east", "west", "central"] where rest.hasPrefix(word) {
            direction.append(word.first!)
            rest = rest.dropFirst(word.count)
        }
        if direction.isEmpty { direction = String(parts[1].prefix(1)) }
        return parts[0] + direction + parts[2...].joined()
    }

    /// `count` lower-case letters and digits from an FNV-1a hash of `seed`.
    static func label(_ seed: String, count: Int) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        var h: UInt64 = 0xcbf29ce484222325
        for b in seed.utf8 { h = (h ^ UInt64(b)) &* 0x100000001b3 }
        var out = ""
        for _ in 0..<count {
            out.append(alphabet[Int(h % 36)])
            h = (h / 36) ^ (h &* 0x9E3779B97F4A7C15)
        }
        return out
    }
}
