import AWSWire

/// One row of CloudFormation's operation table: the Query `Action`, the IAM action it is authorized as, whether
/// it only reads, and its handler. The resource is the stack the request names
/// (`arn:aws:cloudformation:REGION:ACCOUNT:stack/NAME/*`), or `*` for the operations that name none.
struct CloudFormationOperation: Sendable {
    typealias Handler = @Sendable (CloudFormationService, QueryParameters, RequestContext) async throws -> String

    let name: String
    let readOnly: Bool
    /// The request member naming the stack the operation acts on (nil: the resource is `*`).
    let stackMember: String?
    let handler: Handler

    var iamAction: String { "cloudformation:" + name }

    init(_ name: String, readOnly: Bool, stack: String? = "StackName", _ handler: @escaping Handler) {
        self.name = name
        self.readOnly = readOnly
        self.stackMember = stack
        self.handler = handler
    }
}

/// CloudFormation's operation table (API version 2010-05-15), by botocore's names.
enum CloudFormationOperations {
    static let table: [CloudFormationOperation] = [
        .init("CreateStack", readOnly: false) { s, p, c in try await s.createStack(p, c) },
        .init("UpdateStack", readOnly: false) { s, p, c in try await s.updateStack(p, c) },
        .init("DeleteStack", readOnly: false) { s, p, c in try s.deleteStack(p, c) },
        .init("DescribeStacks", readOnly: true) { s, p, c in try s.describeStacks(p, c) },
        .init("ListStacks", readOnly: true, stack: nil) { s, p, c in try s.listStacks(p, c) },
        .init("DescribeStackEvents", readOnly: true) { s, p, c in try s.describeStackEvents(p, c) },
        .init("DescribeStackResource", readOnly: true) { s, p, c in try s.describeStackResource(p, c) },
        .init("DescribeStackResources", readOnly: true) { s, p, c in try s.describeStackResources(p, c) },
        .init("ListStackResources", readOnly: true) { s, p, c in try s.listStackResources(p, c) },
        .init("GetTemplate", readOnly: true) { s, p, c in try s.getTemplate(p, c) },
        .init("GetTemplateSummary", readOnly: true) { s, p, c in try await s.getTemplateSummary(p, c) },
        .init("ValidateTemplate", readOnly: true, stack: nil) { s, p, c in try await s.validateTemplate(p, c) },
        .init("CreateChangeSet", readOnly: false) { s, p, c in try await s.createChangeSet(p, c) },
        .init("DescribeChangeSet", readOnly: true) { s, p, c in try s.describeChangeSet(p, c) },
        .init("ExecuteChangeSet", readOnly: false) { s, p, c in try await s.executeChangeSet(p, c) },
        .init("DeleteChangeSet", readOnly: false) { s, p, c in try s.deleteChangeSet(p, c) },
        .init("ListChangeSets", readOnly: true) { s, p, c in try s.listChangeSets(p, c) },
        .init("ListExports", readOnly: true, stack: nil) { s, p, c in try s.listExports(p, c) },
        .init("ListImports", readOnly: true, stack: nil) { s, p, c in try s.listImports(p, c) },
        .init("CancelUpdateStack", readOnly: false) { s, p, c in try s.cancelUpdateStack(p, c) },
        .init("ContinueUpdateRollback", readOnly: false) { s, p, c in try s.continueUpdateRollback(p, c) },
        .init("UpdateTerminationProtection", readOnly: false) { s, p, c in try s.updateTerminationProtection(p, c) },
    ]

    static let byName: [String: CloudFormationOperation] = Dictionary(uniqueKeysWithValues: table.map { ($0.name, $0) })
}
