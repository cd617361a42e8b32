import AWSWire
import CloudModel
import Foundation

/// EC2's Query API (2016-11-15), VPC part: validates like EC2, writes the store, answers EC2's XML.
public final class EC2Service: Sendable {
    public let store: StateStore
    public let accountId: String
    public let region: String
    public let zones: AvailabilityZones

    public init(store: StateStore, accountId: String, region: String) {
        self.store = store
        self.accountId = accountId
        self.region = region
        self.zones = AvailabilityZones(region: region)
    }

    typealias Operation = @Sendable (EC2Service, QueryParameters, RequestContext) throws -> String

    /// Every action this service answers; anything else is `InvalidAction`.
    static let operations: [String: Operation] = [
        "CreateVpc": { try $0.createVpc($1, $2) },
        "DescribeVpcs": { try $0.describeVpcs($1, $2) },
        "DeleteVpc": { try $0.deleteVpc($1, $2) },
        "CreateSubnet": { try $0.createSubnet($1, $2) },
        "DescribeSubnets": { try $0.describeSubnets($1, $2) },
        "DeleteSubnet": { try $0.deleteSubnet($1, $2) },
        "CreateSecurityGroup": { try $0.createSecurityGroup($1, $2) },
        "DescribeSecurityGroups": { try $0.describeSecurityGroups($1, $2) },
        "DeleteSecurityGroup": { try $0.deleteSecurityGroup($1, $2) },
        "AuthorizeSecurityGroupIngress": { try $0.authorizeIngress($1, $2) },
        "AuthorizeSecurityGroupEgress": { try $0.authorizeEgress($1, $2) },
        "RevokeSecurityGroupIngress": { try $0.revokeIngress($1, $2) },
        "RevokeSecurityGroupEgress": { try $0.revokeEgress($1, $2) },
        "DescribeSecurityGroupRules": { try $0.describeSecurityGroupRules($1, $2) },
        "CreateNetworkInterface": { try $0.createNetworkInterface($1, $2) },
        "DescribeNetworkInterfaces": { try $0.describeNetworkInterfaces($1, $2) },
        "DeleteNetworkInterface": { try $0.deleteNetworkInterface($1, $2) },
        "CreateTags": { try $0.createTags($1, $2) },
        "DeleteTags": { try $0.deleteTags($1, $2) },
        "DescribeTags": { try $0.describeTags($1, $2) },
        "DescribeAvailabilityZones": { try $0.describeAvailabilityZones($1, $2) },
        "DescribeRouteTables": { try $0.describeRouteTables($1, $2) },
        "DescribeNetworkAcls": { try $0.describeNetworkAcls($1, $2) },
    ]

    public func handle(action: String, params: QueryParameters, context: RequestContext) throws -> String {
        guard let op = Self.operations[action] else { throw QueryErrors.invalidAction(action) }
        // Reads have nothing to validate beyond permissions, so DryRun answers at once; writes validate
        // fully inside their transaction first (see `mutate`).
        if action.hasPrefix("Describe") && isDryRun(params) { throw EC2Errors.dryRun }
        return try op(self, params, context)
    }
}
