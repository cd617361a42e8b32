import AWSWire
import CloudModel

/// Account- and region-wide reads: DescribeRegions, DescribeAccountAttributes, DescribeAddressesAttribute, and the
/// ClassicLink reads, which AWS answers with `UnsupportedOperation` since EC2-Classic's retirement (Terraform's
/// provider 5.x no longer calls them; 4.x treats that error as "not enabled").
extension EC2Service {
    func describeRegions(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        typealias Region = AWSRegions.Region
        let filter = try EC2Filters.compile(p, tags: nil) { () -> EC2Filters.Fields<Region> in
            [
                "endpoint": { [$0.endpoint] },
                "region-name": { [$0.name] },
                "opt-in-status": { [Self.optInStatus($0)] },
            ]
        }
        let all = p["AllRegions"]?.lowercased() == "true"
        var regions = AWSRegions.all
        let names = p.list("RegionName")
        if !names.isEmpty {
            let unknown = names.filter { AWSRegions.region(named: $0) == nil }
            if !unknown.isEmpty { throw EC2Errors.invalidRegionNames(unknown) }
            regions = regions.filter { names.contains($0.name) }
        } else if !all {
            regions = regions.filter { !$0.requiresOptIn }
        }
        regions = regions.filter(filter.matches)
        return EC2XML.response("DescribeRegions", requestID: ctx.requestID) { w in
            w.list("regionInfo", regions) { w, r in
                w.element("regionName", r.name)
                w.element("regionEndpoint", r.endpoint)
                w.element("optInStatus", Self.optInStatus(r))
            }
        }
    }

    static func optInStatus(_ r: AWSRegions.Region) -> String { r.requiresOptIn ? "not-opted-in" : "opt-in-not-required" }

    /// The account's quotas as EC2 states them; `default-vpc` names the region's default VPC when there is one.
    func describeAccountAttributes(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let s = store.snapshot()
        let defaultVpc = s.vpcs.values.filter(\.isDefault).map(\.id).min() ?? "none"
        let attributes: [(String, [String])] = [
            ("vpc-max-security-groups-per-interface", ["5"]),
            ("max-instances", [String(LaunchRequest.instanceLimit)]),
            ("supported-platforms", ["VPC"]),
            ("default-vpc", [defaultVpc]),
            ("max-elastic-ips", ["5"]),
            ("vpc-max-elastic-ips", ["5"]),
        ]
        let names = p.list("AttributeName")
        for n in names where !attributes.contains(where: { $0.0 == n }) { throw EC2Errors.unknownAccountAttribute(n) }
        let chosen = names.isEmpty ? attributes : attributes.filter { names.contains($0.0) }
        return EC2XML.response("DescribeAccountAttributes", requestID: ctx.requestID) { w in
            w.list("accountAttributeSet", chosen) { w, a in
                w.element("attributeName", a.0)
                w.list("attributeValueSet", a.1) { w, v in w.element("attributeValue", v) }
            }
        }
    }

    /// The reverse-DNS (PTR) record of Elastic IPs: none is ever set here, so each address comes back bare.
    func describeAddressesAttribute(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let attribute = try required(p, "Attribute", as: "attribute")
        guard attribute == "domain-name" else { throw EC2Errors.unknownVpcAttribute(attribute) }
        let s = store.snapshot()
        var found = try lookup(p, "AllocationId", prefix: "eipalloc", in: s.addresses, notFound: EC2Errors.allocationNotFound)
            ?? Array(s.addresses.values)
        found.sort { $0.id < $1.id }
        let page = try EC2Pagination.page(found, key: \.id, p, range: 1...1000)
        return EC2XML.response("DescribeAddressesAttribute", requestID: ctx.requestID) { w in
            w.list("addressSet", Array(page.items)) { w, a in
                w.element("publicIp", a.publicIp.description)
                w.element("allocationId", a.id)
            }
            w.element("nextToken", page.nextToken)
        }
    }

    func describeVpcClassicLink(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        throw EC2Errors.classicUnsupported()
    }
}
