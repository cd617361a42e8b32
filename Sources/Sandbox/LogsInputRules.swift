import Foundation

/// CloudWatch Logs' input constraints (botocore's `logs` model) and the `InvalidParameterException` messages AWS gives
/// when one is broken. Pure: each check returns the message, or nil when the value is acceptable.
enum LogsInputRules {
    /// `Days`: the only retention periods PutRetentionPolicy accepts.
    static let retentionDays: [Int] = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192,
                                       2557, 2922, 3288, 3653]
    static let logGroupClasses = ["STANDARD", "INFREQUENT_ACCESS", "DELIVERY"]
    static let maxBatchBytes = 1_048_576
    static let maxBatchEvents = 10_000

    static func missing(_ member: String) -> String {
        "1 validation error detected: Value null at '\(member)' failed to satisfy constraint: Member must not be null"
    }

    /// `LogGroupName`: 1-512 of `[\.\-_/#A-Za-z0-9]`.
    static func groupName(_ name: String, member: String = "logGroupName") -> String? {
        if let length = lengthProblem(name, member: member, min: 1, max: 512) { return length }
        let allowed = name.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || "._-/#".utf8.contains(b)
        }
        return allowed ? nil : "1 validation error detected: Value '\(name)' at '\(member)' failed to satisfy constraint: "
            + "Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+"
    }

    /// `LogStreamName`: 1-512 characters, no `:` or `*`.
    static func streamName(_ name: String) -> String? {
        if let length = lengthProblem(name, member: "logStreamName", min: 1, max: 512) { return length }
        return name.contains(where: { $0 == ":" || $0 == "*" })
            ? "1 validation error detected: Value '\(name)' at 'logStreamName' failed to satisfy constraint: "
                + "Member must satisfy regular expression pattern: [^:*]*"
            : nil
    }

    static func retention(_ days: Int) -> String? {
        retentionDays.contains(days) ? nil
            : "1 validation error detected: Value '\(days)' at 'retentionInDays' failed to satisfy constraint: "
                + "Member must satisfy enum value set: [\(retentionDays.map(String.init).joined(separator: ", "))]"
    }

    static func logGroupClass(_ value: String) -> String? {
        logGroupClasses.contains(value) ? nil
            : "1 validation error detected: Value '\(value)' at 'logGroupClass' failed to satisfy constraint: "
                + "Member must satisfy enum value set: [\(logGroupClasses.joined(separator: ", "))]"
    }

    /// `Tags`: 1-50 entries; keys 1-128 and values 0-256 of letters, digits, spaces and `_.:/=+-@`; `aws:` is reserved.
    static func tags(_ tags: [String: String], member: String = "tags") -> String? {
        if tags.isEmpty || tags.count > 50 {
            return "1 validation error detected: Value '\(render(tags))' at '\(member)' failed to satisfy constraint: "
                + "Member must have length \(tags.isEmpty ? "greater than or equal to 1" : "less than or equal to 50")"
        }
        for key in tags.keys.sorted() {
            if let problem = tagKey(key, member: "\(member).key") { return problem }
            let value = tags[key]!
            if value.count > 256 || !value.allSatisfy(isTagCharacter) {
                return "1 validation error detected: Value '\(value)' at '\(member).\(key)' failed to satisfy constraint: "
                    + "Member must satisfy regular expression pattern: ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$"
            }
        }
        return nil
    }

    static func tagKey(_ key: String, member: String = "tagKeys") -> String? {
        if let length = lengthProblem(key, member: member, min: 1, max: 128) { return length }
        if !key.allSatisfy(isTagCharacter) {
            return "1 validation error detected: Value '\(key)' at '\(member)' failed to satisfy constraint: "
                + "Member must satisfy regular expression pattern: ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+)$"
        }
        return key.lowercased().hasPrefix("aws:") ? "Tag keys with the prefix 'aws:' are reserved for AWS use." : nil
    }

    /// A log group ARN as TagResource takes it (`arn:aws:logs:REGION:ACCOUNT:log-group:NAME`), split; nil when it is
    /// not one. The `:*` form that DescribeLogGroups' `arn` shows names no group (`*` is not a name character).
    static func logGroupArn(_ arn: String) -> (region: String, account: String, name: String)? {
        let parts = arn.split(separator: ":", maxSplits: 6, omittingEmptySubsequences: false)
        guard parts.count == 7, parts[0] == "arn", parts[1].hasPrefix("aws"), parts[2] == "logs", parts[5] == "log-group"
        else { return nil }
        return (String(parts[3]), String(parts[4]), String(parts[6]))
    }

    private static func isTagCharacter(_ c: Character) -> Bool {
        c.isLetter || c.isNumber || c.isWhitespace || "_.:/=+-@".contains(c)
    }

    private static func lengthProblem(_ value: String, member: String, min: Int, max: Int) -> String? {
        let n = value.count
        if n < min { return "1 validation error detected: Value '\(value)' at '\(member)' failed to satisfy constraint: Member must have length greater than or equal to \(min)" }
        if n > max { return "1 validation error detected: Value '\(value)' at '\(member)' failed to satisfy constraint: Member must have length less than or equal to \(max)" }
        return nil
    }

    private static func render(_ tags: [String: String]) -> String {
        "{" + tags.keys.sorted().map { "\($0)=\(tags[$0]!)" }.joined(separator: ", ") + "}"
    }
}
