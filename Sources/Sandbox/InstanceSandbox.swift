import CSandbox
import Foundation
import Synchronization

/// Starts an EC2 instance's first process (its user data) isolated as an instance is: root with its capabilities
/// inside, in the instance's network namespace, with its own mount, PID, IPC and UTS namespaces and the view of
/// `SandboxView.instance`.
public enum InstanceSandbox {
    /// Spawns `argv` with `environment` as its whole environment (`trust`: the CA bundle over the host's) in `hostHome` (the instance's directory, which
    /// keeps its path inside), stdout and stderr to `outputFd`, in a new session. Blocks briefly; returns the
    /// process's pid (PID 1 of its namespace). `resolvConf`: a host file shown as the instance's `/etc/resolv.conf`.
    public static func spawn(namespacePath: String, hostHome: String, dataDir: String, privateIp: String,
                             argv: [String], environment: [String], outputFd: Int32, trust: TrustBundle? = nil,
                             resolvConf: String? = nil) throws -> pid_t {
        let view = SandboxView.instance(home: hostHome, dataDir: dataDir, trust: trust, resolvConf: resolvConf)
        let isolation = Isolation(rootDirectory: nil, view: view,
                                  hostname: SandboxView.instanceHostname(privateIp: privateIp), user: nil, cgroupProcs: [])
        let result = Mutex<Result<pid_t, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        // setns changes only the calling thread: a fresh thread enters the namespace, spawns, and ends there.
        let thread = Thread {
            result.withLock { $0 = Result { try spawnHere(namespacePath, isolation, argv, environment, hostHome, outputFd) } }
            done.signal()
        }
        thread.name = "lv-instance-launch"
        thread.stackSize = 512 << 10
        thread.start()
        done.wait()
        return try result.withLock { $0! }.get()
    }

    private static func spawnHere(_ namespacePath: String, _ isolation: Isolation, _ argv: [String], _ environment: [String],
                                  _ home: String, _ outputFd: Int32) throws -> pid_t {
        let rc = lv_netns_enter(namespacePath, -1)
        guard rc == 0 else { throw SandboxError.environmentStartFailed("entering \(namespacePath): \(String(cString: strerror(rc)))") }
        var pid: pid_t = 0
        var stage: Int32 = 0
        let spawned = EnvironmentLauncher.spawnIsolated(isolation, argv[0], argv, environment, home, outputFd, &pid, &stage)
        guard spawned == 0 else {
            throw SandboxError.environmentStartFailed(
                "instance sandbox step \(EnvironmentLauncher.describe(stage: stage, isolation)): \(String(cString: strerror(spawned)))")
        }
        return pid
    }
}
