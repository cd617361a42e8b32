import AWSWire
import CloudModel
import Foundation
import Testing
@testable import ControlPlane

/// The stack status transitions, as a table.
@Test func stackStatusTransitions() {
    typealias M = StackStatusMachine
    #expect(M.next(.reviewInProgress, .create) == .createInProgress)
    #expect(M.next(.createInProgress, .applied) == .createComplete)
    #expect(M.next(.createInProgress, .failed(rollback: true)) == .rollbackInProgress)
    #expect(M.next(.createInProgress, .failed(rollback: false)) == .createFailed)
    #expect(M.next(.rollbackInProgress, .cleanedUp(failed: false)) == .rollbackComplete)
    #expect(M.next(.createComplete, .update) == .updateInProgress)
    #expect(M.next(.updateInProgress, .applied) == .updateCompleteCleanupInProgress)
    #expect(M.next(.updateCompleteCleanupInProgress, .cleanedUp(failed: false)) == .updateComplete)
    #expect(M.next(.updateInProgress, .failed(rollback: true)) == .updateRollbackInProgress)
    #expect(M.next(.updateRollbackInProgress, .applied) == .updateRollbackCompleteCleanupInProgress)
    #expect(M.next(.updateRollbackCompleteCleanupInProgress, .cleanedUp(failed: false)) == .updateRollbackComplete)
    #expect(M.next(.updateRollbackFailed, .continueRollback) == .updateRollbackInProgress)
    #expect(M.next(.createComplete, .delete) == .deleteInProgress)
    #expect(M.next(.rollbackComplete, .delete) == .deleteInProgress)
    #expect(M.next(.deleteInProgress, .cleanedUp(failed: true)) == .deleteFailed)
    #expect(M.next(.createInProgress, .delete) == nil)
    #expect(M.next(.rollbackComplete, .update) == nil)
    #expect(M.phase(.rollbackInProgress) == .deleteAll)
    #expect(M.phase(.updateCompleteCleanupInProgress) == .cleanup)
    #expect(M.phase(.createComplete) == .idle)
}

/// A stack deployed in process: the API writes the desired state, the engine's passes create through EC2's handler.
struct StackHarness {
    let store: StateStore
    let ec2: EC2Service
    let cfn: CloudFormationService
    let engine: StackEngine
    let ctx = RequestContext(requestID: "req-1", accountId: "123456789012", region: "us-east-1",
                             principal: .root(accountId: "123456789012", accessKeyId: "test"), sourceIP: "127.0.0.1")

    init() throws {
        store = try StateStore(durable: NullRecordStore(), clock: ManualTimeSource())
        ec2 = EC2Service(store: store, accountId: "123456789012", region: "us-east-1")
        cfn = CloudFormationService(store: store, accountId: "123456789012", region: "us-east-1", backends: StackBackends(ec2: ec2))
        engine = StackEngine(service: cfn)
    }

    @discardableResult
    func call(_ action: String, _ params: [String: String]) async throws -> String {
        try await cfn.handle(action: action, params: QueryParameters(params), context: ctx)
    }

    /// Runs engine passes until no stack is in progress.
    func settle() async {
        for _ in 0..<50 where await engine.reconcileOnce() {}
    }

    func stack(_ name: String) -> CloudFormationStack? {
        store.snapshot().cloudFormationStacks.values.first { $0.name == name }
    }
}

let networkTemplate = """
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.7.0.0/16, Tags: [{Key: Name, Value: !Ref AWS::StackName}]}
  Subnet:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.7.1.0/24, AvailabilityZone: !Select [1, !GetAZs ""]}
Outputs:
  Group:
    Value: !GetAtt Vpc.DefaultSecurityGroup
    Export: {Name: net-group}
"""

