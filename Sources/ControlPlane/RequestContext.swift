import Foundation
import IAMPolicy

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
    /// The caller's address as the server sees it: behind a NAT gateway or an instance's Elastic IP, the public one.
    public var sourceIP: String
    /// The service edge address the request came to (nil: the host endpoint).
    public var edgeAddress: String?
    /// The VPC the request came from, matched by its source address (a NAT gateway's or an instance's Elastic IP,
    /// an interface's private address through a VPC endpoint); nil from outside any VPC.
    public var sourceVpc: String?
    /// The caller's private address in its VPC, when no NAT stood between it and the service (a VPC endpoint).
    public var vpcSourceIp: String?
    /// The VPC endpoint the request came through.
    public var sourceVpce: String?
    /// Whether it came over TLS (the edge's HTTPS).
    public var secureTransport = false
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

    /// The condition keys of where the request came from.
    public var network: NetworkOrigin {
        NetworkOrigin(sourceVpce: sourceVpce, sourceVpc: sourceVpc, vpcSourceIP: vpcSourceIp, secureTransport: secureTransport)
    }
}
