/// AWS's commercial regions (partition `aws`), with whether an account must opt in to use them.
public enum AWSRegions {
    /// One region as DescribeRegions reports it.
    public struct Region: Sendable, Equatable {
        public var name: String
        /// Regions launched since March 2019 are disabled until the account opts in.
        public var requiresOptIn: Bool
        public var endpoint: String { "ec2.\(name).amazonaws.com" }
    }

    public static let all: [Region] = {
        let standard = ["ap-south-1", "eu-north-1", "eu-west-3", "eu-west-2", "eu-west-1", "ap-northeast-3", "ap-northeast-2",
                        "ap-northeast-1", "ca-central-1", "sa-east-1", "ap-southeast-1", "ap-southeast-2", "eu-central-1",
                        "us-east-1", "us-east-2", "us-west-1", "us-west-2"]
        let optIn = ["af-south-1", "ap-east-1", "ap-south-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5",
                     "ap-southeast-7", "ca-west-1", "eu-central-2", "eu-south-1", "eu-south-2", "il-central-1",
                     "me-central-1", "me-south-1", "mx-central-1"]
        return standard.map { Region(name: $0, requiresOptIn: false) } + optIn.map { Region(name: $0, requiresOptIn: true) }
    }()

    public static func region(named name: String) -> Region? { all.first { $0.name == name } }

    /// Every region's name, for the per-request check of a signature's region.
    public static let names: Set<String> = Set(all.map(\.name))
}
