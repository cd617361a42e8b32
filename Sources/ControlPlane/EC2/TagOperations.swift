import AWSWire
import CloudModel

/// The taggable resource types of this API, told apart by their id prefix.
enum TaggableKind: String, CaseIterable {
    case vpc, subnet, securityGroup = "sg", networkInterface = "eni", routeTable = "rtb", networkAcl = "acl", securityGroupRule = "sgr"
    case internetGateway = "igw", natGateway = "nat", elasticIp = "eipalloc", instance = "i"
    case keyPair = "key", launchTemplate = "lt", vpcEndpoint = "vpce"

    var prefix: String { rawValue }

    /// The `resourceType` DescribeTags reports.
    var resourceType: String {
        switch self {
        case .vpc: "vpc"
        case .subnet: "subnet"
        case .securityGroup: "security-group"
        case .networkInterface: "network-interface"
        case .routeTable: "route-table"
        case .networkAcl: "network-acl"
        case .securityGroupRule: "security-group-rule"
        case .internetGateway: "internet-gateway"
        case .natGateway: "natgateway"
        case .elasticIp: "elastic-ip"
        case .instance: "instance"
        case .keyPair: "key-pair"
        case .launchTemplate: "launch-template"
        case .vpcEndpoint: "vpc-endpoint"
        }
    }

    static func of(_ id: String) -> TaggableKind? {
        guard let dash = id.firstIndex(of: "-") else { return nil }
        return TaggableKind(rawValue: String(id[id.startIndex..<dash]))
    }

    func notFound(_ id: String) -> AWSError {
        switch self {
        case .vpc: EC2Errors.vpcNotFound(id)
        case .subnet: EC2Errors.subnetNotFound(id)
        case .securityGroup: EC2Errors.groupNotFound(id)
        case .networkInterface: EC2Errors.networkInterfaceNotFound(id)
        case .routeTable: EC2Errors.routeTableNotFound(id)
        case .networkAcl: EC2Errors.networkAclNotFound(id)
        case .securityGroupRule: EC2Errors.securityGroupRuleNotFound(id)
        case .internetGateway: EC2Errors.internetGatewayNotFound(id)
        case .natGateway: EC2Errors.natGatewayNotFound(id)
        case .elasticIp: EC2Errors.allocationNotFound(id)
        case .instance: EC2Errors.instanceNotFound([id])
        case .keyPair: EC2Errors.keyPairNotFound(id)
        case .launchTemplate: EC2Errors.launchTemplateIdNotFound(id)
        case .vpcEndpoint: EC2Errors.vpcEndpointNotFound(id)
        }
    }
}

/// One row of DescribeTags.
struct TagDescription {
    var resourceId: String
    var resourceType: String
    var tag: Tag
    var sortKey: String { resourceId + "\u{1}" + tag.key }
}

extension Transaction {
    /// Applies `body` to the tags of any taggable resource; false when it does not exist.
    mutating func retag(_ kind: TaggableKind, _ id: String, _ body: (inout [Tag]) throws -> Void) rethrows -> Bool {
        switch kind {
        case .vpc: try update(Vpc.self, id) { try body(&$0.tags) }
        case .subnet: try update(Subnet.self, id) { try body(&$0.tags) }
        case .securityGroup: try update(SecurityGroup.self, id) { try body(&$0.tags) }
        case .networkInterface: try update(NetworkInterface.self, id) { try body(&$0.tags) }
        case .routeTable: try update(RouteTable.self, id) { try body(&$0.tags) }
        case .networkAcl: try update(NetworkAcl.self, id) { try body(&$0.tags) }
        case .securityGroupRule: try update(SecurityGroupRule.self, id) { try body(&$0.tags) }
        case .internetGateway: try update(InternetGateway.self, id) { try body(&$0.tags) }
        case .natGateway: try update(NatGateway.self, id) { try body(&$0.tags) }
        case .elasticIp: try update(ElasticAddress.self, id) { try body(&$0.tags) }
        case .instance: try update(Instance.self, id) { try body(&$0.tags) }
        case .keyPair: try update(KeyPair.self, id) { try body(&$0.tags) }
        case .launchTemplate: try update(LaunchTemplate.self, id) { try body(&$0.tags) }
        case .vpcEndpoint: try update(VpcEndpoint.self, id) { try body(&$0.tags) }
        }
    }
}

