import AWSWire
import CloudModel

/// DescribeVpcAttribute and ModifyVpcAttribute: the VPC's DNS settings and Network Address Usage metrics, one
/// attribute per call as EC2 takes them.
extension EC2Service {
    /// The attributes by their wire name (`Attribute=` and the `<name><value>` element), with how each is read and set.
    static let vpcAttributes: [(name: String, parameter: String, get: @Sendable (Vpc) -> Bool,
                                set: @Sendable (inout Vpc, Bool) -> Void)] = [
        ("enableDnsSupport", "EnableDnsSupport", { $0.enableDnsSupport }, { $0.dnsSupport = $1 }),
        ("enableDnsHostnames", "EnableDnsHostnames", { $0.enableDnsHostnames }, { $0.dnsHostnames = $1 }),
        ("enableNetworkAddressUsageMetrics", "EnableNetworkAddressUsageMetrics",
         { $0.enableNetworkAddressUsageMetrics }, { $0.networkAddressUsageMetrics = $1 }),
    ]

    func describeVpcAttribute(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let id = try required(p, "VpcId")
        let name = try required(p, "Attribute")
        guard let attribute = Self.vpcAttributes.first(where: { $0.name == name }) else { throw EC2Errors.unknownVpcAttribute(name) }
        try checkID(id, "vpc")
        guard let vpc = store.snapshot().vpcs[id] else { throw EC2Errors.vpcNotFound(id) }
        return EC2XML.response("DescribeVpcAttribute", requestID: ctx.requestID) { w in
            w.element("vpcId", vpc.id)
            w.element(attribute.name) { $0.element("value", attribute.get(vpc)) }
        }
    }

    func modifyVpcAttribute(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let id = try required(p, "VpcId")
        let given = Self.vpcAttributes.filter { p[$0.parameter + ".Value"] != nil }
        guard given.count == 1, let attribute = given.first else { throw EC2Errors.vpcAttributeCount(given.map(\.name)) }
        let text = p[attribute.parameter + ".Value"] ?? ""
        guard let value = Bool(text.lowercased()) else {
            throw EC2Errors.invalidParameterValue("Value (\(text)) for parameter \(attribute.name) is invalid.")
        }
        try checkID(id, "vpc")
        try mutate(p) { tx in
            guard var vpc = tx.get(Vpc.self, id) else { throw EC2Errors.vpcNotFound(id) }
            attribute.set(&vpc, value)
            tx.put(vpc)
        }
        return EC2XML.response("ModifyVpcAttribute", requestID: ctx.requestID) { $0.element("return", true) }
    }
}
