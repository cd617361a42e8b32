import Foundation

/// A launch template with all its versions (a version never changes once created).
public struct LaunchTemplate: Record, Taggable {
    public static let kind = "ec2.launch-template"
    public static var table: WritableKeyPath<CloudState, [String: LaunchTemplate]> { \.launchTemplates }
    public var id: String
    public var name: String
    public var createdAt: Date
    public var createdBy: String
    public var defaultVersion: Int
    /// The highest number ever given; numbers of deleted versions are not reused.
    public var latestVersion: Int
    public var versions: [LaunchTemplateVersion]
    public var tags: [Tag]

    public init(id: String, name: String, createdAt: Date, createdBy: String, defaultVersion: Int, latestVersion: Int,
                versions: [LaunchTemplateVersion], tags: [Tag]) {
        self.id = id; self.name = name; self.createdAt = createdAt; self.createdBy = createdBy
        self.defaultVersion = defaultVersion; self.latestVersion = latestVersion; self.versions = versions; self.tags = tags
    }

    public func version(_ n: Int) -> LaunchTemplateVersion? { versions.first { $0.number == n } }
}

/// One numbered version of a launch template.
public struct LaunchTemplateVersion: Codable, Sendable, Equatable {
    public var number: Int
    public var description: String?
    public var createdAt: Date
    public var createdBy: String
    public var data: LaunchTemplateData

    public init(number: Int, description: String?, createdAt: Date, createdBy: String, data: LaunchTemplateData) {
        self.number = number; self.description = description; self.createdAt = createdAt; self.createdBy = createdBy
        self.data = data
    }
}

/// The instance settings a version holds: the fields RunInstances uses and those Terraform's
/// `aws_launch_template` sets most, each nil/empty when not given (AWS echoes only what was set).
public struct LaunchTemplateData: Codable, Sendable, Equatable {
    public var imageId: String?
    public var instanceType: String?
    public var keyName: String?
    public var userData: String?
    public var securityGroupIds: [String] = []
    public var securityGroups: [String] = []
    public var networkInterfaces: [NetworkInterfaceSpec] = []
    public var tagSpecifications: [TagSpec] = []
    public var blockDeviceMappings: [BlockDevice] = []
    public var iamInstanceProfileArn: String?
    public var iamInstanceProfileName: String?
    public var availabilityZone: String?
    public var tenancy: String?
    public var monitoring: Bool?
    public var ebsOptimized: Bool?
    public var disableApiTermination: Bool?
    public var disableApiStop: Bool?
    public var instanceInitiatedShutdownBehavior: String?
    public var metadata: MetadataOptions?
    public var cpuCredits: String?

    public init() {}

    /// One `NetworkInterfaces` entry.
    public struct NetworkInterfaceSpec: Codable, Sendable, Equatable {
        public var deviceIndex: Int?
        public var subnetId: String?
        public var groups: [String] = []
        public var associatePublicIpAddress: Bool?
        public var deleteOnTermination: Bool?
        public var description: String?
        public var privateIpAddress: String?
        public var networkInterfaceId: String?
        public init() {}
    }

    /// Tags the template applies to the resources an instance launch creates.
    public struct TagSpec: Codable, Sendable, Equatable {
        public var resourceType: String
        public var tags: [Tag]
        public init(resourceType: String, tags: [Tag]) { self.resourceType = resourceType; self.tags = tags }
    }

    /// One block device mapping (EBS settings are stored, not emulated).
    public struct BlockDevice: Codable, Sendable, Equatable {
        public var deviceName: String?
        public var noDevice: String?
        public var virtualName: String?
        public var volumeSize: Int?
        public var volumeType: String?
        public var deleteOnTermination: Bool?
        public var encrypted: Bool?
        public var iops: Int?
        public var throughput: Int?
        public var snapshotId: String?
        public var kmsKeyId: String?
        public init() {}
    }

    /// Instance metadata service settings.
    public struct MetadataOptions: Codable, Sendable, Equatable {
        public var httpTokens: String?
        public var httpEndpoint: String?
        public var httpPutResponseHopLimit: Int?
        public var httpProtocolIpv6: String?
        public var instanceMetadataTags: String?
        public init() {}
    }
}
