import Foundation

/// The public Amazon images this server offers (DescribeImages, RunInstances, and the SSM parameters
/// `/aws/service/ami-amazon-linux-latest/*`): one list, so every surface answers the same ids. Instances
/// run the host's OS whatever image they name; the ids are stable across servers and regions.
public enum PublicImages {
    /// One public machine image as DescribeImages reports it.
    public struct Image: Sendable, Equatable {
        public var id: String
        public var name: String
        public var description: String
        /// `x86_64` or `arm64`.
        public var architecture: String
        public var creationDate: String
        public var snapshotId: String
        public var volumeType: String
        public var bootMode: String
        /// `v2.0` where the image requires IMDSv2 (AL2023), nil otherwise.
        public var imdsSupport: String?
        /// The leaf names under `/aws/service/ami-amazon-linux-latest/` that resolve to this image.
        public var ssmParameterNames: [String]

        /// `amazon/<name>`, as EC2 reports a public image's location.
        public var location: String { "amazon/" + name }
    }

    /// The owner id of Amazon's public images (`Owners=amazon`, `owner-alias=amazon`).
    public static let ownerId = "137112412989"
    public static let ownerAlias = "amazon"
    /// Where the latest-image parameters live in SSM Parameter Store.
    public static let ssmParameterPath = "/aws/service/ami-amazon-linux-latest"

    public static let all: [Image] = [
        Image(id: "ami-0a3c14e1ddbe7f23c", name: "al2023-ami-2023.6.20241212.0-kernel-6.1-x86_64",
              description: "Amazon Linux 2023 AMI 2023.6.20241212.0 x86_64 HVM kernel-6.1", architecture: "x86_64",
              creationDate: "2024-12-13T20:03:30.000Z",
              snapshotId: "snap-0c3d5e0a1b2f47a61", volumeType: "gp3", bootMode: "uefi-preferred", imdsSupport: "v2.0",
              ssmParameterNames: ["al2023-ami-kernel-default-x86_64", "al2023-ami-kernel-6.1-x86_64"]),
        Image(id: "ami-05b1d5e2a6f3c8e94", name: "al2023-ami-2023.6.20241212.0-kernel-6.1-arm64",
              description: "Amazon Linux 2023 AMI 2023.6.20241212.0 arm64 HVM kernel-6.1", architecture: "arm64",
              creationDate: "2024-12-13T20:03:31.000Z",
              snapshotId: "snap-07e4a9b2c1d3f5e82", volumeType: "gp3", bootMode: "uefi", imdsSupport: "v2.0",
              ssmParameterNames: ["al2023-ami-kernel-default-arm64", "al2023-ami-kernel-6.1-arm64"]),
        Image(id: "ami-0c9e3f1a7b2d4e5f6", name: "amzn2-ami-kernel-5.10-hvm-2.0.20241217.0-x86_64-gp2",
              description: "Amazon Linux 2 Kernel 5.10 AMI 2.0.20241217.0 x86_64 HVM gp2", architecture: "x86_64",
              creationDate: "2024-12-18T00:12:45.000Z",
              snapshotId: "snap-0f1e2d3c4b5a69788", volumeType: "gp2", bootMode: "legacy-bios", imdsSupport: nil,
              ssmParameterNames: ["amzn2-ami-hvm-x86_64-gp2", "amzn2-ami-kernel-5.10-hvm-x86_64-gp2"]),
        Image(id: "ami-0d8b7a6c5e4f3a2b1", name: "amzn2-ami-kernel-5.10-hvm-2.0.20241217.0-arm64-gp2",
              description: "Amazon Linux 2 Kernel 5.10 AMI 2.0.20241217.0 arm64 HVM gp2", architecture: "arm64",
              creationDate: "2024-12-18T00:12:46.000Z",
              snapshotId: "snap-0a9b8c7d6e5f40312", volumeType: "gp2", bootMode: "uefi", imdsSupport: nil,
              ssmParameterNames: ["amzn2-ami-hvm-arm64-gp2", "amzn2-ami-kernel-5.10-hvm-arm64-gp2"]),
    ]

    public static func image(id: String) -> Image? { all.first { $0.id == id } }

    /// The image a `/aws/service/ami-amazon-linux-latest/NAME` parameter resolves to, by its leaf name.
    public static func image(ssmParameterName name: String) -> Image? { all.first { $0.ssmParameterNames.contains(name) } }

    /// The id RunInstances has always accepted without an image (and still does): the host's OS by another name.
    public static let legacyDefaultId = "ami-lambdavpc"
}
