import CloudModel

/// The public AWS endpoint names the resolver answers, read from the name itself (every region times every
/// service would be thousands of entries): `SERVICE.REGION.amazonaws.com` (and `SERVICE-fips.…`,
/// `SERVICE.dualstack.…`, `SERVICE.REGION.api.aws`), the global `iam.`/`sts.`/`s3.amazonaws.com`, S3's legacy
/// `s3-REGION.amazonaws.com` and `s3-external-1`, ECR's `api.ecr.REGION` and `ACCOUNT.dkr.ecr.REGION`, API
/// Gateway's `ID.execute-api.REGION`, and S3 virtual-hosted buckets (`BUCKET.s3.REGION.amazonaws.com`,
/// `BUCKET.s3.amazonaws.com`), which are CNAMEs of their S3 endpoint as on AWS.
enum AWSServiceNames {
    /// What a name stands for.
    enum Target: Equatable {
        /// The service edge's address of (service, region); region nil is the global slot.
        case edge(service: String, region: String?)
        /// Another name (a virtual-hosted bucket's S3 endpoint).
        case alias(String)
        /// A name with nothing of its own that has names below it (`us-east-1.amazonaws.com`): NODATA, not NXDOMAIN.
        case emptyNonTerminal
    }

    static let suffix = ["amazonaws", "com"]
    static let dualstackSuffix = ["api", "aws"]
    static let globalServices: Set<String> = ["iam", "sts", "s3"]
    /// Host prefixes that differ from the service's endpoint prefix in `ServiceEdge.services`.
    static let hostAliases = ["email": "ses"]
    static let regions: Set<String> = Set(AWSRegions.all.map(\.name))
    static let services: Set<String> = Set(ServiceEdge.services)

    /// `labels`: the lower-cased labels of a name (`["sts", "us-east-1", "amazonaws", "com"]`).
    static func resolve(_ labels: [String]) -> Target? {
        if labels.count >= 2, Array(labels.suffix(2)) == dualstackSuffix {
            let rest = Array(labels.dropLast(2))
            if rest.count == 2, regions.contains(rest[1]), let s = service(rest[0]) { return .edge(service: s, region: rest[1]) }
            if rest.count == 1, regions.contains(rest[0]) { return .emptyNonTerminal }
            return rest.isEmpty ? .emptyNonTerminal : nil
        }
        guard labels.count >= 2, Array(labels.suffix(2)) == suffix else { return nil }
        let rest = Array(labels.dropLast(2))
        guard let last = rest.last else { return .emptyNonTerminal }

        if regions.contains(last) {
            let region = last
            let head = Array(rest.dropLast())
            switch head.count {
            case 0: return .emptyNonTerminal
            case 1:
                if head[0] == "ecr" || head[0] == "execute-api" || head[0] == "dualstack" { return .emptyNonTerminal }
                return service(head[0]).map { .edge(service: $0, region: region) }
            default:
                break
            }
            // SERVICE.dualstack.REGION
            if head.count == 2, head[1] == "dualstack", let s = service(head[0]) { return .edge(service: s, region: region) }
            if head.suffix(2) == ["api", "ecr"], head.count == 2 { return .edge(service: "ecr.api", region: region) }
            if head.suffix(2) == ["dkr", "ecr"] { return head.count == 2 ? .emptyNonTerminal : .edge(service: "ecr.dkr", region: region) }
            if head.last == "execute-api", head.count == 2 { return .edge(service: "execute-api", region: region) }
            // BUCKET.s3.REGION, BUCKET.s3-fips.REGION, BUCKET.s3.dualstack.REGION (bucket names may hold dots).
            if head.last == "s3" || head.last == "s3-fips" {
                return .alias(([head.last!, region] + suffix).joined(separator: "."))
            }
            if head.count >= 3, head.suffix(2) == ["s3", "dualstack"] {
                return .alias((["s3", "dualstack", region] + suffix).joined(separator: "."))
            }
            return nil
        }

        // Global names: iam., sts., s3.amazonaws.com; S3's s3-external-1 and legacy s3-REGION.
        if let r = legacyS3Region(last) {
            return rest.count == 1 ? .edge(service: "s3", region: r) : .alias(([last] + suffix).joined(separator: "."))
        }
        if rest.count == 1, globalServices.contains(last) { return .edge(service: last, region: nil) }
        if last == "s3", rest.count >= 2 { return .alias((["s3"] + suffix).joined(separator: ".")) }
        return nil
    }

    /// The service of a host's first label (`sts`, `sts-fips`, `email` → `ses`), nil when the edge has none.
    static func service(_ label: String) -> String? {
        var name = label
        if name.hasSuffix("-fips") { name = String(name.dropLast(5)) }
        name = hostAliases[name] ?? name
        return services.contains(name) ? name : nil
    }

    /// `s3-external-1` → us-east-1, `s3-us-west-2` → us-west-2.
    static func legacyS3Region(_ label: String) -> String? {
        if label == "s3-external-1" { return "us-east-1" }
        guard label.hasPrefix("s3-") else { return nil }
        let r = String(label.dropFirst(3))
        return regions.contains(r) ? r : nil
    }
}
