import AWSWire
import CloudModel
import ControlPlane
import Foundation
import IAMPolicy
import Testing

/// An IAM service and authorizer over an in-memory store, driven through the Query API as clients drive it.
struct IAMFixture {
    let store: StateStore
    let iam: IAMService
    let authorizer: Authorizer
    let ctx = RequestContext(requestID: "r", accountId: "123456789012", region: "us-east-1",
                             principal: .root(accountId: "123456789012", accessKeyId: "test"), sourceIP: "127.0.0.1")

    init() throws {
        store = try StateStore(durable: NullRecordStore(), clock: ManualTimeSource())
        let cache = PolicyCache()
        iam = IAMService(store: store, accountId: "123456789012", policies: cache)
        authorizer = Authorizer(store: store, accountId: "123456789012", cache: cache)
    }

    @discardableResult
    func call(_ action: String, _ params: [String: String]) throws -> String {
        try iam.handle(action: action, params: QueryParameters(params), context: ctx)
    }

    func accessKey(of user: String) throws -> String {
        let xml = try call("CreateAccessKey", ["UserName": user])
        let start = xml.range(of: "<AccessKeyId>")!.upperBound
        return String(xml[start..<xml.range(of: "</AccessKeyId>")!.lowerBound])
    }
}

let lambdaTrust = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#
let ec2Trust = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#
let fnArn = "arn:aws:lambda:us-east-1:123456789012:function:f"

@Test func rootKeyIsRootAndUserKeysAreTheirUsers() throws {
    let f = try IAMFixture()
    try f.call("CreateUser", ["UserName": "dev"])
    let key = try f.accessKey(of: "dev")
    #expect(f.authorizer.principal(accessKeyId: "test", rootAccessKeyId: "test")?.arn == "arn:aws:iam::123456789012:root")
    let dev = try #require(f.authorizer.principal(accessKeyId: key, rootAccessKeyId: "test"))
    #expect(dev.arn == "arn:aws:iam::123456789012:user/dev")
    #expect(dev.userId.hasPrefix("AIDA"))
    #expect(f.authorizer.principal(accessKeyId: "AKIANOTAKEY000000000", rootAccessKeyId: "test") == nil)
    try f.call("UpdateAccessKey", ["UserName": "dev", "AccessKeyId": key, "Status": "Inactive"])
    #expect(f.authorizer.principal(accessKeyId: key, rootAccessKeyId: "test") == nil)
}

