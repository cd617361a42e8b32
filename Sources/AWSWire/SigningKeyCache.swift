import Crypto
import Synchronization

/// Derived SigV4 signing keys by secret, date, region and service: the four-HMAC derivation is the same for every
/// request of a key on one day, and costs more than checking the signature itself.
final class SigningKeyCache: Sendable {
    static let shared = SigningKeyCache()
    private let keys = Mutex<[String: [UInt8]]>([:])
    /// Past this many keys the cache starts over rather than growing without bound.
    private let limit = 4096

    func key(secretAccessKey: String, dateStamp: String, region: String, service: String) -> SymmetricKey {
        let id = secretAccessKey + "\u{0}" + dateStamp + "\u{0}" + region + "\u{0}" + service
        if let hit = keys.withLock({ $0[id] }) { return SymmetricKey(data: hit) }
        let key = SigV4Crypto.signingKey(secretAccessKey: secretAccessKey, dateStamp: dateStamp, region: region, service: service)
        let bytes = key.withUnsafeBytes { Array($0) }
        keys.withLock { k in
            if k.count >= limit { k.removeAll(keepingCapacity: true) }
            k[id] = bytes
        }
        return key
    }
}
