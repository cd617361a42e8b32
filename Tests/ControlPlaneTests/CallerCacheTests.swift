import CloudModel
import ControlPlane
import Foundation
import IAMPolicy
import Testing

/// `decide` for a real access key goes through the cached caller entry; it must agree with `authorize` on a
/// context built key by key, and see every write (policy change, key deactivated, user deleted) at once.
@Test func cachedCallerDecisionsFollowEveryWrite() throws {
    let f = try IAMFixture()
    try f.call("CreateUser", ["UserName": "dev"])
    let key = try f.accessKey(of: "dev")
    let caller = try #require(f.authorizer.caller(accessKeyId: key, rootAccessKeyId: "test", rootSecret: "root-secret"))
    #expect(caller.principal.arn == "arn:aws:iam::123456789012:user/dev")
    #expect(caller.secretAccessKey.count == 40)
    #expect(f.authorizer.caller(accessKeyId: "test", rootAccessKeyId: "test", rootSecret: "root-secret")?.secretAccessKey == "root-secret")
    let dev = caller.principal
    let now = Date()
    func decide(_ action: String = "lambda:GetFunction", ip: String = "127.0.0.1") -> Authorizer.Decision {
        let cached = f.authorizer.decide(dev, action: action, resource: fnArn, sourceIP: ip, region: "us-east-1", now: now)
        let flat = f.authorizer.authorize(dev, action: action, resource: fnArn,
                                          context: f.authorizer.baseContext(dev, sourceIP: ip, region: "us-east-1", now: now))
        #expect(cached == flat)
        return cached
    }
    #expect(decide() == .denied(explicit: false))
    try f.call("PutUserPolicy", ["UserName": "dev", "PolicyName": "get", "PolicyDocument":
        #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"lambda:Get*","Resource":"arn:aws:lambda:*:*:function:*","Condition":{"IpAddress":{"aws:SourceIp":"127.0.0.0/8"},"StringEquals":{"aws:username":"dev","aws:RequestedRegion":"us-east-1"}}}]}"#])
    #expect(decide() == .allowed)
    #expect(decide(ip: "10.0.0.1") == .denied(explicit: false))
    #expect(decide("lambda:DeleteFunction") == .denied(explicit: false))
    try f.call("PutUserPolicy", ["UserName": "dev", "PolicyName": "deny", "PolicyDocument":
        #"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"lambda:GetFunction","Resource":"*","Condition":{"StringLike":{"aws:PrincipalArn":"*:user/d*"}}}]}"#])
    #expect(decide() == .denied(explicit: true))
    #expect(decide("lambda:GetFunctionConfiguration") == .allowed)
    try f.call("DeleteUserPolicy", ["UserName": "dev", "PolicyName": "deny"])
    #expect(decide() == .allowed)
    try f.call("UpdateAccessKey", ["UserName": "dev", "AccessKeyId": key, "Status": "Inactive"])
    #expect(f.authorizer.caller(accessKeyId: key, rootAccessKeyId: "test", rootSecret: "") == nil)
    try f.call("UpdateAccessKey", ["UserName": "dev", "AccessKeyId": key, "Status": "Active"])
    #expect(f.authorizer.caller(accessKeyId: key, rootAccessKeyId: "test", rootSecret: "")?.principal == dev)
    try f.call("DeleteUserPolicy", ["UserName": "dev", "PolicyName": "get"])
    try f.call("DeleteAccessKey", ["UserName": "dev", "AccessKeyId": key])
    try f.call("DeleteUser", ["UserName": "dev"])
    #expect(f.authorizer.caller(accessKeyId: key, rootAccessKeyId: "test", rootSecret: "") == nil)
    #expect(f.authorizer.decide(dev, action: "lambda:GetFunction", resource: fnArn, sourceIP: "127.0.0.1",
                                region: "us-east-1", now: now) == .denied(explicit: false))
}
