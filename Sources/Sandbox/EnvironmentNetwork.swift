import CSandbox
import Foundation

/// Where an environment's processes run, network-wise: a pinned namespace path, or the host's network.
public struct EnvironmentNetworkHandle: Sendable, Equatable {
    /// Namespace name (`lv-env-<id>`), nil when the environment shares the host's network.
    public var namespaceName: String?
    /// `/run/netns/<name>`: what `setns` opens and what `ip netns` lists.
    public var namespacePath: String?

    public static let host = EnvironmentNetworkHandle(namespaceName: nil, namespacePath: nil)
}

/// The seam between the sandbox and the network fabric: creates and removes an environment's network.
/// `create` and `destroy` are called on a dedicated thread (never a Swift concurrency thread), so an implementation may
/// `setns`/`unshare`, but it must leave the calling thread in the network namespace it found it in.
/// The server's fabric-backed implementation wraps `NamespaceNetwork` and links the namespace to `attachment`'s network.
public protocol EnvironmentNetwork: Sendable {
    /// True when environments get their own namespace (the Runtime API is then at 127.0.0.1:9001 inside it).
    var isolates: Bool { get }
    func create(environmentId: String, attachment: NetworkAttachment?) throws -> EnvironmentNetworkHandle
    func destroy(_ handle: EnvironmentNetworkHandle)
    /// Removes what an earlier run of this data directory left behind (after a crash or `kill -9`).
    func removeLeftovers()
}

/// No isolation (no CAP_NET_ADMIN): environments share the host network; each Runtime API gets its own loopback port.
public struct HostNetwork: EnvironmentNetwork {
    public init() {}
    public var isolates: Bool { false }
    public func create(environmentId: String, attachment: NetworkAttachment?) throws -> EnvironmentNetworkHandle { .host }
    public func destroy(_ handle: EnvironmentNetworkHandle) {}
    public func removeLeftovers() {}
}

/// One network namespace per environment, `lv-env-<id>`, holding only `lo` (up). A ledger of the names it created
/// (files under `<dataDir>/sandbox/netns/`) lets a restart remove exactly its own leftovers, not another server's.
public struct NamespaceNetwork: EnvironmentNetwork {
    public static let prefix = "lv-env-"
    public static let pinDirectory = "/run/netns"
    let ledger: String

    public init(dataDir: String) {
        ledger = dataDir + "/sandbox/netns"
        try? FileManager.default.createDirectory(atPath: ledger, withIntermediateDirectories: true)
    }

    public var isolates: Bool { true }

    public func create(environmentId: String, attachment: NetworkAttachment?) throws -> EnvironmentNetworkHandle {
        let name = Self.prefix + environmentId
        let path = Self.pinDirectory + "/" + name
        _ = FileManager.default.createFile(atPath: ledger + "/" + name, contents: nil)
        let home = lv_netns_open_current()
        guard home >= 0 else { throw SandboxError.environmentStartFailed("cannot open the current network namespace") }
        defer { close(home) }
        let rc = lv_netns_create_here(path)
        // Back home whatever happened: the thread must not stay in the new namespace.
        let back = lv_netns_enter(nil, home)
        if rc != 0 || back != 0 {
            _ = lv_netns_delete(path)
            try? FileManager.default.removeItem(atPath: ledger + "/" + name)
            throw SandboxError.environmentStartFailed("network namespace \(name): \(String(cString: strerror(rc != 0 ? rc : back)))")
        }
        return EnvironmentNetworkHandle(namespaceName: name, namespacePath: path)
    }

    public func destroy(_ handle: EnvironmentNetworkHandle) {
        guard let name = handle.namespaceName, let path = handle.namespacePath else { return }
        _ = lv_netns_delete(path)
        try? FileManager.default.removeItem(atPath: ledger + "/" + name)
    }

    public func removeLeftovers() {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: ledger)) ?? []
        for name in names where name.hasPrefix(Self.prefix) {
            destroy(EnvironmentNetworkHandle(namespaceName: name, namespacePath: Self.pinDirectory + "/" + name))
        }
    }

    /// CAP_NET_ADMIN (bit 12) in the effective set, from /proc/self/status.
    public static func hasNetAdmin() -> Bool {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("CapEff:") }),
              let caps = UInt64(line.dropFirst("CapEff:".count).trimmingCharacters(in: .whitespaces), radix: 16)
        else { return false }
        return caps & (1 << 12) != 0
    }
}
