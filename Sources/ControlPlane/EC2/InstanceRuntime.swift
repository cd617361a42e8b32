import CloudModel
import Foundation

/// The port that makes an instance real: its environment (a namespace holding its ENI's address) and its
/// user data run as a shell script. The lifecycle reconciler calls it; the network fabric implements it.
public protocol InstanceRuntime: Sendable {
    /// Starts the instance and its user data; returns once it runs. Called again after a server restart for
    /// instances the store says are running, so it must be idempotent.
    func start(_ instance: Instance, userData: Data) async throws
    /// Stops the instance's processes and environment; returns once they are gone. Idempotent.
    func stop(instanceId: String) async
    /// Everything the instance wrote to its console so far (the user data script's output).
    func consoleOutput(instanceId: String) -> String
}

/// The default runtime when no fabric is wired in: instances start at once and print nothing.
public struct InProcessInstanceRuntime: InstanceRuntime {
    public init() {}
    public func start(_ instance: Instance, userData: Data) async throws {}
    public func stop(instanceId: String) async {}
    public func consoleOutput(instanceId: String) -> String { "" }
}
