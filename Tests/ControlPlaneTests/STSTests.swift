import AWSWire
import CloudModel
@testable import ControlPlane
import Foundation
import Testing

/// STS over a real store: AssumeRole's validation and trust decisions, and what its sessions may do.
struct STSFixture {
    let f: IAMFixture
    let sts: STSService

    init(enforce: Bool = true) throws {
        f = try IAMFixture()
        sts = STSService(store: f.store, authorizer: f.authorizer, enforceIAM: enforce)
    }

    /// The request context of `principal`, as the router builds it under `--enforce-iam` (or not).
    func context(_ caller: Caller?, enforce: Bool = true) -> RequestContext {
        let principal = caller?.principal ?? .root(accountId: "123456789012", accessKeyId: "test")
        return RequestContext(requestID: "r", accountId: "123456789012", region: "us-east-1", principal: principal, sourceIP: "127.0.0.1",
                              authorization: enforce ? RequestAuthorization(authorizer: f.authorizer, now: f.store.now, caller: caller) {
                                  Authorizer.iamDenied($0, action: $1, resource: $2, explicit: $3)
                              } : nil)
    }

    func assume(_ params: [String: String], as caller: Caller? = nil, enforce: Bool = true) throws -> String {
        try sts.handle(action: "AssumeRole", params: QueryParameters(params), context: context(caller, enforce: enforce))
    }

    func user(_ name: String) throws -> Caller {
        try f.call("CreateUser", ["UserName": name])
        let key = try f.accessKey(of: name)
        return try #require(f.authorizer.caller(accessKeyId: key, rootAccessKeyId: "test", rootSecret: ""))
    }

    func role(_ name: String, trust: String, maxSession: Int? = nil) throws {
        var p = ["RoleName": name, "AssumeRolePolicyDocument": trust]
        if let maxSession { p["MaxSessionDuration"] = String(maxSession) }
        try f.call("CreateRole", p)
    }

    static func value(_ xml: String, _ tag: String) -> String? {
        guard let a = xml.range(of: "<\(tag)>"), let b = xml.range(of: "</\(tag)>", range: a.upperBound..<xml.endIndex) else { return nil }
        return String(xml[a.upperBound..<b.lowerBound])
    }
}

let accountTrust = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}"#
let roleArn = "arn:aws:iam::123456789012:role/app"

func awsError(_ body: () throws -> Void) -> AWSError? {
    do { try body() } catch let e as AWSError { return e } catch { return nil }
    return nil
}

@Test func assumeRoleReportsEveryConstraintAsAWSWordsIt() throws {
    let s = try STSFixture()
    try s.role("app", trust: accountTrust)
    let e = awsError { _ = try s.assume(["RoleArn": roleArn, "RoleSessionName": "bad name", "DurationSeconds": "100"]) }
    #expect(e?.code == "ValidationError")
    #expect(e?.message == #"2 validation errors detected: Value 'bad name' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]*; Value '100' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"#)
    let long = awsError { _ = try s.assume(["RoleArn": roleArn, "RoleSessionName": "s", "DurationSeconds": "50000"]) }
    #expect(long?.message == "2 validation errors detected: Value 's' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2; Value '50000' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200")
    try s.role("short", trust: accountTrust, maxSession: 3600)
    let max = awsError { _ = try s.assume(["RoleArn": "arn:aws:iam::123456789012:role/short", "RoleSessionName": "ok", "DurationSeconds": "7200"]) }
    #expect(max == AWSError(code: "ValidationError", message: "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."))
    #expect(s.f.store.snapshot().stsSessions.isEmpty)
}

