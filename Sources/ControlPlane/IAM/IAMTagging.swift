import AWSWire
import CloudModel

/// IAM's rules for tags on users, roles, policies and instance profiles: what a request may carry, and how it
/// changes a resource's tags. Keys compare ignoring case, as IAM does.
enum IAMTagging {
    static let maxTags = 50
    static let keyPattern = #"[\p{L}\p{Z}\p{N}_.:/=+\-@]+"#
    static let valuePattern = #"[\p{L}\p{Z}\p{N}_.:/=+\-@]*"#

    /// Checks a request's tags: at most 50, keys 1–128 and values 0–256 characters of the allowed set, no key twice.
    static func validate(_ tags: [Tag]) throws(AWSError) {
        if tags.count > maxTags {
            throw AWSError(code: "ValidationError", message:
                "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to \(maxTags)")
        }
        for (i, t) in tags.enumerated() {
            try checkKey(t.key, member: "tags.\(i + 1).member.key")
            if t.value.count > 256 {
                throw IAMErrors.validation(t.value, "tags.\(i + 1).member.value", "Member must have length less than or equal to 256")
            }
            if !t.value.unicodeScalars.allSatisfy(allowed) {
                throw IAMErrors.validation(t.value, "tags.\(i + 1).member.value",
                                           "Member must satisfy regular expression pattern: \(valuePattern)")
            }
        }
        if Set(tags.map { IAMName.key($0.key) }).count != tags.count { throw IAMErrors.duplicateTagKeys }
    }

    /// Checks the keys of an untag request.
    static func validate(keys: [String]) throws(AWSError) {
        if keys.count > maxTags {
            throw AWSError(code: "ValidationError", message:
                "1 validation error detected: Value at 'tagKeys' failed to satisfy constraint: Member must have length less than or equal to \(maxTags)")
        }
        for (i, k) in keys.enumerated() { try checkKey(k, member: "tagKeys.\(i + 1).member") }
    }

    static func checkKey(_ key: String, member: String) throws(AWSError) {
        if key.isEmpty { throw IAMErrors.validation(key, member, "Member must have length greater than or equal to 1") }
        if key.count > 128 { throw IAMErrors.validation(key, member, "Member must have length less than or equal to 128") }
        if !key.unicodeScalars.allSatisfy(allowed) {
            throw IAMErrors.validation(key, member, "Member must satisfy regular expression pattern: \(keyPattern)")
        }
    }

    /// `\p{L}\p{Z}\p{N}_.:/=+\-@`
    static func allowed(_ c: Unicode.Scalar) -> Bool {
        switch c.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .spaceSeparator, .lineSeparator, .paragraphSeparator,
             .decimalNumber, .letterNumber, .otherNumber:
            return true
        default:
            return "_.:/=+-@".unicodeScalars.contains(c)
        }
    }

    /// The tags after adding `new`: a key already there (in any case) takes the new key and value in its place;
    /// others are appended in request order. Throws LimitExceeded when the result would hold more than 50.
    static func merged(_ existing: [Tag], _ new: [Tag], kind: String) throws(AWSError) -> [Tag] {
        var out = existing
        for t in new {
            if let i = out.firstIndex(where: { IAMName.key($0.key) == IAMName.key(t.key) }) { out[i] = t } else { out.append(t) }
        }
        if out.count > maxTags { throw IAMErrors.tooManyTags(kind) }
        return out
    }

    /// The tags without those whose key is in `keys` (any case); keys that are not there are ignored, as IAM does.
    static func removing(_ existing: [Tag], keys: [String]) -> [Tag] {
        let drop = Set(keys.map(IAMName.key))
        return existing.filter { !drop.contains(IAMName.key($0.key)) }
    }
}
