import CloudModel

/// The `/etc/resolv.conf` the sandboxes show: where a function or an instance finds the Amazon-provided resolver.
public enum ResolvConf {
    /// Every function's, in a VPC or not: the link-local resolver, which answers in both networks.
    public static let function = "nameserver \(AmazonDNS.linkLocalResolver)\n"

    /// An instance's, as Amazon Linux's DHCP client writes it: the VPC's base + 2 and the region's private domain,
    /// so the short `ip-10-0-1-4` resolves too.
    public static func instance(vpcBlock: IPv4CIDR, region: String) -> String {
        "options timeout:2 attempts:5\nsearch \(AmazonDNS.privateDomain(region: region))\nnameserver \(AmazonDNS.vpcResolver(vpcBlock))\n"
    }

    /// `us-east-1` for the zone `us-east-1a`.
    public static func region(ofZone zone: String) -> String {
        String(zone.reversed().drop { $0.isLetter }.reversed())
    }
}
