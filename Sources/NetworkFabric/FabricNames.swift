import CloudModel
import Foundation

/// The names of every kernel object one fabric instance owns. Namespaces carry the instance tag
/// (`lv-<tag>-vpc-<hash>`), so two servers (or two test runs) on one machine never touch each other's objects;
/// links live only inside those namespaces, so their names need no tag and fit Linux's 15-character limit.
public struct FabricNames: Sendable, Equatable {
    /// Lower-case hex, 4 to 8 characters (hex can never spell the sandbox's `env`, so `lv-env-*` is never ours).
    public let tag: String

    public init(tag: String) throws {
        guard (4...8).contains(tag.count), tag.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else {
            throw FabricError.invalidInstanceTag(tag)
        }
        self.tag = tag
    }

    /// The tag a server uses for a data directory: stable across restarts, distinct between directories.
    public static func tag(forDataDirectory path: String) -> String {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        return String(shortHash(absolute).prefix(6))
    }

    /// Every namespace of this instance starts with this.
    public var namespacePrefix: String { "lv-\(tag)-" }

    public func vpcRouterNamespace(_ vpcId: String) -> String { namespacePrefix + "vpc-" + Self.shortHash(vpcId) }
    public func interfaceNamespace(_ eniId: String) -> String { namespacePrefix + "eni-" + Self.shortHash(eniId) }
    /// Where environments of functions without VpcConfig attach.
    public var lambdaNetworkNamespace: String { namespacePrefix + "lambda" }

    /// The simulated internet's core router: uplinks of VPCs with an internet gateway, internet hosts, the lambda network.
    public var internetNamespace: String { namespacePrefix + "inet" }
    /// "Public AWS": the namespace holding the whole service edge block (`ServiceEdge.block`), where the server listens.
    public var edgeNamespace: String { namespacePrefix + "edge" }
    /// One internet host (`lv-<tag>-host-203-0-113-10`): the address is in the name, so a process that does not know
    /// the server's hosts (`doctor`) can tell which address a host namespace holds.
    public func internetHostNamespace(_ address: IPv4Address) -> String {
        namespacePrefix + "host-" + address.description.replacingOccurrences(of: ".", with: "-")
    }
    /// The address of a host namespace of this instance, nil for any other namespace.
    public func internetHostAddress(namespace: String) -> IPv4Address? {
        let prefix = namespacePrefix + "host-"
        guard namespace.hasPrefix(prefix) else { return nil }
        return IPv4Address(namespace.dropFirst(prefix.count).replacingOccurrences(of: "-", with: "."))
    }
    /// The host-side end of `--egress host`'s veth, in the root namespace (so it carries the tag).
    public var egressRootLink: String { "lv-\(tag)-eg" }
    /// The nftables table in the root namespace that masquerades `--egress host` traffic.
    public var egressRootTable: String { "ip lv_\(tag)_egress" }

    public func owns(namespace: String) -> Bool { namespace.hasPrefix(namespacePrefix) }

    /// Bridge of a subnet, inside its VPC router namespace.
    public static func subnetBridge(_ subnetId: String) -> String { "lv-b-" + shortHash(subnetId) }
    /// Router-side end of an ENI's veth, a port of its subnet's bridge.
    public static func interfacePort(_ eniId: String) -> String { "lv-p-" + shortHash(eniId) }
    /// The ENI's own link inside its namespace, and an environment's link inside the environment namespace.
    public static let interfaceLink = "eth0"
    /// ENI- or lambda-network-side end of an environment's veth.
    public static func environmentPort(_ environmentNamespace: String) -> String { "lv-x-" + shortHash(environmentNamespace) }
    /// A VPC router's link into the internet core (its internet gateway).
    public static let routerUplink = "lv-igw"
    /// The core's end of a VPC's uplink.
    public static func coreVPCPort(_ vpcId: String) -> String { "lv-v-" + shortHash(vpcId) }
    /// The core's end of an internet host's veth.
    public static func coreHostPort(_ address: IPv4Address) -> String { "lv-h-" + shortHash(address.description) }
    /// The core's end of the lambda network's uplink, and the lambda network's end.
    public static let coreLambdaPort = "lv-lambda"
    public static let lambdaUplink = "lv-inet"
    /// The core's end of the service edge's veth.
    public static let coreEdgePort = "lv-edge"
    /// The core's end of `--egress host`'s veth.
    public static let coreEgressPort = "lv-egress"
    /// Glob matching every environment port, for nftables.
    public static let environmentPortGlob = "lv-x-*"

    /// 8 hex digits of FNV-1a over the text: stable across runs and machines (Swift's `hashValue` is not).
    public static func shortHash(_ text: String) -> String {
        let h = fnv1a64(text)
        let folded = UInt32(truncatingIfNeeded: h ^ (h >> 32))
        let s = String(folded, radix: 16)
        return String(repeating: "0", count: 8 - s.count) + s
    }

    static func fnv1a64(_ text: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in text.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }
}

/// What the fabric refuses or fails to do.
public enum FabricError: Error, Equatable, CustomStringConvertible {
    case invalidInstanceTag(String)
    case unknownInterface(String)
    case unknownEnvironment(String)
    case commandFailed(command: String, status: Int32, stderr: String)
    case noCapability
    case reconcileFailed([String])
    case internetHostInUse(String)

    public var description: String {
        switch self {
        case .invalidInstanceTag(let t): return "fabric instance tag must be 4-8 lower-case hex digits, got \(t)"
        case .unknownInterface(let id): return "network interface \(id) is not in the fabric's model"
        case .unknownEnvironment(let ns): return "environment namespace \(ns) is not attached"
        case let .commandFailed(c, s, e): return "`\(c)` exited \(s): \(e.trimmingCharacters(in: .whitespacesAndNewlines))"
        case .noCapability: return "the network fabric needs CAP_NET_ADMIN"
        case .reconcileFailed(let f): return "network fabric reconcile failed: " + f.joined(separator: "; ")
        case .internetHostInUse(let a): return "\(a) is already used by another internet host"
        }
    }
}
