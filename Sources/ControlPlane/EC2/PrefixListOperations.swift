import AWSWire
import CloudModel

/// The AWS-managed prefix lists of the gateway services (S3, DynamoDB) and the endpoint services of the region.
extension EC2Service {
    func describeVpcEndpointServices(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let catalog = endpointServices
        let region = self.region
        typealias Service = EndpointServiceCatalog.Service
        let filter = try EC2Filters.compile(p, tags: nil) {
            [
                "service-name": { (s: Service) in [s.name] },
                "service-type": { (s: Service) in s.types.map(\.rawValue) },
                "service-region": { (_: Service) in [region] },
                "owner": { (_: Service) in ["amazon"] },
            ] as EC2Filters.Fields<Service>
        }
        var services = catalog.services
        let named = p.list("ServiceName")
        if !named.isEmpty {
            for n in named where catalog.service(named: n) == nil { throw EC2Errors.endpointServiceNotFound(n) }
            services = services.filter { named.contains($0.name) }
        }
        if !filter.isEmpty { services = services.filter(filter.matches) }
        let page = try EC2Pagination.page(services, key: \.name, p)
        let zones = self.zones.zones
        return EC2XML.response("DescribeVpcEndpointServices", requestID: ctx.requestID) { w in
            w.list("serviceNameSet", Array(page.items)) { $0.appendEscaped($1.name) }
            w.list("serviceDetailSet", Array(page.items)) { w, s in
                w.element("serviceName", s.name)
                w.element("serviceId", "vpce-svc-" + EndpointServiceCatalog.prefixListId(s.name).dropFirst(3) + "0000000000")
                w.list("serviceType", s.types) { $0.element("serviceType", $1.rawValue) }
                w.element("serviceRegion", region)
                w.list("availabilityZoneIdSet", zones) { $0.appendEscaped($1.id) }
                w.list("availabilityZoneSet", zones) { $0.appendEscaped($1.name) }
                w.element("owner", "amazon")
                w.list("baseEndpointDnsNameSet", ["\(s.shortName).\(region).vpce.amazonaws.com"]) { $0.appendEscaped($1) }
                if s.types.contains(.interface) {
                    w.element("privateDnsName", s.privateDnsName)
                    w.list("privateDnsNameSet", [s.privateDnsName]) { $0.element("privateDnsName", $1) }
                    w.element("privateDnsNameVerificationState", "verified")
                }
                w.element("vpcEndpointPolicySupported", true)
                w.element("acceptanceRequired", false)
                w.element("managesVpcEndpoints", false)
                w.list("supportedIpAddressTypeSet", ["ipv4"]) { $0.appendEscaped($1) }
            }
            w.element("nextToken", page.nextToken)
        }
    }

    /// The prefix lists named (`pl-…`), each checked to exist, else all of the region's.
    private func namedPrefixLists(_ p: QueryParameters) throws -> [EndpointServiceCatalog.PrefixList] {
        let all = endpointServices.prefixLists
        let ids = p.list("PrefixListId")
        for id in ids where !all.contains(where: { $0.id == id }) { throw EC2Errors.prefixListNotFound(id) }
        return ids.isEmpty ? all : all.filter { ids.contains($0.id) }
    }

    func describePrefixLists(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        typealias List = EndpointServiceCatalog.PrefixList
        let filter = try EC2Filters.compile(p, tags: nil) {
            ["prefix-list-id": { (l: List) in [l.id] }, "prefix-list-name": { (l: List) in [l.name] }] as EC2Filters.Fields<List>
        }
        var lists = try namedPrefixLists(p)
        if !filter.isEmpty { lists = lists.filter(filter.matches) }
        let page = try EC2Pagination.page(lists, key: \.id, p)
        return EC2XML.response("DescribePrefixLists", requestID: ctx.requestID) { w in
            w.list("prefixListSet", Array(page.items)) { w, l in
                w.list("cidrSet", l.cidrs) { $0.appendEscaped($1.description) }
                w.element("prefixListId", l.id)
                w.element("prefixListName", l.name)
            }
            w.element("nextToken", page.nextToken)
        }
    }

    func describeManagedPrefixLists(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        typealias List = EndpointServiceCatalog.PrefixList
        let filter = try EC2Filters.compile(p, tags: nil) {
            [
                "prefix-list-id": { (l: List) in [l.id] },
                "prefix-list-name": { (l: List) in [l.name] },
                "owner-id": { (_: List) in ["AWS"] },
            ] as EC2Filters.Fields<List>
        }
        var lists = try namedPrefixLists(p)
        if !filter.isEmpty { lists = lists.filter(filter.matches) }
        let page = try EC2Pagination.page(lists, key: \.id, p)
        let region = self.region
        return EC2XML.response("DescribeManagedPrefixLists", requestID: ctx.requestID) { w in
            w.list("prefixListSet", Array(page.items)) { w, l in
                w.element("prefixListId", l.id)
                w.element("addressFamily", "IPv4")
                w.element("state", "create-complete")
                w.element("prefixListArn", "arn:aws:ec2:\(region):aws:prefix-list/\(l.id)")
                w.element("prefixListName", l.name)
                w.element("maxEntries", l.cidrs.count)
                w.element("version", 1)
                w.element("ownerId", "AWS")
            }
            w.element("nextToken", page.nextToken)
        }
    }

    func getManagedPrefixListEntries(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let id = try required(p, "PrefixListId")
        guard let list = endpointServices.prefixLists.first(where: { $0.id == id }) else { throw EC2Errors.prefixListNotFound(id) }
        let page = try EC2Pagination.page(list.cidrs, key: \.description, p)
        return EC2XML.response("GetManagedPrefixListEntries", requestID: ctx.requestID) { w in
            w.list("entrySet", Array(page.items)) { $0.element("cidr", $1.description) }
            w.element("nextToken", page.nextToken)
        }
    }
}
