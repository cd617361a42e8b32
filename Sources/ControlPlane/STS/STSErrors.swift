import AWSWire

/// STS's error codes and messages, in one place. Messages marked (unconfirmed) are our best wording.
public enum STSErrors {
    /// The front end's shape validation: every failed constraint of the request, in one message.
    static func validation(_ failures: [String]) -> AWSError {
        let count = failures.count == 1 ? "1 validation error" : "\(failures.count) validation errors"
        return AWSError(code: "ValidationError", message: "\(count) detected: " + failures.joined(separator: "; "))
    }

    static func constraint(_ value: String, _ member: String, _ constraint: String) -> String {
        "Value '\(value)' at '\(member)' failed to satisfy constraint: \(constraint)"
    }

    static func missing(_ member: String) -> String {
        "Value null at '\(member)' failed to satisfy constraint: Member must not be null"
    }

    static let exceedsMaxSessionDuration = AWSError(
        code: "ValidationError", message: "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
    static let exceedsChainingLimit = AWSError(
        code: "ValidationError",
        message: "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")

    /// AssumeRole refused: the trust policy (or, for a principal of the account, its identity policies) does not let
    /// the caller in. AWS says the same whether or not the role exists.
    static func notAuthorized(_ callerArn: String, action: String = "sts:AssumeRole", _ roleArn: String) -> AWSError {
        AWSError(code: "AccessDenied", message: "User: \(callerArn) is not authorized to perform: \(action) on resource: \(roleArn)",
                 httpStatus: 403)
    }

    /// GetSessionToken with temporary credentials.
    static let sessionTokenWithSession = AWSError(
        code: "AccessDenied", message: "Cannot call GetSessionToken with session credentials", httpStatus: 403)

    static func malformedPolicy(_ message: String) -> AWSError { AWSError(code: "MalformedPolicyDocument", message: message) }

    /// (unconfirmed: AWS computes the packed size from a compressed encoding we do not reproduce)
    static func packedPolicyTooLarge(_ percent: Int) -> AWSError {
        AWSError(code: "PackedPolicyTooLarge",
                 message: "Packed policy consumes \(percent)% of allotted space, please use smaller policy for this request.")
    }

    /// A session tag key given twice (keys compare ignoring case) (unconfirmed).
    static let duplicateTagKeys = AWSError(code: "InvalidParameterValue",
                                           message: "Duplicate tag keys found. Please note that Tag keys are case insensitive.")

    /// A transitive tag key that is not among the session's tags (unconfirmed).
    static let transitiveKeyWithoutTag = AWSError(code: "InvalidParameterValue",
                                                  message: "The specified transitive tag key must be included in the requested tags.")
}
