import AWSWire
import CloudModel

/// A region's zones as an account sees them: `<region>a`, `b`, … (six in us-east-1, four in us-west-2, two in
/// us-west-1, three elsewhere), zone ids `use1-az1` … in the same order.
public struct AvailabilityZones: Sendable {
    public struct Zone: Sendable, Equatable {
        public var name: String
        public var id: String
    }
    public let region: String
    public let zones: [Zone]

    public init(region: String) {
        self.region = region
        let short = Self.shortRegion(region)
        let count = Self.zoneCounts[region] ?? 3
        zones = ["a", "b", "c", "d", "e", "f"].prefix(count).enumerated().map { i, l in Zone(name: region + l, id: "\(short)-az\(i + 1)") }
    }

    /// The region a zone name belongs to (`us-east-1a` → `us-east-1`).
    public static func region(ofZone zone: String) -> String { String(zone.dropLast()) }

    static let zoneCounts = ["us-east-1": 6, "us-west-2": 4, "us-west-1": 2, "ap-northeast-2": 4, "ca-central-1": 3]

    public func byName(_ name: String) -> Zone? { zones.first { $0.name == name } }
    public func byId(_ id: String) -> Zone? { zones.first { $0.id == id } }
    public func zoneId(ofName name: String) -> String { byName(name)?.id ?? "" }

    /// `us-east-1` → `use1`, `ap-southeast-2` → `apse2`, `eu-central-1` → `euc1`.
    static func shortRegion(_ region: String) -> String {
        let parts = region.split(separator: "-").map(String.init)
        guard parts.count >= 3 else { return region }
        let directions = ["north": "n", "south": "s", "east": "e", "west": "w", "central": "c",
                          "northeast": "ne", "southeast": "se", "northwest": "nw", "southwest": "sw"]
        let middle = parts[1..<(parts.count - 1)].map { directions[$0] ?? String($0.prefix(1)) }.joined()
        return parts[0] + middle + parts[parts.count - 1]
    }
}

extension EC2Service {
    func describeAvailabilityZones(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let groupName = region + "-zg-1"
        let region = self.region
        typealias Zone = AvailabilityZones.Zone
        let fields: EC2Filters.Fields<Zone> = [
            "zone-name": { (z: Zone) in [z.name] },
            "zone-id": { (z: Zone) in [z.id] },
            "state": { (_: Zone) in ["available"] },
            "region-name": { (_: Zone) in [region] },
            "group-name": { (_: Zone) in [groupName] },
            "zone-type": { (_: Zone) in ["availability-zone"] },
            "opt-in-status": { (_: Zone) in ["opt-in-not-required"] },
            "network-border-group": { (_: Zone) in [region] },
        ]
        let filter = try EC2Filters.compile(p, tags: nil) { fields }
        var zones = self.zones.zones
        let names = p.list("ZoneName"), ids = p.list("ZoneId")
        if !names.isEmpty || !ids.isEmpty {
            for n in names where self.zones.byName(n) == nil { throw EC2Errors.zoneNotFound(n) }
            for i in ids where self.zones.byId(i) == nil { throw EC2Errors.zoneNotFound(i) }
            zones = zones.filter { names.contains($0.name) || ids.contains($0.id) }
        }
        zones = zones.filter(filter.matches)
        return EC2XML.response("DescribeAvailabilityZones", requestID: ctx.requestID) { w in
            w.list("availabilityZoneInfo", zones) { w, z in
                w.element("optInStatus", "opt-in-not-required")
                w.element("zoneName", z.name)
                w.element("zoneId", z.id)
                w.element("zoneState", "available")
                w.element("regionName", self.region)
                w.element("groupName", groupName)
                w.element("networkBorderGroup", self.region)
                w.element("zoneType", "availability-zone")
                w.open("messageSet"); w.close("messageSet")
            }
        }
    }
}
