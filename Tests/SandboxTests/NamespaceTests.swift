import Foundation
import Testing
@testable import Sandbox

@Suite(.serialized) struct NamespaceTests {
    @Test func eachEnvironmentHasItsOwnNamespaceRemovedAtShutdown() async throws {
        // Root runs the tests in CI: missing CAP_NET_ADMIN there is a failure, not a reason to skip.
        #expect(NamespaceNetwork.hasNetAdmin(), "CAP_NET_ADMIN is required for the namespace tests")
        // A server-side port the function must NOT reach: the host's loopback is not the environment's.
        let hostListener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(hostListener, $0, len) } }
        listen(hostListener, 4)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(hostListener, $0, &len) } }
        let hostPort = Int(UInt16(bigEndian: addr.sin_port))
        defer { close(hostListener) }

        let f = SandboxFixture()
        #expect(f.pool.isolatesNetwork)
        let spec = try f.python("isolated", """
            import socket
            def handler(event, context):
                s = socket.socket()
                s.settimeout(1)
                try:
                    s.connect(("127.0.0.1", event["port"]))
                    reached = "connected"
                except OSError as e:
                    reached = type(e).__name__
                with open("/proc/net/dev") as f:
                    links = [l.split(":")[0].strip() for l in f.readlines()[2:]]
                return {"reached": reached, "links": links}
            """)
        let out = try await f.invoke(spec, #"{"port":\#(hostPort)}"#)
        // Other suites run in parallel: look only at this pool's namespaces (its ledger).
        let ledger = f.dataDir + "/sandbox/netns"
        let during = Set((try? FileManager.default.contentsOfDirectory(atPath: ledger)) ?? [])
        let pinnedDuring = sandboxNamespaces().intersection(during)
        await f.pool.shutdown()
        let after = sandboxNamespaces().intersection(during)
        let ledgerAfter = (try? FileManager.default.contentsOfDirectory(atPath: ledger)) ?? []
        await f.close()
        #expect(out.json["reached"] as? String == "ConnectionRefusedError")
        #expect(out.json["links"] as? [String] == ["lo"])
        #expect(during.count == 1)
        #expect(during.allSatisfy { $0.hasPrefix("lv-env-") })
        #expect(pinnedDuring == during)
        #expect(after.isEmpty)
        #expect(ledgerAfter.isEmpty)
    }

    @Test func leftoversOfACrashedRunAreRemovedAtStart() async throws {
        let dataDir = NSTemporaryDirectory() + "lv-ns-left-" + UUID().uuidString.prefix(8)
        let network = NamespaceNetwork(dataDir: dataDir)
        let handle = try await withCheckedThrowingContinuation { c in
            Thread { c.resume(with: Result { try network.create(environmentId: "deadbeef", attachment: nil) }) }.start()
        }
        #expect(sandboxNamespaces().contains("lv-env-deadbeef"))
        #expect(handle.namespacePath == "/run/netns/lv-env-deadbeef")
        NamespaceNetwork(dataDir: dataDir).removeLeftovers()
        #expect(!sandboxNamespaces().contains("lv-env-deadbeef"))
        try? FileManager.default.removeItem(atPath: dataDir)
    }
}
