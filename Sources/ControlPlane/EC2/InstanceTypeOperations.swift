import AWSWire
import CloudModel

/// The instance types DescribeInstanceTypes knows, with AWS's published figures. RunInstances still takes any
/// well-formed type: an instance's limits come from the host, not from its type.
struct InstanceTypeInfo: Sendable {
    var name: String
    var vcpus: Int
    var cores: Int
    var memoryMiB: Int
    var network: String
    var maxInterfaces: Int
    var ipv4PerInterface: Int
    var ipv6PerInterface: Int
    var architecture: String
    var clockGhz: String
    var manufacturer: String
    var burstable: Bool
    var freeTier: Bool
    var baselineGbps: String
    var peakGbps: String

    static let all: [InstanceTypeInfo] = [
        .init(name: "t3.micro", vcpus: 2, cores: 1, memoryMiB: 1024, network: "Up to 5 Gigabit", maxInterfaces: 2,
              ipv4PerInterface: 2, ipv6PerInterface: 2, architecture: "x86_64", clockGhz: "2.5", manufacturer: "Intel",
              burstable: true, freeTier: true, baselineGbps: "0.064", peakGbps: "5.0"),
        .init(name: "t3.small", vcpus: 2, cores: 1, memoryMiB: 2048, network: "Up to 5 Gigabit", maxInterfaces: 3,
              ipv4PerInterface: 4, ipv6PerInterface: 4, architecture: "x86_64", clockGhz: "2.5", manufacturer: "Intel",
              burstable: true, freeTier: true, baselineGbps: "0.128", peakGbps: "5.0"),
        .init(name: "t3.medium", vcpus: 2, cores: 1, memoryMiB: 4096, network: "Up to 5 Gigabit", maxInterfaces: 3,
              ipv4PerInterface: 6, ipv6PerInterface: 6, architecture: "x86_64", clockGhz: "2.5", manufacturer: "Intel",
              burstable: true, freeTier: false, baselineGbps: "0.256", peakGbps: "5.0"),
        .init(name: "t4g.micro", vcpus: 2, cores: 2, memoryMiB: 1024, network: "Up to 5 Gigabit", maxInterfaces: 2,
              ipv4PerInterface: 2, ipv6PerInterface: 2, architecture: "arm64", clockGhz: "2.5", manufacturer: "AWS",
              burstable: true, freeTier: false, baselineGbps: "0.064", peakGbps: "5.0"),
        .init(name: "m5.large", vcpus: 2, cores: 1, memoryMiB: 8192, network: "Up to 10 Gigabit", maxInterfaces: 3,
              ipv4PerInterface: 10, ipv6PerInterface: 10, architecture: "x86_64", clockGhz: "3.1", manufacturer: "Intel",
              burstable: false, freeTier: false, baselineGbps: "0.75", peakGbps: "10.0"),
        .init(name: "c5.large", vcpus: 2, cores: 1, memoryMiB: 4096, network: "Up to 10 Gigabit", maxInterfaces: 3,
              ipv4PerInterface: 10, ipv6PerInterface: 10, architecture: "x86_64", clockGhz: "3.4", manufacturer: "Intel",
              burstable: false, freeTier: false, baselineGbps: "0.75", peakGbps: "10.0"),
    ]
}

