import Crypto
import Synchronization

/// Derived SigV4 signing keys by secret, date, region and service, held as keyed MAC state: the four-HMAC
/// derivation and the key's pad hashing are the same for every request of a key on one day, and cost more than
/// checking the signature itself. Only keys are cached, never a verdict: every request's signature is recomputed.
final class SigningKeyCache: Sendable {
    static let shared = SigningKeyCache()

    private struct Scope: Hashable {
        let secret: String
        let date: String
        let region: String
        let service: String
    }

    private let keys = Mutex<[Scope: SigV4SigningMAC]>([:])
    /// Past this many keys the cache starts over rather than growing without bound.
    private let limit = 4096

    /// The MAC to compute signatures of this key, day, region and service with.
    func mac(secretAccessKey: String, dateStamp: String, region: String, service: String) -> SigV4SigningMAC {
        let scope = Scope(secret: secretAccessKey, date: dateStamp, region: region, service: service)
        if let hit = keys.withLock({ $0[scope] }) { return hit }
        let key = SigV4Crypto.signingKey(secretAccessKey: secretAccessKey, dateStamp: dateStamp, region: region, service: service)
        let mac = SigV4SigningMAC(key: key.withUnsafeBytes { Array($0) })
        keys.withLock { k in
            if k.count >= limit { k.removeAll(keepingCapacity: true) }
            k[scope] = mac
        }
        return mac
    }
}

/// The signing key one caller used last, by secret, day, region and service: nearly all of a caller's requests share
/// them, so they are compared (short strings) rather than hashed into `SigningKeyCache`.
public final class SigningKeySlot: Sendable {
    private struct Last {
        let secret: String
        let date: String
        let region: String
        let service: String
        let mac: SigV4SigningMAC
    }

    private let last = Mutex<Last?>(nil)

    public init() {}

    func mac(secretAccessKey: String, dateStamp: String, region: String, service: String) -> SigV4SigningMAC {
        let hit = last.withLock { l -> SigV4SigningMAC? in
            guard let l, l.date == dateStamp, l.region == region, l.service == service, l.secret == secretAccessKey else { return nil }
            return l.mac
        }
        if let hit { return hit }
        let mac = SigningKeyCache.shared.mac(secretAccessKey: secretAccessKey, dateStamp: dateStamp, region: region, service: service)
        last.withLock { $0 = Last(secret: secretAccessKey, date: dateStamp, region: region, service: service, mac: mac) }
        return mac
    }
}