@Test func theRootIsTrustedWhenTheTrustPolicyNamesTheAccount() throws {
    let s = try STSFixture(enforce: false)
    try s.role("app", trust: accountTrust)
    let xml = try s.assume(["RoleArn": roleArn, "RoleSessionName": "me", "DurationSeconds": "900"], enforce: false)
    let key = try #require(STSFixture.value(xml, "AccessKeyId"))
    #expect(key.hasPrefix("ASIA") && key.count == 20)
    let roleId = try #require(s.f.store.snapshot().iamRoles["app"]?.roleId)
    #expect(STSFixture.value(xml, "AssumedRoleId") == roleId + ":me")
    #expect(STSFixture.value(xml, "Arn") == "arn:aws:sts::123456789012:assumed-role/app/me")
    #expect(STSFixture.value(xml, "PackedPolicySize") == nil)
    let session = try #require(s.f.store.snapshot().stsSessions[key])
    #expect(session.expiration.timeIntervalSince(session.createdAt) == 900)
    // A trust policy that names only a user does not admit the root.
    try s.role("alice-only", trust: #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/alice"},"Action":"sts:AssumeRole"}]}"#)
    let denied = awsError { _ = try s.assume(["RoleArn": "arn:aws:iam::123456789012:role/alice-only", "RoleSessionName": "me"], enforce: false) }
    #expect(denied?.code == "AccessDenied")
    #expect(denied?.message == "User: arn:aws:iam::123456789012:root is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/alice-only")
    let unknown = awsError { _ = try s.assume(["RoleArn": "arn:aws:iam::123456789012:role/nope", "RoleSessionName": "me"], enforce: false) }
    #expect(unknown?.message == "User: arn:aws:iam::123456789012:root is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/nope")
}

@Test func aUserNeedsAnIdentityPolicyUnlessTheTrustPolicyNamesIt() throws {
    let s = try STSFixture()
    let alice = try s.user("alice")
    try s.role("app", trust: accountTrust)
    let denied = awsError { _ = try s.assume(["RoleArn": roleArn, "RoleSessionName": "as"], as: alice) }
    #expect(denied?.message == "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: sts:AssumeRole on resource: \(roleArn)")
    try s.f.call("PutUserPolicy", ["UserName": "alice", "PolicyName": "assume", "PolicyDocument":
        #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::123456789012:role/app"}]}"#])
    let alice2 = try #require(s.f.authorizer.caller(accessKeyId: alice.principal.accessKeyId, rootAccessKeyId: "test", rootSecret: ""))
    #expect(STSFixture.value(try s.assume(["RoleArn": roleArn, "RoleSessionName": "as"], as: alice2), "Arn")
            == "arn:aws:sts::123456789012:assumed-role/app/as")
    // Named in the trust policy itself: no identity policy needed.
    let bob = try s.user("bob")
    try s.role("bobs", trust: #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/bob"},"Action":"sts:AssumeRole"}]}"#)
    #expect(STSFixture.value(try s.assume(["RoleArn": "arn:aws:iam::123456789012:role/bobs", "RoleSessionName": "bs"], as: bob), "Arn")
            == "arn:aws:sts::123456789012:assumed-role/bobs/bs")
    // Session tags need sts:TagSession in the trust policy.
    let tagged = awsError { _ = try s.assume(["RoleArn": "arn:aws:iam::123456789012:role/bobs", "RoleSessionName": "bs",
                                              "Tags.member.1.Key": "team", "Tags.member.1.Value": "x"], as: bob) }
    #expect(tagged?.message == "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: sts:TagSession on resource: arn:aws:iam::123456789012:role/bobs")
}

@Test func aRoleSessionActsWithTheRolePoliciesNarrowedByItsSessionPolicy() throws {
    let s = try STSFixture()
    try s.role("app", trust: accountTrust)
    try s.f.call("PutRolePolicy", ["RoleName": "app", "PolicyName": "ec2", "PolicyDocument":
        #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ec2:Describe*","ec2:CreateVpc"],"Resource":"*"}]}"#])
    let xml = try s.assume(["RoleArn": roleArn, "RoleSessionName": "narrow",
                            "Policy": #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}]}"#])
    let packed = try #require(STSFixture.value(xml, "PackedPolicySize").flatMap(Int.init))
    #expect(packed > 0 && packed <= 100)
    let key = try #require(STSFixture.value(xml, "AccessKeyId"))
    let caller = try #require(s.f.authorizer.caller(accessKeyId: key, rootAccessKeyId: "test", rootSecret: ""))
    #expect(caller.sessionToken == STSFixture.value(xml, "SessionToken"))
    #expect(caller.principal.arn == "arn:aws:sts::123456789012:assumed-role/app/narrow")
    #expect(caller.principal.roleArn == roleArn)
    func decide(_ action: String) -> Authorizer.Decision {
        s.f.authorizer.decide(caller.principal, caller: caller, action: action, resource: "*", sourceIP: "127.0.0.1",
                              region: "us-east-1", now: s.f.store.now)
    }
    #expect(decide("ec2:DescribeVpcs") == .allowed)
    #expect(decide("ec2:CreateVpc") == .denied(explicit: false))
    #expect(decide("lambda:ListFunctions") == .denied(explicit: false))
    // Role chaining: at most an hour.
    let chained = awsError { _ = try s.assume(["RoleArn": roleArn, "RoleSessionName": "again", "DurationSeconds": "7200"], as: caller, enforce: false) }
    #expect(chained?.message == "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
}

@Test func getSessionTokenIsRefusedWithSessionCredentials() throws {
    let s = try STSFixture(enforce: false)
    let xml = try s.sts.handle(action: "GetSessionToken", params: QueryParameters(["DurationSeconds": "7200"]), context: s.context(nil, enforce: false))
    let key = try #require(STSFixture.value(xml, "AccessKeyId"))
    let session = try #require(s.f.store.snapshot().stsSessions[key])
    // The root's sessions last at most an hour.
    #expect(session.expiration.timeIntervalSince(session.createdAt) == 3600)
    let caller = try #require(s.f.authorizer.sessionCaller(accessKeyId: key))
    #expect(caller.principal.isRoot)
    let e = awsError { _ = try s.sts.handle(action: "GetSessionToken", params: QueryParameters([:]), context: s.context(caller, enforce: false)) }
    #expect(e?.message == "Cannot call GetSessionToken with session credentials")
}

@Test func trustConditionsAndRoleChainingByTheRolesArn() throws {
    let s = try STSFixture(enforce: false)
    try s.role("partner", trust: #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"secret-42"},"StringLike":{"sts:RoleSessionName":"ci-*"}}}]}"#)
    let partner = "arn:aws:iam::123456789012:role/partner"
    #expect(awsError { _ = try s.assume(["RoleArn": partner, "RoleSessionName": "ci-1"], enforce: false) }?.code == "AccessDenied")
    #expect(awsError { _ = try s.assume(["RoleArn": partner, "RoleSessionName": "dev-1", "ExternalId": "secret-42"], enforce: false) }?.code == "AccessDenied")
    let xml = try s.assume(["RoleArn": partner, "RoleSessionName": "ci-1", "ExternalId": "secret-42"], enforce: false)
    let key = try #require(STSFixture.value(xml, "AccessKeyId"))
    let first = try #require(s.f.authorizer.sessionCaller(accessKeyId: key))
    // A trust policy naming a role admits that role's sessions (role chaining).
    try s.role("next", trust: #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/partner"},"Action":"sts:AssumeRole"}]}"#)
    let chained = try s.assume(["RoleArn": "arn:aws:iam::123456789012:role/next", "RoleSessionName": "hop"], as: first, enforce: false)
    #expect(STSFixture.value(chained, "Arn") == "arn:aws:sts::123456789012:assumed-role/next/hop")
    let hopKey = try #require(STSFixture.value(chained, "AccessKeyId"))
    let hop = try #require(s.f.store.snapshot().stsSessions[hopKey])
    #expect(hop.chained && hop.expiration.timeIntervalSince(hop.createdAt) == 3600)
    // The root is not that role.
    #expect(awsError { _ = try s.assume(["RoleArn": "arn:aws:iam::123456789012:role/next", "RoleSessionName": "hop"], enforce: false) }?.code == "AccessDenied")
}

@Test func aUsersSessionTokenActsAsTheUser() throws {
    let s = try STSFixture()
    let alice = try s.user("alice")
    try s.f.call("PutUserPolicy", ["UserName": "alice", "PolicyName": "vpcs", "PolicyDocument":
        #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:DescribeVpcs","Resource":"*"}]}"#])
    let xml = try s.sts.handle(action: "GetSessionToken", params: QueryParameters([:]), context: s.context(alice))
    let key = try #require(STSFixture.value(xml, "AccessKeyId"))
    let session = try #require(s.f.authorizer.caller(accessKeyId: key, rootAccessKeyId: "test", rootSecret: ""))
    #expect(session.principal.arn == "arn:aws:iam::123456789012:user/alice" && session.principal.roleArn == nil)
    let s12 = try #require(s.f.store.snapshot().stsSessions[key])
    #expect(s12.expiration.timeIntervalSince(s12.createdAt) == 43200)
    func decide(_ action: String) -> Authorizer.Decision {
        s.f.authorizer.decide(session.principal, caller: session, action: action, resource: "*", sourceIP: "127.0.0.1",
                              region: "us-east-1", now: s.f.store.now)
    }
    #expect(decide("ec2:DescribeVpcs") == .allowed)
    #expect(decide("ec2:CreateVpc") == .denied(explicit: false))
}
