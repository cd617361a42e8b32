import Foundation

/// The CA bundle functions and instances trust: the host's system CAs plus the data dir's own CA, so HTTPS to the
/// service edge verifies with default settings. Shown over the standard bundle paths (OpenSSL's and the
/// distributions' defaults) and named by the variables the SDKs read, since botocore, requests and Node each carry
/// their own bundle and ignore the system one.
public struct TrustBundle: Sendable, Equatable {
    /// Where Linux distributions keep the system bundle (Debian/Ubuntu, Fedora/Amazon Linux, Alpine and others).
    public static let standardPaths = ["/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt",
                                       "/etc/ssl/cert.pem", "/etc/ssl/certs/ca-bundle.crt"]
    /// The variables that point SDKs and OpenSSL at a bundle.
    public static let variables = ["AWS_CA_BUNDLE", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "NODE_EXTRA_CA_CERTS"]

    /// The bundle on the host.
    public var hostPath: String
    /// The host's bundle files it is mounted over, symbolic links resolved (a view's `/etc` is the host's, read-only,
    /// so only files that exist there can be covered).
    public var coveredPaths: [String]

    public init(hostPath: String, coveredPaths: [String]) {
        self.hostPath = hostPath
        self.coveredPaths = coveredPaths
    }

    /// The bundle at `hostPath` covering those standard paths this host has as files.
    public static func onThisHost(hostPath: String) -> TrustBundle {
        var seen = Set<String>()
        let real = standardPaths.compactMap { p -> String? in
            let r = URL(fileURLWithPath: p).resolvingSymlinksInPath().path
            var isDir: ObjCBool = false
            guard r.hasPrefix("/etc/"), FileManager.default.fileExists(atPath: r, isDirectory: &isDir), !isDir.boolValue else { return nil }
            return seen.insert(r).inserted ? r : nil
        }
        return TrustBundle(hostPath: hostPath, coveredPaths: real)
    }

    /// Mount steps showing the bundle over every covered path.
    var steps: [SandboxView.Step] {
        coveredPaths.map { SandboxView.Step(kind: .bindReadOnly, source: hostPath, target: $0) }
    }

    /// The variables, naming the bundle where the process sees it: the first covered path inside a view, the host
    /// file for a process that runs without one.
    func environment(inView: Bool) -> [String: String] {
        let path = inView ? (coveredPaths.first ?? hostPath) : hostPath
        return Dictionary(uniqueKeysWithValues: Self.variables.map { ($0, path) })
    }

    /// `environment(inView: true)` as `NAME=value` lines, for an instance's environment.
    public var instanceEnvironment: [String] {
        environment(inView: true).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
    }
}
