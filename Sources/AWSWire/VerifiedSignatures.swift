import Synchronization

/// Header-signed requests whose signature was already found valid, by everything the signature covers (method,
/// path, query, signed header values, payload hash, the Authorization header with its scope and signature) and the
/// secret: a client repeating an identical signed request within the time window skips the canonicalization and
/// HMACs. The clock is still checked on every request.
final class VerifiedSignatures: Sendable {
    static let shared = VerifiedSignatures()
    private let entries = Mutex<Set<String>>([])
    /// Past this many entries the cache starts over rather than growing without bound.
    private let limit = 8192

    /// The identity of a header-signed request for this cache; nil for presigned requests (not cached).
    static func key(_ request: WireRequest, authorization: SigV4Authorization, secretAccessKey: String,
                    payloadHashes: [String]) -> String? {
        guard !authorization.presigned, let header = request.header("authorization") else { return nil }
        var key = secretAccessKey + "\u{0}" + header + "\u{0}" + request.method + "\u{0}" + request.rawPath + "\u{0}"
            + request.rawQuery + "\u{0}" + payloadHashes.joined(separator: ",")
            // The request time enters the string to sign even where the client did not sign its header.
            + "\u{0}" + (request.header("x-amz-date") ?? "") + "\u{0}" + (request.header("date") ?? "")
        let signed = Set(authorization.signedHeaders.map { $0.lowercased() })
        for h in request.headers where signed.contains(h.name.lowercased()) {
            key += "\u{0}" + h.name.lowercased() + ":" + h.value
        }
        return key
    }

    func contains(_ key: String) -> Bool { entries.withLock { $0.contains(key) } }

    func insert(_ key: String) {
        entries.withLock { e in
            if e.count >= limit { e.removeAll(keepingCapacity: true) }
            e.insert(key)
        }
    }
}
