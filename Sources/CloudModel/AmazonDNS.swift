import Foundation

/// The Amazon-provided DNS server of a VPC: where it answers and the private names it gives addresses. EC2's
/// descriptions, the fabric, the resolver and the sandboxes' `/etc/resolv.conf` all take them from here.
public enum AmazonDNS {
    /// The resolver's link-local address, the same in every VPC (and in the lambda network).
    public static let linkLocalResolver = IPv4Address("169.254.169.253")!

    /// The resolver's address inside a VPC: its primary block's base + 2 (`10.0.0.2` in 10.0.0.0/16).
    public static func vpcResolver(_ primaryBlock: IPv4CIDR) -> IPv4Address { primaryBlock.address(at: 2) }

    /// The private domain of a region: `ec2.internal` in us-east-1, `REGION.compute.internal` elsewhere.
    public static func privateDomain(region: String) -> String {
        region == "us-east-1" ? "ec2.internal" : "\(region).compute.internal"
    }

    /// `ip-10-0-1-4.ec2.internal` in us-east-1, `ip-10-0-1-4.REGION.compute.internal` elsewhere.
    public static func privateDnsName(_ ip: IPv4Address, region: String) -> String {
        hostLabel(ip) + "." + privateDomain(region: region)
    }

    /// `ip-10-0-1-4`: the host part of a private name (and an instance's hostname).
    public static func hostLabel(_ ip: IPv4Address) -> String {
        "ip-" + ip.description.replacingOccurrences(of: ".", with: "-")
    }
}
