import Foundation
import Synchronization

/// Where the control plane reads the time; tests substitute a clock they move by hand.
public protocol TimeSource: Sendable {
    func now() -> Date
}

/// The wall clock.
public struct SystemTimeSource: TimeSource {
    public init() {}
    public func now() -> Date { Date() }
}

/// A clock that only moves when told to, for tests of timed behaviour without sleeps.
public final class ManualTimeSource: TimeSource {
    private let value: Mutex<Date>
    public init(_ start: Date = Date(timeIntervalSince1970: 1_750_000_000)) { value = Mutex(start) }
    public func now() -> Date { value.withLock { $0 } }
    public func advance(by seconds: TimeInterval) { value.withLock { $0 += seconds } }
}
