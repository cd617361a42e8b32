import CloudModel

/// The AWS services a VPC endpoint can reach in a region: every service on the edge (`ServiceEdge`), as interface
/// endpoints, and S3 and DynamoDB also as gateway endpoints with their managed prefix lists.
struct EndpointServiceCatalog: Sendable {
    /// One endpoint service as DescribeVpcEndpointServices shows it.
    struct Service: Sendable, Equatable {
        var shortName: String
        var name: String
        var types: [VpcEndpoint.EndpointType]
        var privateDnsName: String
    }

    /// A managed prefix list (`pl-…`) of a gateway service: its edge address.
    struct PrefixList: Sendable, Equatable {
        var id: String
        var name: String
        var cidrs: [IPv4CIDR]
    }

    static let gatewayServices: Set<String> = ["s3", "dynamodb"]

    let region: String
    let services: [Service]

    init(region: String) {
        self.region = region
        services = ServiceEdge.services.map { short in
            Service(shortName: short, name: "com.amazonaws.\(region).\(short)",
                    types: Self.gatewayServices.contains(short) ? [.gateway, .interface] : [.interface],
                    privateDnsName: "\(short).\(region).amazonaws.com")
        }.sorted { $0.name < $1.name }
    }

    func service(named name: String) -> Service? { services.first { $0.name == name } }

    /// The gateway services' prefix lists of this region.
    var prefixLists: [PrefixList] {
        services.filter { $0.types.contains(.gateway) }.compactMap { prefixList(for: $0) }.sorted { $0.id < $1.id }
    }

    func prefixList(for service: Service) -> PrefixList? {
        guard service.types.contains(.gateway), let address = ServiceEdge.address(service: service.shortName, region: region) else {
            return nil
        }
        var cidrs = [IPv4CIDR(address: address, prefixLength: 32)]
        // us-east-1's S3 list also covers the global name (`s3.amazonaws.com`), which the SDKs use there.
        if service.shortName == "s3", region == "us-east-1", let global = ServiceEdge.address(service: "s3", region: nil) {
            cidrs.append(IPv4CIDR(address: global, prefixLength: 32))
        }
        return PrefixList(id: Self.prefixListId(service.name), name: service.name, cidrs: cidrs)
    }

    /// A stable id per (region, service): `pl-` and 8 hex digits of an FNV-1a hash of the service name.
    static func prefixListId(_ serviceName: String) -> String {
        var h: UInt32 = 2_166_136_261
        for b in serviceName.utf8 { h = (h ^ UInt32(b)) &* 16_777_619 }
        let hex = String(h, radix: 16)
        return "pl-" + String(repeating: "0", count: 8 - hex.count) + hex
    }
}
