import Foundation

/// One statement of a function's resource-based policy, as AddPermission was given it; the policy JSON is rendered
/// from these fields, so what GetPolicy shows and what enforcement evaluates are the same text.
public struct LambdaPermissionStatement: Codable, Sendable, Equatable {
    public var sid: String
    /// `lambda:InvokeFunction`, `lambda:*`, `*`, ...
    public var action: String
    /// As given: `*`, an account id, an IAM ARN, or a service principal (`s3.amazonaws.com`).
    public var principal: String
    public var sourceArn: String?
    public var sourceAccount: String?
    public var principalOrgID: String?
    public var functionUrlAuthType: String?
    public var eventSourceToken: String?

    public init(sid: String, action: String, principal: String, sourceArn: String? = nil, sourceAccount: String? = nil,
                principalOrgID: String? = nil, functionUrlAuthType: String? = nil, eventSourceToken: String? = nil) {
        self.sid = sid; self.action = action; self.principal = principal; self.sourceArn = sourceArn
        self.sourceAccount = sourceAccount; self.principalOrgID = principalOrgID
        self.functionUrlAuthType = functionUrlAuthType; self.eventSourceToken = eventSourceToken
    }
}

/// The resource-based policy of a function (unqualified) or of one of its versions or aliases.
public struct LambdaResourcePolicy: Record {
    public static let kind = "lambda.policy"
    public static var table: WritableKeyPath<CloudState, [String: LambdaResourcePolicy]> { \.lambdaPolicies }
    /// `function:qualifier`, with an empty qualifier for the unqualified function.
    public var id: String
    public var functionName: String
    /// Nil: the unqualified function ARN.
    public var qualifier: String?
    public var statements: [LambdaPermissionStatement]
    public var revisionId: String

    public init(functionName: String, qualifier: String?, statements: [LambdaPermissionStatement], revisionId: String) {
        self.id = Self.id(functionName, qualifier); self.functionName = functionName; self.qualifier = qualifier
        self.statements = statements; self.revisionId = revisionId
    }

    public static func id(_ function: String, _ qualifier: String?) -> String { "\(function):\(qualifier ?? "")" }
}
