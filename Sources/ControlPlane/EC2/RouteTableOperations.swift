import AWSWire
import CloudModel

extension EC2Service {
    func describeRouteTables(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let s = store.snapshot()
        let filter = try EC2Filters.compile(p, tags: { (t: RouteTable) in t.tags }) {
            [
                "route-table-id": { [$0.id] },
                "vpc-id": { [$0.vpcId] },
                "owner-id": { [$0.ownerId] },
                "association.main": { t in t.associations.map { $0.main ? "true" : "false" } },
                "association.subnet-id": { t in t.associations.compactMap(\.subnetId) },
                "association.route-table-association-id": { t in t.associations.map(\.id) },
                "association.route-table-id": { t in t.associations.map { _ in t.id } },
                "route.destination-cidr-block": { t in t.routes.map { $0.destination.description } },
                "route.gateway-id": { t in t.routes.compactMap(\.gatewayId) },
                "route.destination-prefix-list-id": { t in t.routes.compactMap(\.destinationPrefixListId) },
                "route.nat-gateway-id": { t in t.routes.compactMap(\.natGatewayId) },
                "route.instance-id": { t in t.routes.compactMap(\.instanceId) },
                "route.network-interface-id": { t in t.routes.compactMap(\.networkInterfaceId) },
                "route.origin": { t in t.routes.map(\.origin) },
                "route.state": { t in t.routes.map { s.routeState($0, vpcId: t.vpcId) } },
            ]
        }
        var tables = try lookup(p, "RouteTableId", prefix: "rtb", in: s.routeTables, notFound: EC2Errors.routeTableNotFound)
            ?? Array(s.routeTables.values)
        if !filter.isEmpty { tables = tables.filter(filter.matches) }
        tables.sort { $0.id < $1.id }
        let page = try EC2Pagination.page(tables, key: \.id, p, range: 5...100)
        return EC2XML.response("DescribeRouteTables", requestID: ctx.requestID) { w in
            w.list("routeTableSet", Array(page.items)) { EC2XML.routeTable(&$0, $1, state: s) }
            w.element("nextToken", page.nextToken)
        }
    }

    func describeNetworkAcls(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let s = store.snapshot()
        let filter = try EC2Filters.compile(p, tags: { (a: NetworkAcl) in a.tags }) {
            [
                "network-acl-id": { [$0.id] },
                "vpc-id": { [$0.vpcId] },
                "owner-id": { [$0.ownerId] },
                "default": { EC2Filters.bool($0.isDefault) },
                "association.subnet-id": { a in a.associations.map(\.subnetId) },
                "association.association-id": { a in a.associations.map(\.id) },
                "association.network-acl-id": { a in a.associations.map { _ in a.id } },
                "entry.rule-number": { a in a.entries.map { String($0.ruleNumber) } },
                "entry.protocol": { a in a.entries.map(\.proto) },
                "entry.rule-action": { a in a.entries.map(\.ruleAction) },
                "entry.egress": { a in a.entries.map { $0.egress ? "true" : "false" } },
                "entry.cidr": { a in a.entries.map { $0.cidrBlock.description } },
            ]
        }
        var acls = try lookup(p, "NetworkAclId", prefix: "acl", in: s.networkAcls, notFound: EC2Errors.networkAclNotFound)
            ?? Array(s.networkAcls.values)
        if !filter.isEmpty { acls = acls.filter(filter.matches) }
        acls.sort { $0.id < $1.id }
        let page = try EC2Pagination.page(acls, key: \.id, p)
        return EC2XML.response("DescribeNetworkAcls", requestID: ctx.requestID) { w in
            w.list("networkAclSet", Array(page.items)) { EC2XML.networkAcl(&$0, $1) }
            w.element("nextToken", page.nextToken)
        }
    }
}
