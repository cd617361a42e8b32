import CloudModel
import Synchronization

/// The public addresses in use in every region: one simulated internet carries them all, so an Elastic IP must be
/// unique across regions, not just within its own. Allocation is serialised here because each region commits to
/// its own store.
public final class PublicAddressSpace: Sendable {
    private let inUse: @Sendable () -> Set<IPv4Address>
    private let allocation = Mutex(())

    /// `inUse`: the public addresses allocated in every region's latest state.
    public init(inUse: @escaping @Sendable () -> Set<IPv4Address>) { self.inUse = inUse }

    /// One region only (unit tests, a single store).
    public static func single(_ store: StateStore) -> PublicAddressSpace {
        PublicAddressSpace { CloudState.publicAddresses(store.snapshot()) }
    }

    /// Runs `body` with every region's used addresses, no other allocation running meanwhile.
    public func allocating<T>(_ body: (Set<IPv4Address>) throws -> T) throws -> T {
        try allocation.withLock { _ in try body(inUse()) }
    }
}
