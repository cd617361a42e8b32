/// One public Amazon-owned machine image this server knows: the single source of the image ids that SSM's public
/// `/aws/service/ami-amazon-linux-latest/*` parameters answer and that EC2's DescribeImages lists. The ids are
/// fixed, made-up values in AWS's format (the real ones change every few weeks and differ by region); every region
/// answers the same ids. Instances launched from them run the host's OS.
public struct PublicImage: Sendable, Equatable {
    public var imageId: String
    /// The AMI name, in Amazon Linux's naming scheme.
    public var name: String
    public var description: String
    /// `x86_64` or `arm64`.
    public var architecture: String
    /// The public SSM parameters (full names) whose value is this image's id.
    public var ssmParameterNames: [String]
    /// ISO 8601, as DescribeImages reports `CreationDate`.
    public var creationDate: String
    public var rootDeviceName: String
    public var ownerId: String
    public var ownerAlias: String
    public var platformDetails: String
    public var virtualizationType: String
}

extension PublicImage {
    /// Amazon's account that owns the Amazon Linux images.
    public static let amazonOwnerId = "137112412989"
    /// Where Amazon Linux's "latest" parameters live.
    public static let amazonLinuxLatestPath = "/aws/service/ami-amazon-linux-latest"

    /// The images, in a fixed order.
    public static let all: [PublicImage] = [
        PublicImage(imageId: "ami-0a1b2c3d4e5f60231", name: "al2023-ami-2023.6.20241212.0-kernel-6.1-x86_64",
                    description: "Amazon Linux 2023 AMI 2023.6.20241212.0 x86_64 HVM kernel-6.1", architecture: "x86_64",
                    ssmParameterNames: [amazonLinuxLatestPath + "/al2023-ami-kernel-default-x86_64",
                                        amazonLinuxLatestPath + "/al2023-ami-kernel-6.1-x86_64"],
                    creationDate: "2024-12-12T21:39:45.000Z", rootDeviceName: "/dev/xvda", ownerId: amazonOwnerId,
                    ownerAlias: "amazon", platformDetails: "Linux/UNIX", virtualizationType: "hvm"),
        PublicImage(imageId: "ami-0a1b2c3d4e5f60232", name: "al2023-ami-2023.6.20241212.0-kernel-6.1-arm64",
                    description: "Amazon Linux 2023 AMI 2023.6.20241212.0 arm64 HVM kernel-6.1", architecture: "arm64",
                    ssmParameterNames: [amazonLinuxLatestPath + "/al2023-ami-kernel-default-arm64",
                                        amazonLinuxLatestPath + "/al2023-ami-kernel-6.1-arm64"],
                    creationDate: "2024-12-12T21:39:46.000Z", rootDeviceName: "/dev/xvda", ownerId: amazonOwnerId,
                    ownerAlias: "amazon", platformDetails: "Linux/UNIX", virtualizationType: "hvm"),
        PublicImage(imageId: "ami-0a1b2c3d4e5f60201", name: "amzn2-ami-hvm-2.0.20241217.0-x86_64-gp2",
                    description: "Amazon Linux 2 AMI 2.0.20241217.0 x86_64 HVM gp2", architecture: "x86_64",
                    ssmParameterNames: [amazonLinuxLatestPath + "/amzn2-ami-hvm-x86_64-gp2"],
                    creationDate: "2024-12-17T18:02:11.000Z", rootDeviceName: "/dev/xvda", ownerId: amazonOwnerId,
                    ownerAlias: "amazon", platformDetails: "Linux/UNIX", virtualizationType: "hvm"),
    ]

    /// The image a public parameter names, by the parameter's full name.
    public static func byParameterName(_ name: String) -> PublicImage? {
        all.first { $0.ssmParameterNames.contains(name) }
    }

    public static func byId(_ id: String) -> PublicImage? { all.first { $0.imageId == id } }
}
