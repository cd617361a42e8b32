import AWSWire
import CloudModel
import ControlPlane
import Foundation
import IAMPolicy
import Testing

/// A context for user `dev` whose operations authorize with Lambda's denial.
private func devContext(_ f: IAMFixture, enforced: Bool = true) -> RequestContext {
    let dev = Principal(arn: "arn:aws:iam::123456789012:user/dev", userId: "AIDADEV", accountId: "123456789012", accessKeyId: "k")
    let auth = RequestAuthorization(authorizer: f.authorizer, now: Date()) {
        Authorizer.lambdaDenied($0, action: $1, resource: $2, explicit: $3)
    }
    return RequestContext(requestID: "r", accountId: "123456789012", region: "us-east-1", principal: dev,
                          sourceIP: "127.0.0.1", authorization: enforced ? auth : nil)
}

@Test func authorizeIsFreeWhenNotEnforcedAndForRoot() throws {
    let f = try IAMFixture()
    #expect(throws: Never.self) { try devContext(f, enforced: false).authorize("lambda:GetFunction", fnArn) }
    var root = devContext(f)
    root.principal = .root(accountId: "123456789012", accessKeyId: "test")
    #expect(throws: Never.self) { try root.authorize("lambda:GetFunction", fnArn) }
}

@Test func authorizeThrowsTheServiceDenialWithTheKeysAdded() throws {
    let f = try IAMFixture()
    try f.call("CreateUser", ["UserName": "dev"])
    try f.call("PutUserPolicy", ["UserName": "dev", "PolicyName": "p", "PolicyDocument": #"""
        {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"lambda:TagResource","Resource":"*",
         "Condition":{"StringEquals":{"aws:RequestTag/team":"blue","aws:username":"dev"}}}]}
        """#])
    let ctx = devContext(f)
    #expect(throws: Never.self) {
        try ctx.authorize("lambda:TagResource", fnArn) { $0.setRequestTags([("team", "blue")]) }
    }
    do {
        try ctx.authorize("lambda:TagResource", fnArn) { $0.setRequestTags([("team", "red")]) }
        Issue.record("expected a denial")
    } catch {
        #expect(error.code == "AccessDeniedException")
        #expect(error.httpStatus == 403)
        #expect(error.message == "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: lambda:TagResource on resource: \(fnArn) because no identity-based policy allows the lambda:TagResource action")
    }
}

@Test func ec2OperationsAreDeniedWithUnauthorizedOperationAndTheirResource() throws {
    let f = try IAMFixture()
    try f.call("CreateUser", ["UserName": "dev"])
    let ec2 = EC2Service(store: f.store, accountId: "123456789012", region: "us-east-1")
    var ctx = devContext(f)
    ctx.authorization = RequestAuthorization(authorizer: f.authorizer, now: Date()) {
        Authorizer.ec2Denied($0, action: $1, resource: $2, explicit: $3)
    }
    for (action, params, resource) in [
        ("DescribeVpcs", [:], "*"),
        ("CreateVpc", ["CidrBlock": "10.0.0.0/16"], "arn:aws:ec2:us-east-1:123456789012:vpc/*"),
        ("DeleteSubnet", ["SubnetId": "subnet-1"], "arn:aws:ec2:us-east-1:123456789012:subnet/subnet-1"),
        ("CreateTags", ["ResourceId.1": "sg-9", "Tag.1.Key": "k"], "arn:aws:ec2:us-east-1:123456789012:security-group/sg-9"),
    ] as [(String, [String: String], String)] {
        do {
            _ = try ec2.handle(action: action, params: QueryParameters(params), context: ctx)
            Issue.record("\(action) was not denied")
        } catch let e as AWSError {
            #expect(e.code == "UnauthorizedOperation")
            #expect(e.message.hasSuffix("ec2:\(action) on resource: \(resource) because no identity-based policy allows the ec2:\(action) action"))
        }
    }
    #expect(f.store.snapshot().vpcs.isEmpty)
}
