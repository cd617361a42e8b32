import Foundation
import Testing
@testable import Sandbox

/// The planned file system views, step by step (golden): what a function and an instance can see.
struct SandboxViewTests {
    let mergedUsr = SandboxView.HostLayout(directories: ["/usr", "/etc"],
                                           links: ["/bin": "usr/bin", "/sbin": "usr/sbin", "/lib": "usr/lib", "/lib64": "usr/lib64"])

    @Test func functionViewIsTheOSAndRuntimeReadOnlyCodeAtVarTaskAndAPrivateSizedTmp() {
        let view = SandboxView.plan(host: mergedUsr, codeDirectory: "/data/tasks/abc", runtimeSupport: "/src/runtimes",
                                    runtimeFiles: ["/root/.pyenv/versions/3.12.1", "/root/.pyenv/versions/3.12.1/lib/python3.12/site-packages",
                                                   "/usr/lib/python3"],
                                    ephemeralStorageMB: 1024)
        let lines = view.steps.map { "\($0.kind) \($0.source ?? "-") \($0.target) \($0.data ?? "-")" }
        #expect(lines == [
            "bindReadOnly /usr /usr -",
            "symlink usr/bin /bin -",
            "symlink usr/sbin /sbin -",
            "symlink usr/lib /lib -",
            "symlink usr/lib64 /lib64 -",
            "bindReadOnly /etc /etc -",
            "bindReadOnly /root/.pyenv/versions/3.12.1 /root/.pyenv/versions/3.12.1 -",
            "bindReadOnly /src/runtimes /var/runtime -",
            "bindReadOnly /data/tasks/abc /var/task -",
            "directory - /opt -",
            "tmpfs - /tmp size=1024m,mode=1777",
            "tmpfs - /dev size=64k,mode=0755",
            "bindWritable /dev/null /dev/null -",
            "bindWritable /dev/zero /dev/zero -",
            "bindWritable /dev/full /dev/full -",
            "bindWritable /dev/random /dev/random -",
            "bindWritable /dev/urandom /dev/urandom -",
            "symlink /proc/self/fd /dev/fd -",
            "symlink /proc/self/fd/0 /dev/stdin -",
            "symlink /proc/self/fd/1 /dev/stdout -",
            "symlink /proc/self/fd/2 /dev/stderr -",
            "remountReadOnly - /dev size=64k,mode=0755",
            "proc - /proc -",
        ])
        // Nothing of the data dir but the code, nothing of /home or /tmp of the host.
        #expect(!view.steps.contains { ($0.source ?? "").hasPrefix("/data") && $0.target != "/var/task" })
        #expect(!view.steps.contains { $0.source == "/home" || $0.source == "/tmp" })
    }

    @Test func separateSystemDirectoriesAreBoundNotLinked() {
        let split = SandboxView.HostLayout(directories: ["/usr", "/bin", "/lib", "/etc"], links: [:])
        let view = SandboxView.plan(host: split, codeDirectory: "/d/t", runtimeSupport: nil, runtimeFiles: [],
                                    ephemeralStorageMB: 512)
        #expect(view.steps.prefix(4).map(\.target) == ["/usr", "/bin", "/lib", "/etc"])
        #expect(view.steps.prefix(4).allSatisfy { $0.kind == .bindReadOnly })
        #expect(!view.steps.contains { $0.target == "/var/runtime" })
        #expect(view.steps.contains { $0.target == "/tmp" && $0.data == "size=512m,mode=1777" })
    }

    @Test func instanceViewHidesTheDataDirButItsOwnDirectory() {
        let view = SandboxView.instance(home: "/var/lib/lv/instances/i-1", dataDir: "/var/lib/lv")
        let lines = view.steps.map { "\($0.kind) \($0.source ?? "-") \($0.target) \($0.data ?? "-")" }
        #expect(lines == [
            "tmpfs - /tmp mode=1777,size=512m",
            "tmpfs - /var/lib/lv mode=0755,size=1m",
            "bindWritable /var/lib/lv/instances/i-1 /var/lib/lv/instances/i-1 -",
            "tmpfs - /run/netns mode=0755,size=1m",
            "proc - /proc -",
        ])
        #expect(SandboxView.instanceHostname(privateIp: "10.0.2.4") == "ip-10-0-2-4")
    }

    @Test func networkedFunctionsSeeTheGeneratedResolvConfWhereTheHostsLeads() {
        func resolvSteps(_ host: SandboxView.HostLayout) -> [String] {
            SandboxView.plan(host: host, codeDirectory: "/d/t", runtimeSupport: nil, runtimeFiles: [], ephemeralStorageMB: 512,
                             resolvConf: "/data/dns/resolv.conf")
                .steps.filter { $0.source == "/data/dns/resolv.conf" }.map { "\($0.kind) \($0.target)" }
        }
        // A plain file in /etc: mounted over, read-only, after /etc itself.
        #expect(resolvSteps(mergedUsr) == ["bindReadOnly /etc/resolv.conf"])
        let plan = SandboxView.plan(host: mergedUsr, codeDirectory: "/d/t", runtimeSupport: nil, runtimeFiles: [],
                                    ephemeralStorageMB: 512, resolvConf: "/data/dns/resolv.conf")
        #expect(plan.steps.firstIndex { $0.target == "/etc" }! < plan.steps.firstIndex { $0.target == "/etc/resolv.conf" }!)
        // systemd-resolved's link into /run: the file is made on the view's own root, where the link leads.
        var resolved = mergedUsr
        resolved.resolvConf = "/run/systemd/resolve/stub-resolv.conf"
        resolved.resolvConfExists = false
        #expect(resolvSteps(resolved) == ["bindReadOnly /run/systemd/resolve/stub-resolv.conf"])
        // No /etc/resolv.conf at all: nothing can be mounted inside the read-only /etc.
        var missing = mergedUsr
        missing.resolvConfExists = false
        #expect(resolvSteps(missing) == [])
        // Without a network the host's stays.
        #expect(!SandboxView.plan(host: mergedUsr, codeDirectory: "/d/t", runtimeSupport: nil, runtimeFiles: [],
                                  ephemeralStorageMB: 512).steps.contains { $0.target.hasSuffix("resolv.conf") })
    }

    @Test func instanceSeesItsResolvConfLast() {
        let view = SandboxView.instance(home: "/var/lib/lv/instances/i-1", dataDir: "/var/lib/lv",
                                        resolvConf: "/var/lib/lv/instances/i-1.resolv.conf", host: mergedUsr)
        #expect(view.steps.last == .init(kind: .bindReadOnly, source: "/var/lib/lv/instances/i-1.resolv.conf", target: "/etc/resolv.conf"))
    }

    @Test func resolvConfLinksAreFollowedToAnAbsolutePath() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lv-resolv-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir + "/etc", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createSymbolicLink(atPath: dir + "/etc/resolv.conf", withDestinationPath: "../run/stub.conf")
        try FileManager.default.createSymbolicLink(atPath: dir + "/run-link", withDestinationPath: dir + "/etc/resolv.conf")
        #expect(SandboxView.HostLayout.resolveLinks(dir + "/run-link") == dir + "/run/stub.conf")
        #expect(SandboxView.HostLayout.resolveLinks(dir + "/etc") == dir + "/etc")
        #expect(SandboxView.HostLayout.normalise("/etc/../run/./systemd//resolve/stub-resolv.conf") == "/run/systemd/resolve/stub-resolv.conf")
    }

    @Test func nestedRuntimeDirectoriesCollapseToTheOutermost() {
        #expect(SandboxView.outermost(["/a/b", "/a", "/c/", "/a/b/c", "/ab"]) == ["/a", "/ab", "/c"])
    }

    @Test func cpuFollowsMemoryAsOnLambda() {
        #expect(ResourceCgroup.cpuWeight(megabytes: 128) < ResourceCgroup.cpuWeight(megabytes: 1769))
        #expect(ResourceCgroup.cpuShares(megabytes: 10240) == 20480)
        #expect(ResourceCgroup.cpuWeight(megabytes: 1) == 1)
    }
}
