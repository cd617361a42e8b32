import AWSWire
import CloudModel
@testable import ControlPlane
import Foundation
import Testing

private func failure(_ body: () throws -> Void) -> AWSError? {
    do { try body(); return nil } catch let e as AWSError { return e } catch { return AWSError(code: "\(error)", message: "") }
}

private func code(_ body: () throws -> Void) -> String? { failure(body)?.code }

@Test func mergeReplacesKeysIgnoringCaseInPlaceAndAppendsNewOnes() throws {
    let existing = [Tag(key: "Env", value: "dev"), Tag(key: "team", value: "red")]
    let merged = try IAMTagging.merged(existing, [Tag(key: "env", value: "prod"), Tag(key: "cost", value: "1")], kind: "Role")
    #expect(merged == [Tag(key: "env", value: "prod"), Tag(key: "team", value: "red"), Tag(key: "cost", value: "1")])
}

@Test func mergeRefusesMoreThanFiftyTagsInAllButReplacingAtFiftyWorks() throws {
    let fifty = (1...50).map { Tag(key: "k\($0)", value: "") }
    #expect(throws: AWSError.self) { try IAMTagging.merged(fifty, [Tag(key: "k51", value: "")], kind: "Role") }
    let replaced = try IAMTagging.merged(fifty, [Tag(key: "K7", value: "x")], kind: "Role")
    #expect(replaced.count == 50 && replaced[6] == Tag(key: "K7", value: "x"))
    let e = failure { _ = try IAMTagging.merged(fifty, [Tag(key: "new", value: "")], kind: "InstanceProfile") }
    #expect(e?.code == "LimitExceeded" && e?.message == "Cannot exceed quota for TagsPerInstanceProfile: 50")
}

@Test func removingIgnoresCaseAndUnknownKeys() {
    let tags = [Tag(key: "Env", value: "dev"), Tag(key: "team", value: "red")]
    #expect(IAMTagging.removing(tags, keys: ["ENV", "nope"]) == [Tag(key: "team", value: "red")])
}

@Test func validationFollowsIAMsShapes() {
    #expect(code { try IAMTagging.validate([Tag(key: "a", value: "1"), Tag(key: "A", value: "2")]) } == "InvalidInput")
    #expect(code { try IAMTagging.validate([Tag(key: "", value: "1")]) } == "ValidationError")
    #expect(code { try IAMTagging.validate([Tag(key: String(repeating: "k", count: 129), value: "")]) } == "ValidationError")
    #expect(code { try IAMTagging.validate([Tag(key: "k", value: String(repeating: "v", count: 257))]) } == "ValidationError")
    #expect(code { try IAMTagging.validate([Tag(key: "bad*key", value: "")]) } == "ValidationError")
    #expect(code { try IAMTagging.validate((0...50).map { Tag(key: "k\($0)", value: "") }) } == "ValidationError")
    #expect(code { try IAMTagging.validate([Tag(key: "Grüße 1:/=+-@_.", value: "")]) } == nil)
    #expect(code { try IAMTagging.validate(keys: ["ok", "no*"]) } == "ValidationError")
}

@Test func anInstanceProfileHoldsOneRoleAndKeepsItsRoleFromBeingDeleted() throws {
    let f = try IAMFixture()
    let trust = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#
    try f.call("CreateRole", ["RoleName": "a", "AssumeRolePolicyDocument": trust])
    try f.call("CreateRole", ["RoleName": "b", "AssumeRolePolicyDocument": trust])
    try f.call("CreateInstanceProfile", ["InstanceProfileName": "ip"])
    try f.call("AddRoleToInstanceProfile", ["InstanceProfileName": "ip", "RoleName": "a"])
    #expect(code { try f.call("AddRoleToInstanceProfile", ["InstanceProfileName": "ip", "RoleName": "b"]) } == "LimitExceeded")
    #expect(code { try f.call("DeleteRole", ["RoleName": "a"]) } == "DeleteConflict")
    #expect(code { try f.call("DeleteInstanceProfile", ["InstanceProfileName": "ip"]) } == "DeleteConflict")
    #expect(f.store.snapshot().iamInstanceProfiles["ip"]?.roleNames == ["a"])
    try f.call("RemoveRoleFromInstanceProfile", ["InstanceProfileName": "ip", "RoleName": "a"])
    try f.call("DeleteRole", ["RoleName": "a"])
    try f.call("DeleteInstanceProfile", ["InstanceProfileName": "ip"])
    #expect(f.store.snapshot().iamInstanceProfiles.isEmpty)
}

@Test func instanceProfilesSurviveTheStoreEncoding() throws {
    let ip = IAMInstanceProfile(name: "Web", instanceProfileId: "AIPAEXAMPLE", path: "/x/", arn: "arn:aws:iam::1:instance-profile/x/Web",
                                createdAt: Date(timeIntervalSince1970: 1_700_000_000), roleNames: ["r"], tags: [Tag(key: "k", value: "v")])
    let body = try StoreCoding.encoder.encode(ip)
    let state = try CloudState.load(from: [(kind: IAMInstanceProfile.kind, id: ip.id, body: body)])
    #expect(state.iamInstanceProfiles["web"] == ip)
}
