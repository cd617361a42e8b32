import Foundation
import Testing
@testable import Sandbox

/// The data dir's CA bundle in functions and instances: over the host's bundle files and in the SDKs' variables.
struct TrustBundleTests {
    let trust = TrustBundle(hostPath: "/data/ca/ca-bundle.crt",
                            coveredPaths: ["/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt"])

    @Test func aFunctionSeesTheBundleOverTheSystemOnesAfterEtc() {
        let host = SandboxView.HostLayout(directories: ["/usr", "/etc"], links: [:])
        let view = SandboxView.plan(host: host, codeDirectory: "/d/t", runtimeSupport: nil, runtimeFiles: [],
                                    ephemeralStorageMB: 512, trust: trust)
        let lines = view.steps.map { "\($0.kind) \($0.source ?? "-") \($0.target)" }
        let etc = try! #require(lines.firstIndex(of: "bindReadOnly /etc /etc"))
        let bundles = lines.indices.filter { lines[$0].hasPrefix("bindReadOnly /data/ca/ca-bundle.crt ") }
        #expect(bundles.map { lines[$0] } == ["bindReadOnly /data/ca/ca-bundle.crt /etc/ssl/certs/ca-certificates.crt",
                                              "bindReadOnly /data/ca/ca-bundle.crt /etc/pki/tls/certs/ca-bundle.crt"])
        #expect(bundles.allSatisfy { $0 > etc }, "mounted over the read-only /etc, not under it")
        #expect(!view.steps.contains { ($0.source ?? "").hasPrefix("/data") && $0.source != trust.hostPath && $0.target != "/var/task" })
    }

    @Test func anInstanceSeesItOverTheHostsFiles() {
        let view = SandboxView.instance(home: "/data/instances/i-1", dataDir: "/data", trust: trust)
        #expect(view.steps.filter { $0.source == trust.hostPath }.map(\.target) == trust.coveredPaths)
        #expect(trust.instanceEnvironment.contains("AWS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt"))
    }

    @Test func theVariablesNameTheBundleWhereTheProcessSeesIt() {
        #expect(trust.environment(inView: true)["NODE_EXTRA_CA_CERTS"] == "/etc/ssl/certs/ca-certificates.crt")
        #expect(trust.environment(inView: false)["SSL_CERT_FILE"] == "/data/ca/ca-bundle.crt", "no view: the host file")
        #expect(Set(trust.environment(inView: true).keys) == ["AWS_CA_BUNDLE", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "NODE_EXTRA_CA_CERTS"])
    }

    @Test func onlyBundleFilesTheHostHasAreCovered() throws {
        let t = TrustBundle.onThisHost(hostPath: "/x/ca-bundle.crt")
        for p in t.coveredPaths {
            var isDir: ObjCBool = false
            #expect(FileManager.default.fileExists(atPath: p, isDirectory: &isDir) && !isDir.boolValue && p.hasPrefix("/etc/"))
        }
        #expect(Set(t.coveredPaths).count == t.coveredPaths.count)
    }
}