extension EC2Service {
    func describeInstanceTypes(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let filter = try EC2Filters.compile(p, tags: nil) { () -> EC2Filters.Fields<InstanceTypeInfo> in
            [
                "instance-type": { [$0.name] },
                "current-generation": { _ in ["true"] },
                "free-tier-eligible": { EC2Filters.bool($0.freeTier) },
                "burstable-performance-supported": { EC2Filters.bool($0.burstable) },
                "bare-metal": { _ in ["false"] },
                "hypervisor": { _ in ["nitro"] },
                "processor-info.supported-architecture": { [$0.architecture] },
                "processor-info.sustained-clock-speed-in-ghz": { [$0.clockGhz] },
                "processor-info.manufacturer": { [$0.manufacturer] },
                "vcpu-info.default-vcpus": { [String($0.vcpus)] },
                "vcpu-info.default-cores": { [String($0.cores)] },
                "memory-info.size-in-mib": { [String($0.memoryMiB)] },
                "network-info.network-performance": { [$0.network] },
                "network-info.maximum-network-interfaces": { [String($0.maxInterfaces)] },
                "network-info.ipv4-addresses-per-interface": { [String($0.ipv4PerInterface)] },
                "network-info.ipv6-supported": { _ in ["true"] },
                "network-info.ena-support": { _ in ["required"] },
                "supported-usage-class": { _ in ["on-demand", "spot"] },
                "supported-root-device-type": { _ in ["ebs"] },
                "supported-virtualization-type": { _ in ["hvm"] },
            ]
        }
        var types = InstanceTypeInfo.all
        let named = p.list("InstanceType")
        if !named.isEmpty {
            let unknown = named.filter { n in !types.contains { $0.name == n } }
            if !unknown.isEmpty { throw EC2Errors.invalidInstanceTypes(unknown) }
            types = types.filter { named.contains($0.name) }
        }
        types = types.filter(filter.matches)
        let page = try EC2Pagination.page(types, key: \.name, p, range: 5...100)
        return EC2XML.response("DescribeInstanceTypes", requestID: ctx.requestID) { w in
            w.list("instanceTypeSet", Array(page.items)) { EC2XML.instanceType(&$0, $1) }
            w.element("nextToken", page.nextToken)
        }
    }
}

extension EC2XML {
    static func instanceType(_ w: inout XMLWriter, _ t: InstanceTypeInfo) {
        w.element("instanceType", t.name)
        w.element("currentGeneration", true)
        w.element("freeTierEligible", t.freeTier)
        w.list("supportedUsageClasses", ["on-demand", "spot"]) { $0.appendEscaped($1) }
        w.list("supportedRootDeviceTypes", ["ebs"]) { $0.appendEscaped($1) }
        w.list("supportedVirtualizationTypes", ["hvm"]) { $0.appendEscaped($1) }
        w.element("bareMetal", false)
        w.element("hypervisor", "nitro")
        w.element("processorInfo") { w in
            w.list("supportedArchitectures", [t.architecture]) { $0.appendEscaped($1) }
            w.element("sustainedClockSpeedInGhz", t.clockGhz)
            w.element("manufacturer", t.manufacturer)
        }
        w.element("vCpuInfo") { w in
            w.element("defaultVCpus", t.vcpus)
            w.element("defaultCores", t.cores)
            w.element("defaultThreadsPerCore", t.vcpus / t.cores)
        }
        w.element("memoryInfo") { $0.element("sizeInMiB", t.memoryMiB) }
        w.element("instanceStorageSupported", false)
        w.element("ebsInfo") { w in
            w.element("ebsOptimizedSupport", "default")
            w.element("encryptionSupport", "supported")
            w.element("nvmeSupport", "required")
        }
        w.element("networkInfo") { w in
            w.element("networkPerformance", t.network)
            w.element("maximumNetworkInterfaces", t.maxInterfaces)
            w.element("maximumNetworkCards", 1)
            w.element("defaultNetworkCardIndex", 0)
            w.list("networkCards", [t]) { w, t in
                w.element("networkCardIndex", 0)
                w.element("networkPerformance", t.network)
                w.element("maximumNetworkInterfaces", t.maxInterfaces)
                w.element("baselineBandwidthInGbps", t.baselineGbps)
                w.element("peakBandwidthInGbps", t.peakGbps)
            }
            w.element("ipv4AddressesPerInterface", t.ipv4PerInterface)
            w.element("ipv6AddressesPerInterface", t.ipv6PerInterface)
            w.element("ipv6Supported", true)
            w.element("enaSupport", "required")
            w.element("efaSupported", false)
            w.element("encryptionInTransitSupported", false)
            w.element("enaSrdSupported", false)
        }
        w.element("placementGroupInfo") { w in
            w.list("supportedStrategies", t.burstable ? ["partition", "spread"] : ["cluster", "partition", "spread"]) { $0.appendEscaped($1) }
        }
        w.element("hibernationSupported", true)
        w.element("burstablePerformanceSupported", t.burstable)
        w.element("dedicatedHostsSupported", !t.burstable)
        w.element("autoRecoverySupported", true)
        w.list("supportedBootModes", t.architecture == "arm64" ? ["uefi"] : ["legacy-bios", "uefi"]) { $0.appendEscaped($1) }
        w.element("nitroEnclavesSupport", "unsupported")
        w.element("nitroTpmSupport", "supported")
        w.element("phcSupport", "unsupported")
    }
}