@Test func stackCreatesThroughEC2AndDeletesInReverse() async throws {
    let h = try StackHarness()
    let xml = try await h.call("CreateStack", ["StackName": "net", "TemplateBody": networkTemplate])
    #expect(xml.contains("<CreateStackResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"><CreateStackResult><StackId>arn:aws:cloudformation:us-east-1:123456789012:stack/net/"))
    #expect(h.stack("net")?.status == .createInProgress)
    await h.settle()
    let s = try #require(h.stack("net"))
    #expect(s.status == .createComplete)
    let state = h.store.snapshot()
    let vpc = try #require(state.vpcs[s.resources["Vpc"]?.physicalId ?? ""])
    #expect(vpc.tags.contains { $0.key == "Name" && $0.value == "net" })
    #expect(state.subnets[s.resources["Subnet"]?.physicalId ?? ""]?.availabilityZone == "us-east-1b")
    let group = state.securityGroups.values.first { $0.vpcId == vpc.id && $0.name == "default" }
    #expect(s.outputs == [StackOutput(key: "Group", value: group?.id ?? "", exportName: "net-group")])
    let events = state.cloudFormationEvents.values.filter { $0.stackId == s.stackId }.sorted { $0.sequence < $1.sequence }
    #expect(events.map { "\($0.logicalResourceId) \($0.resourceStatus)" } == [
        "net CREATE_IN_PROGRESS", "Vpc CREATE_IN_PROGRESS", "Vpc CREATE_COMPLETE", "Subnet CREATE_IN_PROGRESS",
        "Subnet CREATE_COMPLETE", "net CREATE_COMPLETE",
    ])

    try await h.call("DeleteStack", ["StackName": "net"])
    await h.settle()
    #expect(h.store.snapshot().cloudFormationStacks[s.stackId]?.status == .deleteComplete)
    #expect(h.store.snapshot().vpcs[vpc.id] == nil)
    let deletes = h.store.snapshot().cloudFormationEvents.values.filter { $0.stackId == s.stackId && $0.resourceStatus == "DELETE_COMPLETE" }
        .sorted { $0.sequence < $1.sequence }.map(\.logicalResourceId)
    #expect(deletes == ["Subnet", "Vpc", "net"])
    await #expect(throws: AWSError.self) { try await h.call("DescribeStacks", ["StackName": "net"]) }
}

@Test func failedResourceRollsBackAndUnsupportedTypesFail() async throws {
    let h = try StackHarness()
    try await h.call("CreateStack", ["StackName": "bad", "TemplateBody": """
        Resources:
          Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.8.0.0/16}}
          Thing: {Type: AWS::Nope::Thing, Properties: {VpcId: !Ref Vpc}}
        """])
    await h.settle()
    let s = try #require(h.stack("bad"))
    #expect(s.status == .rollbackComplete)
    #expect(s.resources["Thing"]?.statusReason == "Unsupported resource type: AWS::Nope::Thing")
    #expect(h.store.snapshot().vpcs.isEmpty)
    let reasons = h.store.snapshot().cloudFormationEvents.values.filter { $0.resourceStatus == "ROLLBACK_IN_PROGRESS" }.map(\.resourceStatusReason)
    #expect(reasons == ["The following resource(s) failed to create: [Thing]. Rollback requested by user."])
}

@Test func changeSetsCreateThenExecute() async throws {
    let h = try StackHarness()
    let created = try await h.call("CreateChangeSet", ["StackName": "cs", "ChangeSetName": "first", "ChangeSetType": "CREATE",
                                                       "TemplateBody": networkTemplate])
    #expect(created.contains("<Id>arn:aws:cloudformation:us-east-1:123456789012:changeSet/first/"))
    #expect(h.stack("cs")?.status == .reviewInProgress)
    let described = try await h.call("DescribeChangeSet", ["StackName": "cs", "ChangeSetName": "first"])
    #expect(described.contains("<Status>CREATE_COMPLETE</Status>") && described.contains("<ExecutionStatus>AVAILABLE</ExecutionStatus>"))
    #expect(described.contains("<Action>Add</Action><LogicalResourceId>Subnet</LogicalResourceId>"))
    let engine = Task { await h.settle() }
    try await h.call("ExecuteChangeSet", ["StackName": "cs", "ChangeSetName": "first"])
    await engine.value
    await h.settle()
    #expect(h.stack("cs")?.status == .createComplete)
    let after = try await h.call("DescribeChangeSet", ["StackName": "cs", "ChangeSetName": "first"])
    #expect(after.contains("<ExecutionStatus>EXECUTE_COMPLETE</ExecutionStatus>"))
}
