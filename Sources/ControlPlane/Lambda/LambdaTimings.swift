import Foundation

/// The delays and limits that imitate AWS's provisioning (serve flags `--eni-create-delay`, `--eni-release-after`,
/// `--idle-after`, `--eni-limit-per-vpc`), and the account's invocation limits.
public struct LambdaTimings: Sendable, Equatable {
    public var eniCreateDelay: TimeInterval
    public var eniReleaseAfter: TimeInterval
    public var idleAfter: TimeInterval
    public var eniLimitPerVpc: Int
    /// The account's concurrent executions (`--concurrency-limit`, AWS default 1000).
    public var concurrencyLimit: Int = 1000
    /// Waits before the retries of a failed Event invocation (`--async-retry-delays`; AWS: about 1 then 2 minutes).
    public var asyncRetryDelays: [TimeInterval] = [60, 120]
    /// How long a provisioned concurrency configuration stays IN_PROGRESS before it reads READY (AWS: a minute or
    /// more; short here, as nothing is allocated).
    public var provisionedConcurrencyDelay: TimeInterval = 0.5

    public init(eniCreateDelay: TimeInterval = 0.5, eniReleaseAfter: TimeInterval = 60, idleAfter: TimeInterval = 14 * 86400,
                eniLimitPerVpc: Int = 500) {
        self.eniCreateDelay = eniCreateDelay; self.eniReleaseAfter = eniReleaseAfter
        self.idleAfter = idleAfter; self.eniLimitPerVpc = eniLimitPerVpc
    }

    /// How stale the stored last-invocation time may get: an Invoke writes it only when it is older than this.
    public var activityGranularity: TimeInterval { min(3600, idleAfter / 10) }

    /// Parses `250ms`, `5s`, `2m`, `3h`, `14d`, or a bare `0`.
    public static func parseDuration(_ text: String) -> TimeInterval? {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t == "0" { return 0 }
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)]
        for (suffix, scale) in units where t.hasSuffix(suffix) {
            let number = t.dropLast(suffix.count)
            guard !number.isEmpty, number.allSatisfy({ $0.isNumber || $0 == "." }), let v = Double(number), v >= 0 else { return nil }
            return v * scale
        }
        return nil
    }
}