extension EC2Service {
    /// The resources of CreateTags/DeleteTags, each checked for shape and kind before the transaction.
    func tagTargets(_ p: QueryParameters) throws -> [(TaggableKind, String)] {
        let ids = p.list("ResourceId")
        if ids.isEmpty { throw EC2Errors.missingParameter("resourceIdSet") }
        return try ids.map { id in
            guard let kind = TaggableKind.of(id) else { throw EC2Errors.invalidResourceID(id) }
            if kind == .natGateway { try checkNatID(id) } else { try checkID(id, kind.prefix) }
            return (kind, id)
        }
    }

    func createTags(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let targets = try tagTargets(p)
        let tags = p.structures("Tag").map { Tag(key: $0["Key"] ?? "", value: $0["Value"] ?? "") }
        if tags.isEmpty { throw EC2Errors.missingParameter("tagSet") }
        for t in tags {
            if t.key.isEmpty || t.key.count > 128 {
                throw EC2Errors.invalidParameterValue("Tag key must be between 1 and 128 characters: '\(t.key)'")
            }
            if t.value.count > 256 { throw EC2Errors.invalidParameterValue("Tag value exceeds the maximum length of 256 characters") }
            if t.key.lowercased().hasPrefix("aws:") {
                throw EC2Errors.invalidParameterValue("Tag keys starting with 'aws:' are reserved for internal use")
            }
        }
        try mutate(p) { tx in
            for (kind, id) in targets {
                let found = try tx.retag(kind, id) { current in
                    for t in tags {
                        if let i = current.firstIndex(where: { $0.key == t.key }) { current[i] = t } else { current.append(t) }
                    }
                    if current.count > 50 { throw EC2Errors.tagLimitExceeded() }
                }
                if !found { throw kind.notFound(id) }
            }
        }
        return EC2XML.response("CreateTags", requestID: ctx.requestID) { $0.element("return", true) }
    }

    func deleteTags(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let targets = try tagTargets(p)
        let specs = p.structures("Tag").map { (key: $0["Key"] ?? "", value: $0["Value"]) }
        try mutate(p) { tx in
            for (kind, id) in targets {
                let found = tx.retag(kind, id) { current in
                    if specs.isEmpty { current.removeAll(); return }
                    // A tag given with a value is removed only when the value matches.
                    current.removeAll { t in specs.contains { $0.key == t.key && ($0.value == nil || $0.value == t.value) } }
                }
                if !found { throw kind.notFound(id) }
            }
        }
        return EC2XML.response("DeleteTags", requestID: ctx.requestID) { $0.element("return", true) }
    }

    func describeTags(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let s = store.snapshot()
        let filter = try EC2Filters.compile(p, tags: nil) { () -> EC2Filters.Fields<TagDescription> in
            [
                "key": { [$0.tag.key] }, "value": { [$0.tag.value] },
                "resource-id": { [$0.resourceId] }, "resource-type": { [$0.resourceType] },
            ]
        }
        var rows: [TagDescription] = []
        func add<R: Record & Taggable>(_ table: [String: R], _ kind: TaggableKind) {
            for r in table.values { for t in r.tags { rows.append(TagDescription(resourceId: r.id, resourceType: kind.resourceType, tag: t)) } }
        }
        add(s.vpcs, .vpc); add(s.subnets, .subnet); add(s.securityGroups, .securityGroup)
        add(s.networkInterfaces, .networkInterface); add(s.routeTables, .routeTable); add(s.networkAcls, .networkAcl)
        add(s.securityGroupRules, .securityGroupRule)
        add(s.internetGateways, .internetGateway); add(s.natGateways, .natGateway); add(s.addresses, .elasticIp)
        add(s.instances, .instance); add(s.keyPairs, .keyPair); add(s.launchTemplates, .launchTemplate)
        add(s.vpcEndpoints, .vpcEndpoint)
        if !filter.isEmpty { rows = rows.filter(filter.matches) }
        rows.sort { $0.sortKey < $1.sortKey }
        let page = try EC2Pagination.page(rows, key: \.sortKey, p)
        return EC2XML.response("DescribeTags", requestID: ctx.requestID) { w in
            w.list("tagSet", Array(page.items)) { w, r in
                w.element("resourceId", r.resourceId)
                w.element("resourceType", r.resourceType)
                w.element("key", r.tag.key)
                w.element("value", r.tag.value)
            }
            w.element("nextToken", page.nextToken)
        }
    }
}
