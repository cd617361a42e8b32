// libFuzzer target: an IAM policy document (identity and trust) through the parser CreatePolicy, PutRolePolicy and
// the role operations use, then compiled and evaluated against a request whose context has every kind of value a
// condition operator reads (IP, date, number, bool, ARN, string).
@testable import IAMPolicy

let context: ConditionContext = {
    var c = ConditionContext()
    c.set("aws:SourceIp", "10.1.2.3")
    c.set("aws:CurrentTime", "2024-05-01T12:00:00Z")
    c.set("aws:EpochTime", "1714564800")
    c.set("aws:SecureTransport", "true")
    c.set("aws:RequestedRegion", "us-east-1")
    c.set("aws:PrincipalArn", "arn:aws:iam::123456789012:user/alice")
    c.set("aws:username", "alice")
    c.set("lambda:FunctionArn", "arn:aws:lambda:us-east-1:123456789012:function:team7-api")
    c.set("aws:TagKeys", values: ["team", "env"])
    return c
}()

let requests = [
    AuthorizationRequest(action: "lambda:CreateFunction", resource: "arn:aws:lambda:us-east-1:123456789012:function:team7-api",
                         context: context),
    AuthorizationRequest(action: "sts:AssumeRole", resource: "arn:aws:iam::123456789012:role/r", context: context,
                         principal: PrincipalIdentity(type: "AWS", identifier: "arn:aws:iam::123456789012:root")),
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    for kind in [PolicyKind.identity, .trust] {
        guard let document = try? PolicyDocument.parse(text, kind: kind) else { continue }
        let policy = CompiledPolicy(document: document, id: "fuzz")
        for r in requests { _ = PolicyEvaluator.evaluate([policy], r) }
    }
    return 0
}
