import IAMPolicy
import Testing

let moreCases: [DecisionCase] = [
    DecisionCase("resource list any", [pol(resource: #"["arn:aws:s3:::a/*","\#(fn)"]"#)], action: "lambda:GetFunction", resource: fn, .allowed),
    DecisionCase("NotResource with Deny protects the rest", [pol(), pol("Deny", resource: #""arn:aws:lambda:*:*:function:public-*""#, resourceKey: "NotResource")],
                 action: "lambda:DeleteFunction", resource: fn, .explicitDeny),
    DecisionCase("NotResource with Deny spares listed", [pol(), pol("Deny", resource: #""arn:aws:lambda:*:*:function:my-*""#, resourceKey: "NotResource")],
                 action: "lambda:DeleteFunction", resource: fn, .allowed),
    DecisionCase("wildcard service prefix", [pol(action: #""*:Get*""#)], action: "lambda:GetFunction", .allowed),
    DecisionCase("wildcard service prefix other verb", [pol(action: #""*:Get*""#)], action: "lambda:ListFunctions", .implicitDeny),
    DecisionCase("service prefix case-insensitive in request", [pol(action: #""lambda:GetFunction""#)], action: "Lambda:getFunction", .allowed),
    DecisionCase("numeric policy float", [cond("NumericLessThanEquals", "x:n", "1.5")], action: "a:b", single: ["x:n": "1.25"], .allowed),
    DecisionCase("DateGreaterThan request epoch", [cond("DateGreaterThan", "aws:EpochTime", #""2020-01-01T00:00:00Z""#)], action: "a:b",
                 single: ["aws:EpochTime": "1735689600"], .allowed),
    DecisionCase("ForAllValues:StringEqualsIgnoreCase", [cond("ForAllValues:StringEqualsIgnoreCase", "aws:TagKeys", #"["Env","Team"]"#)],
                 action: "a:b", multi: ["aws:TagKeys": ["env", "TEAM"]], .allowed),
    DecisionCase("IPv4-embedded IPv6", [cond("IpAddress", "aws:SourceIp", #""::ffff:10.0.0.0/104""#)], action: "a:b",
                 single: ["aws:SourceIp": "::ffff:10.1.2.3"], .allowed),
    DecisionCase("IpAddress unparseable policy value never matches", [cond("IpAddress", "aws:SourceIp", #""10.0.0.0/99""#)], action: "a:b",
                 single: ["aws:SourceIp": "10.1.2.3"], .implicitDeny),
    DecisionCase("NotIpAddressIfExists absent", [cond("NotIpAddressIfExists", "aws:SourceIp", #""10.0.0.0/8""#)], action: "a:b", .allowed),
    DecisionCase("NumericLessThanIfExists absent", [cond("NumericLessThanIfExists", "x:n", "3")], action: "a:b", .allowed),
    DecisionCase("ArnLikeIfExists present mismatch", [cond("ArnLikeIfExists", "aws:SourceArn", #""arn:aws:s3:::*""#)], action: "a:b",
                 single: ["aws:SourceArn": fn], .implicitDeny),
    DecisionCase("variable default used in condition", [cond("StringEquals", "x:team", #""${aws:PrincipalTag/team, 'none'}""#)], action: "a:b",
                 single: ["x:team": "none"], .allowed),
    DecisionCase("variable value overrides default", [cond("StringEquals", "x:team", #""${aws:PrincipalTag/team, 'none'}""#)], action: "a:b",
                 single: ["x:team": "none", "aws:PrincipalTag/team": "blue"], .implicitDeny),
    DecisionCase("variable in the middle of an ARN", [pol(resource: #""arn:aws:lambda:*:123456789012:function:${aws:username}-*""#)],
                 action: "lambda:GetFunction", resource: "arn:aws:lambda:us-east-1:123456789012:function:my-fn", single: ["aws:username": "my"], .allowed),
    DecisionCase("deny in a second policy wins over allows in two", [pol(), pol(action: #""lambda:*""#), pol("Deny", action: #""lambda:Get*""#)],
                 action: "lambda:GetFunction", .explicitDeny),
]

@Test("decision table: more edge cases", arguments: moreCases)
func moreEdgeCases(_ c: DecisionCase) throws { try check(c) }

@Test func notPrincipalMatchesEveryoneElse() throws {
    let p = try CompiledPolicy(json: #"""
    {"Version":"2012-10-17","Statement":{"Effect":"Allow","NotPrincipal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}}
    """#, id: "t", kind: .trust)
    let lambda = AuthorizationRequest(action: "sts:AssumeRole", principal: PrincipalIdentity(type: "Service", identifier: "lambda.amazonaws.com"))
    let ec2 = AuthorizationRequest(action: "sts:AssumeRole", principal: PrincipalIdentity(type: "Service", identifier: "ec2.amazonaws.com"))
    #expect(PolicyEvaluator.evaluate([p], lambda).outcome == .allowed)
    #expect(PolicyEvaluator.evaluate([p], ec2).outcome == .implicitDeny)
}

@Test func allowsAcrossPoliciesAreAllReported() throws {
    let a = try CompiledPolicy(json: #"{"Version":"2012-10-17","Statement":[{"Sid":"One","Effect":"Allow","Action":"lambda:*","Resource":"*"},{"Sid":"Two","Effect":"Allow","Action":"ec2:*","Resource":"*"}]}"#, id: "a")
    let b = try CompiledPolicy(json: #"{"Version":"2012-10-17","Statement":{"Sid":"Three","Effect":"Allow","Action":"*","Resource":"*"}}"#, id: "b")
    let d = PolicyEvaluator.evaluate([a, b], AuthorizationRequest(action: "lambda:GetFunction"))
    #expect(d.outcome == .allowed)
    #expect(d.matchedStatements.map(\.sid) == ["One", "Three"])
    #expect(d.matchedStatements.map(\.policyId) == ["a", "b"])
}
