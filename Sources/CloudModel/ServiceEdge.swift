/// Where "public AWS" lives on the simulated internet: every (region, service) has one address in 198.18.0.0/15
/// (RFC 2544's benchmarking block, never an AWS range), so DNS, gateway endpoints' prefix lists and the edge's
/// listeners all derive the same addresses from the same two indexes.
public enum ServiceEdge {
    /// The whole block the edge answers in.
    public static let block = IPv4CIDR("198.18.0.0/15")!
    /// Global services (IAM, STS's global endpoint, S3's global name) live in the region slot 0.
    public static let globalRegionSlot = 0

    /// The services the edge knows by their endpoint prefix, in a fixed order: an address's last octet is the index + 1.
    /// Append only (stored prefix lists and DNS answers depend on the order).
    public static let services = [
        "ec2", "iam", "sts", "lambda", "logs", "ssm", "s3", "dynamodb", "sqs", "sns", "secretsmanager", "kms",
        "events", "monitoring", "cloudformation", "rds", "elasticache", "ecr.api", "ecr.dkr", "states", "kinesis",
        "ssmmessages", "ec2messages", "execute-api", "apigateway", "ses", "firehose", "elasticloadbalancing",
    ]

    /// The region's slot: its position in `AWSRegions.all` + 1 (0 is the global slot); nil for an unknown region.
    public static func regionSlot(_ region: String) -> Int? {
        AWSRegions.all.firstIndex { $0.name == region }.map { $0 + 1 }
    }

    /// `198.18.<slot>.<service index + 1>` (slots past 255 continue in 198.19.x), or nil when either is unknown.
    public static func address(service: String, region: String?) -> IPv4Address? {
        guard let s = services.firstIndex(of: service) else { return nil }
        let slot: Int
        if let region { guard let r = regionSlot(region) else { return nil }; slot = r } else { slot = globalRegionSlot }
        return IPv4Address(block.network.value + UInt32(slot) << 8 + UInt32(s + 1))
    }

    /// The service and region (nil: global) an edge address stands for.
    public static func service(at address: IPv4Address) -> (service: String, region: String?)? {
        guard block.contains(address) else { return nil }
        let offset = address.value - block.network.value
        let slot = Int(offset >> 8), index = Int(offset & 0xff) - 1
        guard index >= 0, index < services.count else { return nil }
        if slot == globalRegionSlot { return (services[index], nil) }
        guard slot - 1 < AWSRegions.all.count else { return nil }
        return (services[index], AWSRegions.all[slot - 1].name)
    }
}
