import AWSWire

/// A function named the ways Lambda accepts: `name`, `name:qualifier`, `ACCOUNT:function:name[:qualifier]`,
/// `arn:aws:lambda:REGION:ACCOUNT:function:name[:qualifier]`.
struct FunctionReference: Equatable {
    var name: String
    var qualifier: String?
    /// Account and region when the caller gave an ARN; nil means "this account/region".
    var accountId: String?
    var region: String?

    static let namePattern = "(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?"
    static let namespacedPattern = "(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST(\\.PUBLISHED)?|[a-zA-Z0-9-_]+))?"

    /// Parses `text`; `namespaced` selects the longer NamespacedFunctionName shape (Get, Delete, Invoke).
    /// Returns the ValidationException problem text when it does not fit the model.
    static func parse(_ text: String, member: String = "functionName", namespaced: Bool = false) -> Result<FunctionReference, AWSError> {
        let maxLen = namespaced ? 256 : 140
        var problems: [String] = []
        if text.isEmpty || text.count > maxLen {
            problems.append("Value '\(text)' at '\(member)' failed to satisfy constraint: Member must have length \(text.isEmpty ? "greater than or equal to 1" : "less than or equal to \(maxLen)")")
        }
        guard let ref = split(text, allowDot: namespaced) else {
            problems.append("Value '\(text)' at '\(member)' failed to satisfy constraint: Member must satisfy regular expression pattern: \(namespaced ? namespacedPattern : namePattern)")
            return .failure(LambdaErrors.validation(problems))
        }
        if !problems.isEmpty { return .failure(LambdaErrors.validation(problems)) }
        return .success(ref)
    }

    private static func split(_ text: String, allowDot: Bool) -> FunctionReference? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        var ref: FunctionReference
        switch parts.count {
        case 1, 2:
            ref = FunctionReference(name: parts[0], qualifier: parts.count == 2 ? parts[1] : nil)
        case 3, 4:
            guard parts[0].count == 12, parts[0].allSatisfy(\.isASCIIDigit), parts[1] == "function" else { return nil }
            ref = FunctionReference(name: parts[2], qualifier: parts.count == 4 ? parts[3] : nil, accountId: parts[0])
        case 7, 8:
            guard parts[0] == "arn", parts[1].hasPrefix("aws"), parts[2] == "lambda", isRegion(parts[3]),
                  parts[4].count == 12, parts[4].allSatisfy(\.isASCIIDigit), parts[5] == "function" else { return nil }
            ref = FunctionReference(name: parts[6], qualifier: parts.count == 8 ? parts[7] : nil, accountId: parts[4], region: parts[3])
        default:
            return nil
        }
        guard !ref.name.isEmpty, ref.name.allSatisfy({ isNameChar($0) || (allowDot && $0 == ".") }) else { return nil }
        if let q = ref.qualifier {
            guard !q.isEmpty, q == "$LATEST" || (allowDot && q == "$LATEST.PUBLISHED") || q.allSatisfy(isNameChar) else { return nil }
        }
        return ref
    }

    static func isNameChar(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber || c == "-" || c == "_")
    }

    static func isRegion(_ s: String) -> Bool {
        let p = s.split(separator: "-")
        return p.count >= 3 && p[0].count == 2 && p.last!.count == 1 && p.last!.allSatisfy(\.isASCIIDigit)
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
