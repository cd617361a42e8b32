import Foundation

/// Resource types that stand for nothing to create: CDK's `AWS::CDK::Metadata` (what a CDK app was synthesized
/// from) and `AWS::CloudFormation::WaitConditionHandle` (a placeholder templates use to force an update).
struct NoOpProvider: ResourceProvider {
    let type: String

    func create(_ p: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned {
        Provisioned("\(c.stackName)-\(c.logicalId)-\(UUID().uuidString.prefix(8).lowercased())")
    }

    func update(_ id: String, old: ResourceProperties, new: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned? {
        Provisioned(id)
    }

    func delete(_ id: String, _ p: ResourceProperties, _ c: ProviderContext) async throws -> Bool { true }
}
