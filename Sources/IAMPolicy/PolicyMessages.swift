/// IAM's MalformedPolicyDocument messages, in one place so a correction is one edit.
/// Confirmed: seen verbatim in responses from IAM (quoted in public bug reports and AWS docs).
/// Unconfirmed: our best wording where IAM's exact text is not known.
public enum PolicyMessages {
    // Confirmed.
    public static let invalidJSON = "This policy contains invalid Json"
    public static let syntaxErrors = "Syntax errors in policy."
    public static let legacyParsing = "The policy failed legacy parsing"
    public static let mustContainActions = "Policy statement must contain actions."
    public static let mustContainResources = "Policy statement must contain resources."
    public static let vendorPrefix = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
    public static let oneColon = "Actions/Condition can contain only one colon."
    public static let shouldNotSpecifyPrincipal = "Policy document should not specify a principal."
    public static let missingPrincipal = "Missing required field Principal"
    public static let prohibitedResource = "Has prohibited field Resource"
    public static let duplicateSid = "Statement IDs (SID) in a single policy must be unique"
    public static let sidAlphanumeric =
        "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*"
    public static func invalidPrincipal(_ type: String, _ value: String) -> String {
        "Invalid principal in policy: \"\(type)\":\"\(value)\""
    }

    // Unconfirmed.
    /// A bad Effect value: IAM answered "The policy failed legacy parsing" for `"allow"` in a public report.
    public static let invalidEffect = legacyParsing
    public static let missingEffect = "Missing required field Effect"
    public static let invalidVersion = "The policy must contain a valid version string"
    public static let missingStatement = "Missing required field Statement"
    public static let invalidConditionOperator = "Policy has an invalid condition operator"
    public static let invalidConditionKey = "Policy has an invalid condition key"
    public static let emptyStatement = syntaxErrors
}
