import AWSWire
import CloudModel
import Foundation
import IAMPolicy
import Synchronization

/// STS (awsQuery, 2011-06-15): the caller's identity and temporary credentials (AssumeRole, GetSessionToken), and
/// the role sessions Lambda and EC2 hand to their workloads (`issueRoleSession`).
public final class STSService: Sendable {
    public static let xmlns = "https://sts.amazonaws.com/doc/2011-06-15/"

    let store: StateStore
    let accountId: String
    /// Trust decisions and, under `--enforce-iam`, the caller's identity policies.
    public let authorizer: Authorizer
    let enforceIAM: Bool
    /// Trust policies read as resource policies (their account principals stand for the account only), by text.
    let directGrants = Mutex<[String: CompiledPolicy]>([:])
    /// When expired sessions were last swept from the store.
    let lastSweep = Mutex<Date>(.distantPast)

    public init(store: StateStore, authorizer: Authorizer, enforceIAM: Bool) {
        self.store = store
        self.accountId = authorizer.accountId
        self.authorizer = authorizer
        self.enforceIAM = enforceIAM
    }

    /// The operations answered.
    static var operations: [String] { STSOperations.table.map(\.name) }

    public func handle(action: String, params: QueryParameters, context: RequestContext) throws -> String {
        guard let op = STSOperations.byName[action] else { throw QueryErrors.invalidAction(action) }
        return try op.handler(self, params, context)
    }

    func getCallerIdentity(_ context: RequestContext) -> String {
        Self.response("GetCallerIdentity", requestID: context.requestID) { w in
            w.element("Arn", context.principal.arn)
            w.element("UserId", context.principal.userId)
            w.element("Account", context.principal.accountId)
        }
    }

    /// `<XResponse><XResult>..</XResult><ResponseMetadata>..</ResponseMetadata></XResponse>`.
    static func response(_ action: String, requestID: String, _ body: (inout XMLWriter) -> Void) -> String {
        withoutActuallyEscaping(body) { QueryResponse.envelope(action, xmlns: xmlns, requestID: requestID, $0) }
    }

    static func credentials(_ w: inout XMLWriter, _ s: STSSession) {
        w.open("Credentials")
        w.element("AccessKeyId", s.id)
        w.element("SecretAccessKey", s.secretAccessKey)
        w.element("SessionToken", s.sessionToken)
        w.element("Expiration", IAMXML.date(s.expiration))
        w.close("Credentials")
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
