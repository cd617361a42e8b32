import AWSWire
import CloudModel
import Foundation

/// RDS's Query API (2014-10-31): DB subnet groups and DB instances whose engines `ManagedEngineReconciler` runs.
public final class RDSService: Sendable {
    public static let xmlns = "http://rds.amazonaws.com/doc/2014-10-31/"
    public let store: StateStore
    public let accountId: String
    public let region: String
    /// Public addresses of every region (a publicly accessible instance takes one).
    let publicAddresses: PublicAddressSpace

    public init(store: StateStore, accountId: String, region: String, publicAddresses: PublicAddressSpace? = nil) {
        self.store = store; self.accountId = accountId; self.region = region
        self.publicAddresses = publicAddresses ?? .single(store)
    }

    /// Finds the action's row, authorizes every resource it names, runs it.
    public func handle(action: String, params: QueryParameters, context: RequestContext) throws -> String {
        guard let op = RDSOperations.byName[action] else { throw QueryErrors.invalidAction(action) }
        for resource in try op.resources(self, params, context) { try context.authorize(op.iamAction, resource) }
        return try op.handler(self, params, context)
    }

    func dbArn(_ id: String) -> String { "arn:aws:rds:\(region):\(accountId):db:\(id)" }
    func subnetGroupArn(_ name: String) -> String { "arn:aws:rds:\(region):\(accountId):subgrp:\(name)" }

    /// `<XResponse xmlns=..><XResult>..</XResult><ResponseMetadata>..</ResponseMetadata></XResponse>`.
    static func response(_ action: String, requestID: String) -> String { envelope(action, requestID: requestID, nil) }

    static func response(_ action: String, requestID: String, _ body: (inout XMLWriter) -> Void) -> String {
        withoutActuallyEscaping(body) { envelope(action, requestID: requestID, $0) }
    }

    private static func envelope(_ action: String, requestID: String, _ body: ((inout XMLWriter) -> Void)?) -> String {
        QueryResponse.envelope(action, xmlns: xmlns, requestID: requestID, body)
    }

    /// An RDS identifier: a letter first, letters, digits and single hyphens, no hyphen last; at most `limit`.
    static func isValidIdentifier(_ s: String, limit: Int = 63) -> Bool {
        guard let first = s.unicodeScalars.first, s.count <= limit, first.isASCIILetter, !s.hasSuffix("-"),
              !s.contains("--") else { return false }
        return s.unicodeScalars.allSatisfy { $0.isASCIILetter || ("0"..."9").contains($0) || $0 == "-" }
    }

    /// Accepts a resource ARN of this account and region naming `db:` or `subgrp:`; returns (kind, name).
    func parseArn(_ arn: String) throws -> (kind: String, name: String) {
        let parts = arn.split(separator: ":", maxSplits: 6, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 7, parts[0] == "arn", parts[2] == "rds", parts[3] == region, parts[4] == accountId else {
            throw RDSErrors.invalidArn(arn)
        }
        return (parts[5], parts[6])
    }
}

extension Unicode.Scalar {
    var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
}
