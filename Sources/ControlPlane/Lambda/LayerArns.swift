/// The model's patterns for layer names and layer version ARNs, and their parsing (pure: the request readers and
/// the fuzz harness use it without the service).
enum LayerArns {
    static let namePattern = "(arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+"
    static let versionArnPattern = "arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+"

    /// A layer version ARN split into its layer and number; nil when it fails `versionArnPattern`.
    static func parseVersionArn(_ arn: String) -> (name: String, region: String, account: String, version: Int)? {
        let p = arn.split(separator: ":", omittingEmptySubsequences: false)
        guard arn.count <= 140, p.count == 8, p[0] == "arn", !p[1].isEmpty, p[2] == "lambda", !p[3].isEmpty,
              isDigits(p[4], count: 12), p[5] == "layer", isNameText(p[6]), !p[7].isEmpty, isDigits(p[7], count: nil),
              let n = Int(p[7]) else { return nil }
        return (String(p[6]), String(p[3]), String(p[4]), n)
    }

    static func isNameText(_ s: Substring) -> Bool {
        !s.isEmpty && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }

    static func isDigits(_ s: Substring, count: Int?) -> Bool {
        (count.map { s.count == $0 } ?? true) && s.allSatisfy { $0.isASCII && $0.isNumber }
    }
}
