import IAMPolicy
import Testing

/// One row of the decision table: policies (JSON), a request, and the outcome IAM gives.
struct DecisionCase: CustomTestStringConvertible, Sendable {
    let name: String
    let policies: [String]
    let action: String
    let resource: String
    let single: [String: String]
    let multi: [String: [String]]
    let expected: PolicyDecision.Outcome
    var testDescription: String { name }

    init(_ name: String, _ policies: [String], action: String, resource: String = "*",
         single: [String: String] = [:], multi: [String: [String]] = [:], _ expected: PolicyDecision.Outcome) {
        self.name = name; self.policies = policies; self.action = action; self.resource = resource
        self.single = single; self.multi = multi; self.expected = expected
    }

    var request: AuthorizationRequest {
        var ctx = ConditionContext(single)
        for (k, v) in multi { ctx.set(k, values: v) }
        return AuthorizationRequest(action: action, resource: resource, context: ctx)
    }

    /// The same request with the single-valued keys in shared keys underneath and the multivalued ones its own.
    var layeredRequest: AuthorizationRequest {
        var ctx = ConditionContext(shared: SharedConditionKeys(ConditionContext(single)))
        for (k, v) in multi { ctx.set(k, values: v) }
        return AuthorizationRequest(action: action, resource: resource, context: ctx)
    }
}

