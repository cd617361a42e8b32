import Foundation
import IAMPolicy

// Measures one policy decision for a user with 10 policies of 10 statements each (the issue's budget: 20 µs).
// Build with `swift build -c release --product iam-policy-bench` and run `.build/release/iam-policy-bench`.

func statement(_ p: Int, _ s: Int) -> String {
    let services = ["lambda", "ec2", "iam", "logs", "s3"]
    let svc = services[(p + s) % services.count]
    switch s % 5 {
    case 0:
        return #"{"Sid":"S\#(p)x\#(s)","Effect":"Allow","Action":["\#(svc):Get*","\#(svc):List*","\#(svc):Describe*"],"Resource":"arn:aws:\#(svc):*:123456789012:thing-\#(p)-*"}"#
    case 1:
        return #"{"Sid":"S\#(p)x\#(s)","Effect":"Deny","Action":"\#(svc):Delete*","Resource":"*","Condition":{"StringNotEquals":{"aws:username":"admin-\#(p)"}}}"#
    case 2:
        return #"{"Sid":"S\#(p)x\#(s)","Effect":"Allow","Action":["lambda:CreateFunction","lambda:UpdateFunctionConfiguration"],"Resource":"arn:aws:lambda:*:123456789012:function:team\#(p)-*","Condition":{"ForAllValues:StringEquals":{"lambda:SubnetIds":["subnet-\#(p)a","subnet-\#(p)b"]},"StringEquals":{"lambda:VpcIds":"vpc-\#(p)"}}}"#
    case 3:
        return #"{"Sid":"S\#(p)x\#(s)","Effect":"Deny","Action":["lambda:CreateFunction","lambda:UpdateFunctionConfiguration"],"Resource":"*","Condition":{"ForAnyValue:StringEquals":{"lambda:SecurityGroupIds":["sg-bad\#(p)","sg-worse\#(p)"]}}}"#
    default:
        return #"{"Sid":"S\#(p)x\#(s)","Effect":"Allow","NotAction":"iam:*","Resource":"arn:aws:s3:::home/${aws:username}/*","Condition":{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","192.168.0.0/16"]},"Bool":{"aws:SecureTransport":"true"}}}"#
    }
}

var policies: [CompiledPolicy] = []
for p in 0..<10 {
    let text = #"{"Version":"2012-10-17","Statement":["# + (0..<10).map { statement(p, $0) }.joined(separator: ",") + "]}"
    do { policies.append(try CompiledPolicy(json: text, id: "policy-\(p)")) } catch {
        fatalError("benchmark policy \(p) does not parse: \(error)")
    }
}

var ctx = ConditionContext([
    "aws:username": "alice", "aws:userid": "AIDAEXAMPLEEXAMPLE01", "aws:SourceIp": "10.1.2.3",
    "aws:SecureTransport": "true", "aws:PrincipalArn": "arn:aws:iam::123456789012:user/alice",
    "lambda:VpcIds": "vpc-7",
])
ctx.set("lambda:SubnetIds", values: ["subnet-7a", "subnet-7b"])
ctx.set("lambda:SecurityGroupIds", values: ["sg-good"])
let requests = [
    AuthorizationRequest(action: "lambda:CreateFunction", resource: "arn:aws:lambda:us-east-1:123456789012:function:team7-api", context: ctx),
    AuthorizationRequest(action: "ec2:DescribeSubnets", resource: "*", context: ctx),
    AuthorizationRequest(action: "lambda:DeleteFunction", resource: "arn:aws:lambda:us-east-1:123456789012:function:x", context: ctx),
    AuthorizationRequest(action: "s3:GetObject", resource: "arn:aws:s3:::home/alice/notes.txt", context: ctx),
]

/// CPU time of this thread, so a loaded machine (other builds on the same cores) does not inflate the figure.
func threadCPUNanoseconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) * 1e9 + Double(ts.tv_nsec)
}

func measure(_ label: String, iterations: Int, _ body: (AuthorizationRequest) -> Bool) {
    var sink = 0
    for r in requests { if body(r) { sink += 1 } }  // warm-up
    let clock = ContinuousClock()
    let cpuStart = threadCPUNanoseconds()
    let elapsed = clock.measure {
        for i in 0..<iterations { if body(requests[i & 3]) { sink += 1 } }
    }
    let cpu = (threadCPUNanoseconds() - cpuStart) / Double(iterations) / 1000
    let wall = (Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9) / Double(iterations) / 1000
    print("\(label): \(String(format: "%.2f", cpu)) µs CPU, \(String(format: "%.2f", wall)) µs wall per decision (\(iterations) decisions, \(sink) allowed)")
}

let iterations = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 200_000
print("10 policies × 10 statements, 4 request shapes")
measure("PolicyEvaluator.evaluate (full decision)", iterations: iterations) {
    PolicyEvaluator.evaluate(policies, $0).isAllowed
}
measure("PolicyEvaluator.isAllowed (enforcement path)", iterations: iterations) {
    PolicyEvaluator.isAllowed(policies, $0)
}
let set = PolicySet(policies)
for r in requests where set.isAllowed(r) != PolicyEvaluator.isAllowed(policies, r) {
    fatalError("PolicySet and PolicyEvaluator disagree on \(r.action)")
}
measure("PolicySet.isAllowed (enforcement path, statements indexed by action)", iterations: iterations) {
    set.isAllowed($0)
}
