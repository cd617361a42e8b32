import CloudModel
import ControlPlane
import Foundation
import Testing
@testable import Workloads

private let lambdaTrust = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#

/// A function's role session: one per (role, function), named after the function, renewed an hour before it ends.
@Test func functionCredentialsAreTheRoleSessionUntilAnHourBeforeTheyEnd() throws {
    let clock = ManualTimeSource()
    let store = try StateStore(durable: NullRecordStore(), clock: clock)
    let authorizer = Authorizer(store: store, accountId: "123456789012", cache: PolicyCache())
    let credentials = FunctionCredentials(sts: STSService(store: store, authorizer: authorizer, enforceIAM: false), store: store)
    let now = clock.now()
    try store.write { tx in
        tx.put(IAMRole(name: "exec", roleId: "AROAEXEC", path: "/", arn: "arn:aws:iam::123456789012:role/exec",
                       assumeRolePolicyDocument: lambdaTrust, description: nil, maxSessionDuration: 3600, createdAt: now))
    }
    let role = "arn:aws:iam::123456789012:role/exec"
    let first = try credentials.credentials(role: role, function: "fn")
    #expect(first.accessKeyId.hasPrefix("ASIA"))
    let session = try #require(store.snapshot().stsSessions[first.accessKeyId])
    #expect(session.principalArn == "arn:aws:sts::123456789012:assumed-role/exec/fn" && session.userId == "AROAEXEC:fn")
    // 12 hours, whatever the role's MaxSessionDuration (it bounds AssumeRole, not Lambda).
    #expect(session.expiration.timeIntervalSince(session.createdAt) == 12 * 3600)
    #expect(try credentials.credentials(role: role, function: "fn") == first)
    #expect(try credentials.credentials(role: role, function: "other") != first)
    clock.advance(by: 11 * 3600 - 1)
    #expect(try credentials.credentials(role: role, function: "fn") == first)
    clock.advance(by: 2)
    let renewed = try credentials.credentials(role: role, function: "fn")
    #expect(renewed != first)
    // A role IAM does not know (`--skip-role-checks`) still gets a session, named as Lambda would.
    let unknown = try credentials.credentials(role: "arn:aws:iam::123456789012:role/missing", function: "fn")
    #expect(store.snapshot().stsSessions[unknown.accessKeyId]?.principalArn == "arn:aws:sts::123456789012:assumed-role/missing/fn")
}
