import ControlPlane
import Foundation
import NetworkFabric

/// Everything `lambda-vpc serve` can be told, with the defaults of the CLI contract.
public struct ServerConfig: Sendable {
    public var host = "127.0.0.1"
    public var port = 4599
    public var dataDir = "./.lambda-vpc"
    public var accountId = "123456789012"
    /// The home region: served besides AWS's regions, and the owner of state from before regions existed.
    public var region = "us-east-1"
    /// Each region gets a default VPC on first use (`--no-default-vpc` turns it off).
    public var defaultVpc = true
    /// Largest request body accepted (Lambda's zip upload limit is 50 MB base64-encoded ≈ 70 MB).
    public var maxBodyBytes = 70 * 1024 * 1024
    /// IAM enforcement: callers are resolved from their access key and their policies decide.
    /// Off, every signed request acts as the account root.
    public var enforceIAM = false
    /// The root's credentials under enforcement (other keys are IAM users' access keys).
    public var rootAccessKeyId = "test"
    public var rootSecretAccessKey = "test"
    /// Turns off Lambda's execution-role checks (trust policy, ENI permissions).
    public var skipRoleChecks = false
    /// Seconds a NAT gateway stays `pending` (and `deleting`) before it is `available` (`deleted`).
    public var natCreateDelay: Double = 1
    public var natDeleteDelay: Double = 1
    /// Lambda's provisioning delays and ENI quota (`--eni-create-delay`, `--eni-release-after`, `--idle-after`, `--eni-limit-per-vpc`).
    public var lambdaTimings = LambdaTimings()
    /// Warm execution environments idle this long are shut down (`--environment-idle-timeout`).
    public var environmentIdleSeconds: Double = 300
    /// The network fabric (namespaces, rulesets, instance processes) when the host allows it; `--no-network` turns it off.
    public var networkFabric = true
    /// Whether the simulated internet reaches the host's network (`--egress host`); never in tests.
    public var egress = InternetEgress.none

    /// Where services the server does not implement go (`--service-backend`); nil starts a supervised `moto_server`.
    public var serviceBackend: URL?

    public init() {}
}
