import Foundation
import IAMPolicy
import Testing

/// Resource patterns that are a literal ARN, or a literal with all five colons and one final `*`, are compared as a
/// whole; they must decide exactly as matching part by part does. Each case also runs with the pattern written with
/// a `?` in the account (which forces the part-by-part matcher) where that cannot change the outcome.
@Test(arguments: [
    // (pattern, resource, expected)
    ("arn:aws:lambda:us-east-1:123456789012:function:dev-*", "arn:aws:lambda:us-east-1:123456789012:function:dev-api", true),
    ("arn:aws:lambda:us-east-1:123456789012:function:dev-*", "arn:aws:lambda:us-east-1:123456789012:function:dev-api:live", true),
    ("arn:aws:lambda:us-east-1:123456789012:function:dev-*", "arn:aws:lambda:us-east-1:123456789012:function:dev-", true),
    ("arn:aws:lambda:us-east-1:123456789012:function:dev-*", "arn:aws:lambda:us-east-1:123456789012:function:prod-api", false),
    ("arn:aws:lambda:us-east-1:123456789012:function:dev-*", "arn:aws:lambda:us-east-1:123456789012:function:dev", false),
    ("arn:aws:lambda:us-east-1:123456789012:function:dev-*", "arn:aws:lambda:us-east-1:123456789012:function:DEV-api", false),
    ("arn:aws:lambda:us-east-1:123456789012:function:dev-*", "arn:aws:lambda:us-east-2:123456789012:function:dev-api", false),
    ("arn:aws:lambda:us-east-1:123456789012:function:dev-*", "dev-api", false),
    ("arn:aws:lambda:us-east-1:123456789012:function:*", "arn:aws:lambda:us-east-1:123456789012:function:x:1", true),
    ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b.txt", true),
    ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket", false),
    ("arn:aws:lambda:us-east-1:123456789012:function:api", "arn:aws:lambda:us-east-1:123456789012:function:api", true),
    ("arn:aws:lambda:us-east-1:123456789012:function:api", "arn:aws:lambda:us-east-1:123456789012:function:api:1", false),
    ("arn:aws:lambda:us-east-1:123456789012:function:api", "arn:aws:lambda:us-east-1:123456789012:function:ap", false),
])
func literalAndPrefixResourcesMatchAsPartByPart(pattern: String, resource: String, expected: Bool) throws {
    func allows(_ p: String) throws -> Bool {
        let policy = try CompiledPolicy(json: #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"lambda:GetFunction","Resource":"\#(p)"}]}"#, id: "p")
        let request = AuthorizationRequest(action: "lambda:GetFunction", resource: resource)
        let viaSet = PolicySet([policy]).isAllowed(request)
        #expect(viaSet == PolicyEvaluator.isAllowed([policy], request), "the indexed and the plain evaluator agree")
        return viaSet
    }
    #expect(try allows(pattern) == expected)
    // `123456789012` → `12345678901?`: the same accounts (in these cases), matched part by part.
    let partByPart = pattern.replacingOccurrences(of: "123456789012", with: "12345678901?")
    if partByPart != pattern { #expect(try allows(partByPart) == expected) }
    // ArnLike in a condition uses the same patterns and requires an ARN.
    let arnLike = try CompiledPolicy(json: #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ArnLike":{"lambda:FunctionArn":"\#(pattern)"}}}]}"#, id: "c")
    var ctx = ConditionContext()
    ctx.set("lambda:FunctionArn", resource)
    #expect(PolicySet([arnLike]).isAllowed(AuthorizationRequest(action: "lambda:GetFunction", context: ctx)) == expected)
}

/// An IPv4 source address is checked against IpAddress ranges without building a range; it decides as the range
/// comparison does, including prefixes 0 and 32, IPv6 ranges, and malformed addresses.
@Test(arguments: [
    ("10.0.0.0/8", "10.255.1.2", true), ("10.0.0.0/8", "11.0.0.1", false), ("0.0.0.0/0", "203.0.113.9", true),
    ("192.0.2.7/32", "192.0.2.7", true), ("192.0.2.7/32", "192.0.2.8", false), ("192.0.2.7", "192.0.2.7", true),
    ("2001:db8::/32", "10.0.0.1", false), ("10.0.0.0/8", "10.0.0", false), ("10.0.0.0/8", "10.0.0.256", false),
    ("10.0.0.0/8", "010.0.0.1", true), ("10.0.0.0/8", "10.0.0.1/32", true), ("10.0.0.0/8", "10.0.0.0/7", false),
])
func ipv4SourceAddressesMatchRanges(range: String, address: String, expected: Bool) throws {
    let policy = try CompiledPolicy(json: #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"\#(range)"}}}]}"#, id: "p")
    var ctx = ConditionContext()
    ctx.set("aws:SourceIp", address)
    #expect(PolicySet([policy]).isAllowed(AuthorizationRequest(action: "s3:GetObject", context: ctx)) == expected)
}
