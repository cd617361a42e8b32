import AWSWire
import CloudModel
import Foundation

/// EC2's Query API (2016-11-15), VPC part: validates like EC2, writes the store, answers EC2's XML.
public final class EC2Service: Sendable {
    public let store: StateStore
    public let accountId: String
    public let region: String

    public init(store: StateStore, accountId: String, region: String) {
        self.store = store
        self.accountId = accountId
        self.region = region
    }

    typealias Operation = @Sendable (EC2Service, QueryParameters, RequestContext) throws -> String

    /// Every action this service answers; anything else is `InvalidAction`.
    static let operations: [String: Operation] = [
        "CreateVpc": { try $0.createVpc($1, $2) },
        "DescribeVpcs": { try $0.describeVpcs($1, $2) },
    ]

    public func handle(action: String, params: QueryParameters, context: RequestContext) throws -> String {
        guard let op = Self.operations[action] else { throw QueryErrors.invalidAction(action) }
        return try op(self, params, context)
    }
}