/// A one-statement policy document.
func pol(_ effect: String = "Allow", action: String = #""*""#, resource: String = #""*""#, condition: String? = nil,
         actionKey: String = "Action", resourceKey: String = "Resource", version: String? = "2012-10-17") -> String {
    var st = #"{"Effect":"\#(effect)","\#(actionKey)":\#(action),"\#(resourceKey)":\#(resource)"#
    if let condition { st += #","Condition":\#(condition)"# }
    st += "}"
    let v = version.map { #""Version":"\#($0)","# } ?? ""
    return #"{\#(v)"Statement":[\#(st)]}"#
}

/// A one-condition Allow on everything.
func cond(_ op: String, _ key: String, _ values: String) -> String {
    pol(condition: #"{"\#(op)":{"\#(key)":\#(values)}}"#)
}

let fn = "arn:aws:lambda:us-east-1:123456789012:function:my-fn"

let basicCases: [DecisionCase] = [
    DecisionCase("no policies: implicit deny", [], action: "lambda:GetFunction", .implicitDeny),
    DecisionCase("allow *", [pol()], action: "lambda:GetFunction", .allowed),
    DecisionCase("allow exact action", [pol(action: #""lambda:GetFunction""#)], action: "lambda:GetFunction", .allowed),
    DecisionCase("other action not allowed", [pol(action: #""lambda:GetFunction""#)], action: "lambda:DeleteFunction", .implicitDeny),
    DecisionCase("action case-insensitive", [pol(action: #""LAMBDA:getfunction""#)], action: "lambda:GetFunction", .allowed),
    DecisionCase("service wildcard", [pol(action: #""lambda:*""#)], action: "lambda:Invoke", .allowed),
    DecisionCase("service wildcard other service", [pol(action: #""lambda:*""#)], action: "ec2:DescribeVpcs", .implicitDeny),
    DecisionCase("prefix wildcard", [pol(action: #""ec2:Describe*""#)], action: "ec2:DescribeSubnets", .allowed),
    DecisionCase("prefix wildcard miss", [pol(action: #""ec2:Describe*""#)], action: "ec2:CreateVpc", .implicitDeny),
    DecisionCase("? wildcard one char", [pol(action: #""iam:?etUser""#)], action: "iam:GetUser", .allowed),
    DecisionCase("? wildcard needs a char", [pol(action: #""iam:?GetUser""#)], action: "iam:GetUser", .implicitDeny),
    DecisionCase("middle wildcard in action", [pol(action: #""ec2:*NetworkInterface*""#)], action: "ec2:DescribeNetworkInterfaces", .allowed),
    DecisionCase("action list any", [pol(action: #"["s3:GetObject","lambda:GetFunction"]"#)], action: "lambda:GetFunction", .allowed),
    DecisionCase("explicit deny beats allow", [pol(), pol("Deny", action: #""lambda:DeleteFunction""#)], action: "lambda:DeleteFunction", .explicitDeny),
    DecisionCase("deny other action leaves allow", [pol(), pol("Deny", action: #""lambda:DeleteFunction""#)], action: "lambda:GetFunction", .allowed),
    DecisionCase("deny alone is explicit", [pol("Deny")], action: "lambda:GetFunction", .explicitDeny),
    DecisionCase("NotAction allow covers others", [pol(action: #""iam:*""#, actionKey: "NotAction")], action: "lambda:GetFunction", .allowed),
    DecisionCase("NotAction allow excludes listed", [pol(action: #""iam:*""#, actionKey: "NotAction")], action: "iam:CreateUser", .implicitDeny),
    DecisionCase("NotAction with Deny denies everything else", [pol(), pol("Deny", action: #""lambda:Get*""#, actionKey: "NotAction")],
                 action: "lambda:DeleteFunction", .explicitDeny),
    DecisionCase("NotAction with Deny spares listed", [pol(), pol("Deny", action: #""lambda:Get*""#, actionKey: "NotAction")],
                 action: "lambda:GetFunction", .allowed),
    DecisionCase("resource exact", [pol(resource: #""\#(fn)""#)], action: "lambda:GetFunction", resource: fn, .allowed),
    DecisionCase("resource other", [pol(resource: #""\#(fn)""#)], action: "lambda:GetFunction", resource: fn + "2", .implicitDeny),
    DecisionCase("resource case-sensitive", [pol(resource: #""arn:aws:lambda:us-east-1:123456789012:function:MY-FN""#)],
                 action: "lambda:GetFunction", resource: fn, .implicitDeny),
    DecisionCase("wildcard in middle of ARN (region)", [pol(resource: #""arn:aws:lambda:*:123456789012:function:my-fn""#)],
                 action: "lambda:GetFunction", resource: fn, .allowed),
    DecisionCase("wildcard in middle of ARN (name)", [pol(resource: #""arn:aws:lambda:us-east-1:123456789012:function:my-*n""#)],
                 action: "lambda:GetFunction", resource: fn, .allowed),
    DecisionCase("wildcard does not cross ARN parts", [pol(resource: #""arn:aws:lambda:us-east-1*:function:my-fn""#)],
                 action: "lambda:GetFunction", resource: fn, .implicitDeny),
    DecisionCase("wildcard account wrong", [pol(resource: #""arn:aws:lambda:*:999999999999:function:*""#)],
                 action: "lambda:GetFunction", resource: fn, .implicitDeny),
    DecisionCase("resource part star spans colons", [pol(resource: #""arn:aws:lambda:us-east-1:123456789012:function:*""#)],
                 action: "lambda:GetFunction", resource: fn + ":prod", .allowed),
    DecisionCase("? in ARN", [pol(resource: #""arn:aws:lambda:us-east-?:123456789012:function:my-fn""#)],
                 action: "lambda:GetFunction", resource: fn, .allowed),
    DecisionCase("NotResource allow", [pol(resource: #""arn:aws:lambda:*:*:function:secret-*""#, resourceKey: "NotResource")],
                 action: "lambda:GetFunction", resource: fn, .allowed),
    DecisionCase("NotResource excludes", [pol(resource: #""arn:aws:lambda:*:*:function:my-*""#, resourceKey: "NotResource")],
                 action: "lambda:GetFunction", resource: fn, .implicitDeny),
    DecisionCase("no Version: variables are literal", [pol(resource: #""arn:aws:s3:::home/${aws:username}/*""#, version: nil)],
                 action: "s3:GetObject", resource: "arn:aws:s3:::home/alice/x", single: ["aws:username": "alice"], .implicitDeny),
    DecisionCase("2008 version: literal variable text matches", [pol(resource: #""arn:aws:s3:::home/${aws:username}/*""#, version: "2008-10-17")],
                 action: "s3:GetObject", resource: "arn:aws:s3:::home/${aws:username}/x", .allowed),
]

let stringCases: [DecisionCase] = [
    DecisionCase("StringEquals match", [cond("StringEquals", "aws:username", #""alice""#)], action: "a:b", single: ["aws:username": "alice"], .allowed),
    DecisionCase("StringEquals value case-sensitive", [cond("StringEquals", "aws:username", #""Alice""#)], action: "a:b", single: ["aws:username": "alice"], .implicitDeny),
    DecisionCase("condition key case-insensitive", [cond("StringEquals", "AWS:UserName", #""alice""#)], action: "a:b", single: ["aws:username": "alice"], .allowed),
    DecisionCase("StringEquals values OR", [cond("StringEquals", "aws:username", #"["bob","alice"]"#)], action: "a:b", single: ["aws:username": "alice"], .allowed),
    DecisionCase("StringEquals absent key false", [cond("StringEquals", "aws:username", #""alice""#)], action: "a:b", .implicitDeny),
    DecisionCase("StringEquals no wildcard", [cond("StringEquals", "aws:username", #""al*""#)], action: "a:b", single: ["aws:username": "alice"], .implicitDeny),
    DecisionCase("StringNotEquals differs", [cond("StringNotEquals", "aws:username", #""bob""#)], action: "a:b", single: ["aws:username": "alice"], .allowed),
    DecisionCase("StringNotEquals equal", [cond("StringNotEquals", "aws:username", #""alice""#)], action: "a:b", single: ["aws:username": "alice"], .implicitDeny),
    DecisionCase("StringNotEquals values AND (none may match)", [cond("StringNotEquals", "aws:username", #"["bob","alice"]"#)],
                 action: "a:b", single: ["aws:username": "alice"], .implicitDeny),
    DecisionCase("StringNotEquals absent key true", [cond("StringNotEquals", "aws:username", #""bob""#)], action: "a:b", .allowed),
    DecisionCase("StringEqualsIgnoreCase", [cond("StringEqualsIgnoreCase", "aws:username", #""ALICE""#)], action: "a:b", single: ["aws:username": "alice"], .allowed),
    DecisionCase("StringNotEqualsIgnoreCase", [cond("StringNotEqualsIgnoreCase", "aws:username", #""ALICE""#)], action: "a:b", single: ["aws:username": "alice"], .implicitDeny),
    DecisionCase("StringLike star", [cond("StringLike", "aws:username", #""al*""#)], action: "a:b", single: ["aws:username": "alice"], .allowed),
    DecisionCase("StringLike question", [cond("StringLike", "aws:username", #""al?ce""#)], action: "a:b", single: ["aws:username": "alice"], .allowed),
    DecisionCase("StringLike case-sensitive", [cond("StringLike", "aws:username", #""AL*""#)], action: "a:b", single: ["aws:username": "alice"], .implicitDeny),
    DecisionCase("StringNotLike", [cond("StringNotLike", "aws:username", #""b*""#)], action: "a:b", single: ["aws:username": "alice"], .allowed),
    DecisionCase("StringNotLike matching", [cond("StringNotLike", "aws:username", #""a*""#)], action: "a:b", single: ["aws:username": "alice"], .implicitDeny),
    DecisionCase("IfExists absent key true", [cond("StringEqualsIfExists", "aws:username", #""bob""#)], action: "a:b", .allowed),
    DecisionCase("IfExists present key compared", [cond("StringEqualsIfExists", "aws:username", #""bob""#)], action: "a:b", single: ["aws:username": "alice"], .implicitDeny),
    DecisionCase("StringLikeIfExists present matching", [cond("StringLikeIfExists", "aws:username", #""a*""#)], action: "a:b", single: ["aws:username": "alice"], .allowed),
    DecisionCase("keys AND together", [pol(condition: #"{"StringEquals":{"aws:username":"alice","aws:userid":"AIDA1"}}"#)],
                 action: "a:b", single: ["aws:username": "alice", "aws:userid": "AIDA2"], .implicitDeny),
    DecisionCase("operators AND together", [pol(condition: #"{"StringEquals":{"aws:username":"alice"},"StringLike":{"aws:userid":"AIDA*"}}"#)],
                 action: "a:b", single: ["aws:username": "alice", "aws:userid": "AIDA2"], .allowed),
    DecisionCase("number value compares as text", [cond("StringEquals", "s3:max-keys", "10")], action: "a:b", single: ["s3:max-keys": "10"], .allowed),
    DecisionCase("bool value compares as text", [cond("StringEquals", "aws:SecureTransport", "true")], action: "a:b", single: ["aws:SecureTransport": "true"], .allowed),
]

let typedCases: [DecisionCase] = [
    DecisionCase("NumericEquals", [cond("NumericEquals", "s3:max-keys", #""10""#)], action: "a:b", single: ["s3:max-keys": "10.0"], .allowed),
    DecisionCase("NumericNotEquals", [cond("NumericNotEquals", "s3:max-keys", #""10""#)], action: "a:b", single: ["s3:max-keys": "11"], .allowed),
    DecisionCase("NumericLessThan true", [cond("NumericLessThan", "s3:max-keys", "10")], action: "a:b", single: ["s3:max-keys": "9"], .allowed),
    DecisionCase("NumericLessThan equal false", [cond("NumericLessThan", "s3:max-keys", "10")], action: "a:b", single: ["s3:max-keys": "10"], .implicitDeny),
    DecisionCase("NumericLessThanEquals", [cond("NumericLessThanEquals", "s3:max-keys", "10")], action: "a:b", single: ["s3:max-keys": "10"], .allowed),
    DecisionCase("NumericGreaterThan", [cond("NumericGreaterThan", "s3:max-keys", "10")], action: "a:b", single: ["s3:max-keys": "10.5"], .allowed),
    DecisionCase("NumericGreaterThanEquals false", [cond("NumericGreaterThanEquals", "s3:max-keys", "10")], action: "a:b", single: ["s3:max-keys": "-3"], .implicitDeny),
    DecisionCase("Numeric non-number request", [cond("NumericEquals", "s3:max-keys", "10")], action: "a:b", single: ["s3:max-keys": "ten"], .implicitDeny),
    DecisionCase("DateLessThan ISO", [cond("DateLessThan", "aws:CurrentTime", #""2030-01-01T00:00:00Z""#)], action: "a:b",
                 single: ["aws:CurrentTime": "2025-06-01T12:00:00Z"], .allowed),
    DecisionCase("DateGreaterThan ISO false", [cond("DateGreaterThan", "aws:CurrentTime", #""2030-01-01T00:00:00Z""#)], action: "a:b",
                 single: ["aws:CurrentTime": "2025-06-01T12:00:00Z"], .implicitDeny),
    DecisionCase("DateEquals epoch vs ISO", [cond("DateEquals", "aws:CurrentTime", #""1735689600""#)], action: "a:b",
                 single: ["aws:CurrentTime": "2025-01-01T00:00:00Z"], .allowed),
    DecisionCase("DateEquals date-only", [cond("DateEquals", "aws:CurrentTime", #""2025-01-01""#)], action: "a:b",
                 single: ["aws:CurrentTime": "2025-01-01T00:00:00.000Z"], .allowed),
    DecisionCase("DateEquals with offset", [cond("DateEquals", "aws:CurrentTime", #""2025-01-01T02:00:00+02:00""#)], action: "a:b",
                 single: ["aws:CurrentTime": "2025-01-01T00:00:00Z"], .allowed),
    DecisionCase("DateNotEquals", [cond("DateNotEquals", "aws:CurrentTime", #""2025-01-01""#)], action: "a:b",
                 single: ["aws:CurrentTime": "2025-01-02"], .allowed),
    DecisionCase("DateLessThanEquals", [cond("DateLessThanEquals", "aws:EpochTime", "1735689600")], action: "a:b",
                 single: ["aws:EpochTime": "1735689600"], .allowed),
    DecisionCase("DateGreaterThanEquals", [cond("DateGreaterThanEquals", "aws:CurrentTime", #""2025-01-01""#)], action: "a:b",
                 single: ["aws:CurrentTime": "2024-12-31T23:59:59Z"], .implicitDeny),
    DecisionCase("Bool true", [cond("Bool", "aws:SecureTransport", #""true""#)], action: "a:b", single: ["aws:SecureTransport": "true"], .allowed),
    DecisionCase("Bool JSON literal", [cond("Bool", "aws:SecureTransport", "false")], action: "a:b", single: ["aws:SecureTransport": "false"], .allowed),
    DecisionCase("Bool mismatch", [cond("Bool", "aws:SecureTransport", #""true""#)], action: "a:b", single: ["aws:SecureTransport": "false"], .implicitDeny),
    DecisionCase("Bool absent", [cond("Bool", "aws:MultiFactorAuthPresent", #""false""#)], action: "a:b", .implicitDeny),
    DecisionCase("BoolIfExists absent", [cond("BoolIfExists", "aws:MultiFactorAuthPresent", #""false""#)], action: "a:b", .allowed),
    DecisionCase("BinaryEquals", [cond("BinaryEquals", "x:bin", #""QmluYXJ5VmFsdWU=""#)], action: "a:b", single: ["x:bin": "QmluYXJ5VmFsdWU="], .allowed),
    DecisionCase("BinaryEquals differs", [cond("BinaryEquals", "x:bin", #""QmluYXJ5VmFsdWU=""#)], action: "a:b", single: ["x:bin": "T3RoZXI="], .implicitDeny),
    DecisionCase("IpAddress v4 in CIDR", [cond("IpAddress", "aws:SourceIp", #""10.0.0.0/8""#)], action: "a:b", single: ["aws:SourceIp": "10.20.30.40"], .allowed),
    DecisionCase("IpAddress v4 outside", [cond("IpAddress", "aws:SourceIp", #""10.0.0.0/8""#)], action: "a:b", single: ["aws:SourceIp": "11.0.0.1"], .implicitDeny),
    DecisionCase("IpAddress bare address", [cond("IpAddress", "aws:SourceIp", #""203.0.113.7""#)], action: "a:b", single: ["aws:SourceIp": "203.0.113.7"], .allowed),
    DecisionCase("IpAddress /20 boundary", [cond("IpAddress", "aws:SourceIp", #""192.0.2.0/20""#)], action: "a:b", single: ["aws:SourceIp": "192.0.15.255"], .allowed),
    DecisionCase("IpAddress /20 just outside", [cond("IpAddress", "aws:SourceIp", #""192.0.0.0/20""#)], action: "a:b", single: ["aws:SourceIp": "192.0.16.0"], .implicitDeny),
    DecisionCase("IpAddress v6", [cond("IpAddress", "aws:SourceIp", #""2001:db8::/32""#)], action: "a:b", single: ["aws:SourceIp": "2001:db8:85a3::8a2e:370:7334"], .allowed),
    DecisionCase("IpAddress v6 outside", [cond("IpAddress", "aws:SourceIp", #""2001:db8::/32""#)], action: "a:b", single: ["aws:SourceIp": "2001:db9::1"], .implicitDeny),
    DecisionCase("IpAddress v4 request vs v6 range", [cond("IpAddress", "aws:SourceIp", #""::/0""#)], action: "a:b", single: ["aws:SourceIp": "10.0.0.1"], .implicitDeny),
    DecisionCase("NotIpAddress", [cond("NotIpAddress", "aws:SourceIp", #"["10.0.0.0/8","192.168.0.0/16"]"#)], action: "a:b", single: ["aws:SourceIp": "172.16.0.1"], .allowed),
    DecisionCase("NotIpAddress inside one", [cond("NotIpAddress", "aws:SourceIp", #"["10.0.0.0/8","192.168.0.0/16"]"#)], action: "a:b", single: ["aws:SourceIp": "192.168.3.3"], .implicitDeny),
    DecisionCase("ArnLike per part", [cond("ArnLike", "aws:SourceArn", #""arn:aws:lambda:*:123456789012:function:*""#)], action: "a:b", single: ["aws:SourceArn": fn], .allowed),
    DecisionCase("ArnEquals honours wildcards", [cond("ArnEquals", "aws:SourceArn", #""arn:aws:lambda:us-east-1:*:function:my-fn""#)], action: "a:b", single: ["aws:SourceArn": fn], .allowed),
    DecisionCase("ArnLike star does not span parts", [cond("ArnLike", "aws:SourceArn", #""arn:aws:lambda:*:function:my-fn""#)], action: "a:b", single: ["aws:SourceArn": fn], .implicitDeny),
    DecisionCase("ArnLike non-ARN request", [cond("ArnLike", "aws:SourceArn", #""*""#)], action: "a:b", single: ["aws:SourceArn": "not-an-arn"], .implicitDeny),
    DecisionCase("ArnNotLike", [cond("ArnNotLike", "aws:SourceArn", #""arn:aws:lambda:*:*:function:other""#)], action: "a:b", single: ["aws:SourceArn": fn], .allowed),
    DecisionCase("ArnNotEquals matching", [cond("ArnNotEquals", "aws:SourceArn", #""\#(fn)""#)], action: "a:b", single: ["aws:SourceArn": fn], .implicitDeny),
    DecisionCase("Null true: key absent", [cond("Null", "lambda:VpcIds", #""true""#)], action: "a:b", .allowed),
    DecisionCase("Null true: key present", [cond("Null", "lambda:VpcIds", #""true""#)], action: "a:b", single: ["lambda:VpcIds": "vpc-1"], .implicitDeny),
    DecisionCase("Null false: key present", [cond("Null", "lambda:VpcIds", "false")], action: "a:b", single: ["lambda:VpcIds": "vpc-1"], .allowed),
    DecisionCase("Null false: key absent", [cond("Null", "lambda:VpcIds", "false")], action: "a:b", .implicitDeny),
    DecisionCase("Null true: empty multivalued set", [cond("Null", "lambda:SubnetIds", #""true""#)], action: "a:b", multi: ["lambda:SubnetIds": []], .allowed),
]

let setCases: [DecisionCase] = [
    DecisionCase("ForAllValues empty set is true", [cond("ForAllValues:StringEquals", "lambda:SubnetIds", #"["subnet-1"]"#)],
                 action: "a:b", multi: ["lambda:SubnetIds": []], .allowed),
    DecisionCase("ForAllValues absent key is true", [cond("ForAllValues:StringEquals", "lambda:SubnetIds", #"["subnet-1"]"#)], action: "a:b", .allowed),
    DecisionCase("ForAllValues all in set", [cond("ForAllValues:StringEquals", "lambda:SubnetIds", #"["subnet-1","subnet-2"]"#)],
                 action: "a:b", multi: ["lambda:SubnetIds": ["subnet-2", "subnet-1"]], .allowed),
    DecisionCase("ForAllValues one outside", [cond("ForAllValues:StringEquals", "lambda:SubnetIds", #"["subnet-1","subnet-2"]"#)],
                 action: "a:b", multi: ["lambda:SubnetIds": ["subnet-1", "subnet-3"]], .implicitDeny),
    DecisionCase("ForAnyValue empty set is false", [cond("ForAnyValue:StringEquals", "lambda:SubnetIds", #"["subnet-1"]"#)],
                 action: "a:b", multi: ["lambda:SubnetIds": []], .implicitDeny),
    DecisionCase("ForAnyValue absent key is false", [cond("ForAnyValue:StringEquals", "lambda:SubnetIds", #"["subnet-1"]"#)], action: "a:b", .implicitDeny),
    DecisionCase("ForAnyValue one matches", [cond("ForAnyValue:StringEquals", "lambda:SubnetIds", #"["subnet-1"]"#)],
                 action: "a:b", multi: ["lambda:SubnetIds": ["subnet-9", "subnet-1"]], .allowed),
    DecisionCase("ForAnyValue none matches", [cond("ForAnyValue:StringEquals", "lambda:SubnetIds", #"["subnet-1"]"#)],
                 action: "a:b", multi: ["lambda:SubnetIds": ["subnet-9"]], .implicitDeny),
    DecisionCase("ForAnyValue:StringNotEquals some differ", [cond("ForAnyValue:StringNotEquals", "aws:TagKeys", #"["env"]"#)],
                 action: "a:b", multi: ["aws:TagKeys": ["env", "team"]], .allowed),
    DecisionCase("ForAnyValue:StringNotEquals all equal", [cond("ForAnyValue:StringNotEquals", "aws:TagKeys", #"["env"]"#)],
                 action: "a:b", multi: ["aws:TagKeys": ["env"]], .implicitDeny),
    DecisionCase("ForAllValues:StringNotEquals none in set", [cond("ForAllValues:StringNotEquals", "aws:TagKeys", #"["secret"]"#)],
                 action: "a:b", multi: ["aws:TagKeys": ["env", "team"]], .allowed),
    DecisionCase("ForAllValues:StringNotEquals one in set", [cond("ForAllValues:StringNotEquals", "aws:TagKeys", #"["secret"]"#)],
                 action: "a:b", multi: ["aws:TagKeys": ["env", "secret"]], .implicitDeny),
    DecisionCase("ForAllValues:StringLike", [cond("ForAllValues:StringLike", "aws:TagKeys", #"["team-*"]"#)],
                 action: "a:b", multi: ["aws:TagKeys": ["team-a", "team-b"]], .allowed),
    DecisionCase("ForAnyValue:StringLikeIfExists absent", [cond("ForAnyValue:StringLikeIfExists", "aws:TagKeys", #"["x*"]"#)], action: "a:b", .allowed),
    DecisionCase("plain operator on multivalued key: any value", [cond("StringEquals", "lambda:SubnetIds", #""subnet-1""#)],
                 action: "a:b", multi: ["lambda:SubnetIds": ["subnet-2", "subnet-1"]], .allowed),
    DecisionCase("plain negated operator on multivalued key: none may match", [cond("StringNotEquals", "lambda:SubnetIds", #""subnet-1""#)],
                 action: "a:b", multi: ["lambda:SubnetIds": ["subnet-2", "subnet-1"]], .implicitDeny),
    DecisionCase("ForAllValues:NumericLessThan", [cond("ForAllValues:NumericLessThan", "x:n", "10")], action: "a:b", multi: ["x:n": ["1", "9"]], .allowed),
    DecisionCase("ForAnyValue:IpAddress", [cond("ForAnyValue:IpAddress", "x:ips", #""10.0.0.0/8""#)], action: "a:b", multi: ["x:ips": ["1.1.1.1", "10.9.9.9"]], .allowed),
]

let variableCases: [DecisionCase] = [
    DecisionCase("${aws:username} in Resource", [pol(resource: #""arn:aws:s3:::home/${aws:username}/*""#)],
                 action: "s3:GetObject", resource: "arn:aws:s3:::home/alice/file", single: ["aws:username": "alice"], .allowed),
    DecisionCase("${aws:username} in Resource other user", [pol(resource: #""arn:aws:s3:::home/${aws:username}/*""#)],
                 action: "s3:GetObject", resource: "arn:aws:s3:::home/bob/file", single: ["aws:username": "alice"], .implicitDeny),
    DecisionCase("variable value is literal, not a wildcard", [pol(resource: #""arn:aws:s3:::home/${aws:username}/x""#)],
                 action: "s3:GetObject", resource: "arn:aws:s3:::home/alice/x", single: ["aws:username": "*"], .implicitDeny),
    DecisionCase("unresolved variable never matches", [pol(resource: #""arn:aws:s3:::home/${aws:username}/*""#)],
                 action: "s3:GetObject", resource: "arn:aws:s3:::home//file", .implicitDeny),
    DecisionCase("variable default value", [pol(resource: #""arn:aws:s3:::home/${aws:username, 'guest'}/*""#)],
                 action: "s3:GetObject", resource: "arn:aws:s3:::home/guest/file", .allowed),
    DecisionCase("variable key case-insensitive", [pol(resource: #""arn:aws:s3:::home/${AWS:UserName}/*""#)],
                 action: "s3:GetObject", resource: "arn:aws:s3:::home/alice/file", single: ["aws:username": "alice"], .allowed),
    DecisionCase("${aws:userid} in condition", [cond("StringEquals", "s3:prefix", #""${aws:userid}/""#)],
                 action: "s3:ListBucket", single: ["aws:userid": "AIDAX", "s3:prefix": "AIDAX/"], .allowed),
    DecisionCase("${aws:PrincipalArn} in ArnEquals", [cond("ArnEquals", "iam:ResourceArn", #""${aws:PrincipalArn}""#)],
                 action: "a:b", single: ["aws:PrincipalArn": "arn:aws:iam::123456789012:user/alice", "iam:ResourceArn": "arn:aws:iam::123456789012:user/alice"], .allowed),
    DecisionCase("${*} is a literal star", [cond("StringEquals", "x:k", #""a${*}b""#)], action: "a:b", single: ["x:k": "a*b"], .allowed),
    DecisionCase("${*} in StringLike is not a wildcard", [cond("StringLike", "x:k", #""a${*}b""#)], action: "a:b", single: ["x:k": "axxb"], .implicitDeny),
    DecisionCase("${?} literal", [cond("StringLike", "x:k", #""a${?}""#)], action: "a:b", single: ["x:k": "a?"], .allowed),
    DecisionCase("${$} literal", [cond("StringEquals", "x:k", #""cost${$}""#)], action: "a:b", single: ["x:k": "cost$"], .allowed),
    DecisionCase("variable with StringLike wildcard around it", [cond("StringLike", "s3:prefix", #""home/${aws:username}/*""#)],
                 action: "a:b", single: ["aws:username": "alice", "s3:prefix": "home/alice/docs"], .allowed),
]

@Test("decision table: actions, resources, effects", arguments: basicCases)
func basics(_ c: DecisionCase) throws { try check(c) }

@Test("decision table: string operators, keys, IfExists", arguments: stringCases)
func strings(_ c: DecisionCase) throws { try check(c) }

@Test("decision table: numeric, date, bool, binary, IP, ARN, Null", arguments: typedCases)
func typed(_ c: DecisionCase) throws { try check(c) }

@Test("decision table: ForAnyValue / ForAllValues", arguments: setCases)
func sets(_ c: DecisionCase) throws { try check(c) }

@Test("decision table: policy variables", arguments: variableCases)
func variables(_ c: DecisionCase) throws { try check(c) }

func check(_ c: DecisionCase) throws {
    let compiled = try c.policies.enumerated().map { try CompiledPolicy(json: $0.element, id: "p\($0.offset)") }
    let decision = PolicyEvaluator.evaluate(compiled, c.request)
    #expect(decision.outcome == c.expected, "\(c.name)")
    // The fast enforcement path agrees with the full evaluation.
    #expect(PolicyEvaluator.isAllowed(compiled, c.request) == (c.expected == .allowed), "\(c.name) (fast path)")
    // So does the per-principal set with its statements indexed by action, asked twice (index built, then reused),
    // and with the context's keys split between shared keys and the request's own.
    let set = PolicySet(compiled)
    #expect(set.isAllowed(c.request) == (c.expected == .allowed), "\(c.name) (policy set)")
    #expect(set.isAllowed(c.request) == (c.expected == .allowed), "\(c.name) (policy set, indexed)")
    #expect(set.isAllowed(c.layeredRequest) == (c.expected == .allowed), "\(c.name) (policy set, shared keys)")
    #expect(PolicyEvaluator.evaluate(compiled, c.layeredRequest).outcome == c.expected, "\(c.name) (shared keys)")
}
