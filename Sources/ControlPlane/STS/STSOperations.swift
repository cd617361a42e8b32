import AWSWire

/// One row of STS's operation table: the operation, how it is authorized, and its handler.
struct STSOperation: Sendable {
    typealias Handler = @Sendable (STSService, QueryParameters, RequestContext) throws -> String

    /// How AWS authorizes the operation.
    enum Authorization: Sendable {
        /// No permission is needed (AWS documents GetCallerIdentity and GetSessionToken so: even an explicit deny
        /// does not stop them).
        case notRequired
        /// `sts:AssumeRole` on the role: its trust policy must admit the caller, and for a principal of the account
        /// that the trust policy names only as the account, its identity policies must allow it too.
        case trustPolicy
    }

    let name: String
    let authorization: Authorization
    let handler: Handler
}

/// STS's operation table (awsQuery 2011-06-15), by botocore's names.
enum STSOperations {
    static let table: [STSOperation] = [
        .init(name: "AssumeRole", authorization: .trustPolicy) { s, p, c in
            let request = try s.assumeRoleRequest(p)
            let role = try s.authorizeAssumeRole(request, c)
            return try s.assumeRole(request, role: role, c)
        },
        .init(name: "GetCallerIdentity", authorization: .notRequired) { s, _, c in s.getCallerIdentity(c) },
        .init(name: "GetSessionToken", authorization: .notRequired) { s, p, c in try s.getSessionToken(p, c) },
    ]

    static let byName: [String: STSOperation] = Dictionary(uniqueKeysWithValues: table.map { ($0.name, $0) })
}