@Test func userPoliciesFromInlineAttachedAndGroupsDecide() throws {
    let f = try IAMFixture()
    try f.call("CreateUser", ["UserName": "dev"])
    let dev = Principal(arn: "arn:aws:iam::123456789012:user/dev", userId: "AIDA", accountId: "123456789012", accessKeyId: "k")
    let ctx = f.authorizer.baseContext(dev, sourceIP: "127.0.0.1", region: "us-east-1", now: Date())
    #expect(f.authorizer.authorize(dev, action: "lambda:CreateFunction", resource: fnArn, context: ctx) == .denied(explicit: false))
    try f.call("CreateGroup", ["GroupName": "devs"])
    try f.call("AddUserToGroup", ["GroupName": "devs", "UserName": "dev"])
    try f.call("AttachGroupPolicy", ["GroupName": "devs", "PolicyArn": "arn:aws:iam::aws:policy/AWSLambda_FullAccess"])
    #expect(f.authorizer.authorize(dev, action: "lambda:CreateFunction", resource: fnArn, context: ctx) == .allowed)
    try f.call("PutUserPolicy", ["UserName": "dev", "PolicyName": "vpc-only", "PolicyDocument":
        #"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"lambda:CreateFunction","Resource":"*","Condition":{"Null":{"lambda:VpcIds":"true"}}}]}"#])
    #expect(f.authorizer.authorize(dev, action: "lambda:CreateFunction", resource: fnArn, context: ctx) == .denied(explicit: true))
    var vpc = ctx
    vpc.set("lambda:VpcIds", "vpc-1")
    #expect(f.authorizer.authorize(dev, action: "lambda:CreateFunction", resource: fnArn, context: vpc) == .allowed)
    let root = Principal.root(accountId: "123456789012", accessKeyId: "test")
    #expect(f.authorizer.authorize(root, action: "lambda:CreateFunction", resource: fnArn, context: ctx) == .allowed)
}

@Test func policyVariablesSeeTheCaller() throws {
    let f = try IAMFixture()
    try f.call("CreateUser", ["UserName": "alice"])
    try f.call("PutUserPolicy", ["UserName": "alice", "PolicyName": "own", "PolicyDocument":
        #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*AccessKey*","Resource":"arn:aws:iam::*:user/${aws:username}"}]}"#])
    let alice = Principal(arn: "arn:aws:iam::123456789012:user/alice", userId: "AIDA", accountId: "123456789012", accessKeyId: "k")
    let ctx = f.authorizer.baseContext(alice, sourceIP: "10.0.0.1", region: "us-east-1", now: Date())
    #expect(f.authorizer.authorize(alice, action: "iam:CreateAccessKey", resource: "arn:aws:iam::123456789012:user/alice", context: ctx) == .allowed)
    #expect(f.authorizer.authorize(alice, action: "iam:CreateAccessKey", resource: "arn:aws:iam::123456789012:user/bob", context: ctx)
            == .denied(explicit: false))
}

@Test func denialMessagesFollowEachService() {
    let dev = Principal(arn: "arn:aws:iam::123456789012:user/dev", userId: "AIDA", accountId: "123456789012", accessKeyId: "k")
    let lambda = Authorizer.lambdaDenied(dev, action: "lambda:CreateFunction", resource: fnArn, explicit: false)
    #expect(lambda.code == "AccessDeniedException")
    #expect(lambda.httpStatus == 403)
    #expect(lambda.message == "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: lambda:CreateFunction on resource: arn:aws:lambda:us-east-1:123456789012:function:f because no identity-based policy allows the lambda:CreateFunction action")
    let explicit = Authorizer.lambdaDenied(dev, action: "lambda:CreateFunction", resource: fnArn, explicit: true)
    #expect(explicit.message == "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: lambda:CreateFunction on resource: arn:aws:lambda:us-east-1:123456789012:function:f with an explicit deny in an identity-based policy")
    let ec2 = Authorizer.ec2Denied(dev, action: "ec2:DescribeVpcs", resource: "*", explicit: false)
    #expect(ec2.code == "UnauthorizedOperation")
    #expect(ec2.message == "You are not authorized to perform this operation. User: arn:aws:iam::123456789012:user/dev is not authorized to perform: ec2:DescribeVpcs on resource: * because no identity-based policy allows the ec2:DescribeVpcs action")
    let iam = Authorizer.iamDenied(dev, action: "iam:CreateUser", resource: "arn:aws:iam::123456789012:user/x", explicit: true)
    #expect(iam.code == "AccessDenied")
    #expect(iam.httpStatus == 403)
}

@Test func executionRoleMustTrustLambdaAndAllowENIActions() throws {
    let f = try IAMFixture()
    let roleArn = "arn:aws:iam::123456789012:role/exec"
    #expect(f.authorizer.executionRoleProblem(roleArn: roleArn, needsVPC: false)?.message
            == "The role defined for the function cannot be assumed by Lambda.")
    try f.call("CreateRole", ["RoleName": "exec", "AssumeRolePolicyDocument": ec2Trust])
    #expect(f.authorizer.executionRoleProblem(roleArn: roleArn, needsVPC: false)?.message
            == "The role defined for the function cannot be assumed by Lambda.")
    try f.call("UpdateAssumeRolePolicy", ["RoleName": "exec", "PolicyDocument": lambdaTrust])
    #expect(f.authorizer.executionRoleProblem(roleArn: roleArn, needsVPC: false) == nil)
    let missing = f.authorizer.executionRoleProblem(roleArn: roleArn, needsVPC: true)
    #expect(missing?.code == "InvalidParameterValueException")
    #expect(missing?.message == "The provided execution role does not have permissions to call CreateNetworkInterface on EC2")
    try f.call("PutRolePolicy", ["RoleName": "exec", "PolicyName": "create", "PolicyDocument":
        #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ec2:CreateNetworkInterface","ec2:DescribeNetworkInterfaces"],"Resource":"*"}]}"#])
    #expect(f.authorizer.executionRoleProblem(roleArn: roleArn, needsVPC: true)?.message
            == "The provided execution role does not have permissions to call DeleteNetworkInterface on EC2")
    try f.call("AttachRolePolicy", ["RoleName": "exec", "PolicyArn": "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"])
    #expect(f.authorizer.executionRoleProblem(roleArn: roleArn, needsVPC: true) == nil)
}

@Test func lambdaVPCKeysFeedTheSeedPolicies() throws {
    let f = try IAMFixture()
    try f.call("CreateUser", ["UserName": "dev"])
    try f.call("AttachUserPolicy", ["UserName": "dev", "PolicyArn": "arn:aws:iam::aws:policy/AWSLambda_FullAccess"])
    try f.call("PutUserPolicy", ["UserName": "dev", "PolicyName": "stay", "PolicyDocument":
        #"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"lambda:CreateFunction","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"lambda:SubnetIds":["subnet-bad"]}}}]}"#])
    let dev = Principal(arn: "arn:aws:iam::123456789012:user/dev", userId: "AIDA", accountId: "123456789012", accessKeyId: "k")
    var ctx = f.authorizer.baseContext(dev, sourceIP: "127.0.0.1", region: "us-east-1", now: Date())
    Authorizer.addLambdaVPCKeys(&ctx, vpcId: nil, subnetIds: [], securityGroupIds: [])
    #expect(ctx.values("lambda:VpcIds") == nil)
    try f.authorizer.require(dev, action: "lambda:CreateFunction", resource: fnArn, context: ctx, denial: Authorizer.lambdaDenied)
    Authorizer.addLambdaVPCKeys(&ctx, vpcId: "vpc-1", subnetIds: ["subnet-ok", "subnet-bad"], securityGroupIds: ["sg-1"])
    #expect(ctx.values("lambda:SubnetIds") == ["subnet-ok", "subnet-bad"])
    #expect(throws: Authorizer.lambdaDenied(dev, action: "lambda:CreateFunction", resource: fnArn, explicit: true)) {
        try f.authorizer.require(dev, action: "lambda:CreateFunction", resource: fnArn, context: ctx, denial: Authorizer.lambdaDenied)
    }
}
