import AWSWire

/// STS (awsQuery, 2011-06-15): the caller's identity.
public struct STSService: Sendable {
    public static let xmlns = "https://sts.amazonaws.com/doc/2011-06-15/"

    public init() {}

    /// The operations answered (one: STS is here for the caller's identity).
    static let operations = ["GetCallerIdentity"]

    public func handle(action: String, params: QueryParameters, context: RequestContext) throws(AWSError) -> String {
        switch action {
        case "GetCallerIdentity":
            var w = XMLWriter(declaration: false)
            w.open("GetCallerIdentityResponse", xmlns: Self.xmlns)
            w.open("GetCallerIdentityResult")
            w.element("Arn", context.principal.arn)
            w.element("UserId", context.principal.userId)
            w.element("Account", context.principal.accountId)
            w.close("GetCallerIdentityResult")
            w.open("ResponseMetadata"); w.element("RequestId", context.requestID); w.close("ResponseMetadata")
            w.close("GetCallerIdentityResponse")
            return w.text
        default:
            throw QueryErrors.invalidAction(action)
        }
    }
}

/// Errors shared by the Query-protocol services.
public enum QueryErrors {
    public static func invalidAction(_ action: String) -> AWSError {
        AWSError(code: "InvalidAction", message: "The action \(action) is not valid for this web service.", httpStatus: 400)
    }

    public static func missingAction() -> AWSError {
        AWSError(code: "MissingAction", message: "The request must contain the parameter Action.", httpStatus: 400)
    }
}
