import Foundation

/// Who is calling: the account root in the default mode, or an IAM user/role when IAM is enforced.
public struct Principal: Sendable, Equatable {
    public var arn: String
    /// The `UserId` GetCallerIdentity reports (the account id for root, `AIDA…` for users).
    public var userId: String
    public var accountId: String
    public var accessKeyId: String
    /// For a role session (`arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`): the role's ARN, which policies name
    /// to mean every session of the role (`aws:PrincipalArn`); nil for users and the root.
    public var roleArn: String?

    public init(arn: String, userId: String, accountId: String, accessKeyId: String, roleArn: String? = nil) {
        self.arn = arn
        self.userId = userId
        self.accountId = accountId
        self.accessKeyId = accessKeyId
        self.roleArn = roleArn
    }

    /// True for the account root (`arn:aws:iam::ACCOUNT:root`), whose requests policies never restrict.
    public var isRoot: Bool {
        arn.utf8.withContiguousStorageIfAvailable { b in
            b.count > 5 && b[b.count - 5] == UInt8(ascii: ":") && b[b.count - 4] == UInt8(ascii: "r")
                && b[b.count - 3] == UInt8(ascii: "o") && b[b.count - 2] == UInt8(ascii: "o") && b[b.count - 1] == UInt8(ascii: "t")
        } ?? arn.hasSuffix(":root")
    }

    public static func root(accountId: String, accessKeyId: String) -> Principal {
        Principal(arn: "arn:aws:iam::\(accountId):root", userId: accountId, accountId: accountId, accessKeyId: accessKeyId)
    }
}

/// What every operation knows about the request besides its parameters.
public struct RequestContext: Sendable {
    public var requestID: String
    public var accountId: String
    public var region: String
    public var principal: Principal
    public var sourceIP: String
    /// Set when IAM is enforced: operations authorize through `authorize(_:_:_:)`.
    public var authorization: RequestAuthorization?

    public init(requestID: String, accountId: String, region: String, principal: Principal, sourceIP: String,
                authorization: RequestAuthorization? = nil) {
        self.requestID = requestID
        self.accountId = accountId
        self.region = region
        self.principal = principal
        self.sourceIP = sourceIP
        self.authorization = authorization
    }
}
