import AWSWire
import CloudModel
import ControlPlane
import Foundation
import IAMPolicy

// The CPU time `--enforce-iam` adds to one GetFunction of an IAM user, in process and without HTTP: resolve the
// access key, verify the SigV4 signature, authorize lambda:GetFunction against 10 attached policies of 10
// statements (the getfunction-iam-bench setup). Each request is distinct (its own X-Amz-Date) and nothing is kept
// per request. Build with `swift build -c release --product enforcement-bench`, run `.build/release/enforcement-bench`.

let account = "123456789012", region = "us-east-1"
let store = try StateStore(durable: NullRecordStore(), clock: SystemTimeSource())
let cache = PolicyCache()
let iam = IAMService(store: store, accountId: account, policies: cache)
let authorizer = Authorizer(store: store, accountId: account, cache: cache)
let rootContext = RequestContext(requestID: "bench", accountId: account, region: region,
                                 principal: .root(accountId: account, accessKeyId: "test"), sourceIP: "127.0.0.1")

func call(_ action: String, _ params: [String: String]) -> String {
    do { return try iam.handle(action: action, params: QueryParameters(params), context: rootContext) } catch {
        fatalError("\(action) failed: \(error)")
    }
}

func element(_ name: String, in xml: String) -> String {
    let start = xml.range(of: "<\(name)>")!.upperBound
    return String(xml[start..<xml.range(of: "</\(name)>", range: start..<xml.endIndex)!.lowerBound])
}

_ = call("CreateUser", ["UserName": "bench"])
for p in 0..<10 {
    var statements = (0..<9).map { i in
        #"{"Sid":"S\#(p)x\#(i)","Effect":"Allow","Action":["lambda:List\#(i)*","ec2:Describe*"],"Resource":"arn:aws:lambda:\#(region):\#(account):function:other-\#(i)-*","Condition":{"StringEquals":{"aws:RequestedRegion":"\#(region)"}}}"#
    }
    statements.append(#"{"Sid":"S\#(p)get","Effect":"Allow","Action":"lambda:GetFunction","Resource":"arn:aws:lambda:\#(region):\#(account):function:bench*","Condition":{"IpAddress":{"aws:SourceIp":"127.0.0.0/8"}}}"#)
    let xml = call("CreatePolicy", ["PolicyName": "bench-\(p)",
                                    "PolicyDocument": #"{"Version":"2012-10-17","Statement":["# + statements.joined(separator: ",") + "]}"])
    _ = call("AttachUserPolicy", ["UserName": "bench", "PolicyArn": element("Arn", in: xml)])
}
let created = call("CreateAccessKey", ["UserName": "bench"])
let keyId = element("AccessKeyId", in: created), secret = element("SecretAccessKey", in: created)

// 8000 requests as botocore sends them: Host, X-Amz-Date, Authorization, over 8 functions, each second its own.
let signer = SigV4Signer(accessKeyID: keyId, secretAccessKey: secret, region: region, service: "lambda")
let now = Date()
let requests: [WireRequest] = (0..<8000).map { i in
    let base = WireRequest(method: "GET", rawPath: "/2015-03-31/functions/bench-\(i % 8)",
                           headers: [("host", "127.0.0.1:4566"), ("accept-encoding", "identity"),
                                     ("user-agent", "Boto3/1.40 md/Botocore#1.40 ua/2.1 os/linux lang/python")])
    return signer.sign(base, at: now.addingTimeInterval(Double(i / 8 - 500)))
}

let functionArnPrefix = "arn:aws:lambda:\(region):\(account):function:"

/// One enforced request's added work, as `APIRouter.admit` and Lambda's authorization step do it.
@inline(never) func enforce(_ r: WireRequest) -> Bool {
    guard case .success(let a) = SigV4Authorization.parse(r),
          let caller = authorizer.caller(accessKeyId: a.accessKeyID, rootAccessKeyId: "test", rootSecret: "test"),
          case .success = SigV4Verifier.verify(r, authorization: a, secretAccessKey: caller.secretAccessKey, now: Date(),
                                                    slot: caller.signingKeys)
    else { return false }
    let auth = RequestAuthorization(authorizer: authorizer, now: Date(), caller: caller) {
        Authorizer.lambdaDenied($0, action: $1, resource: $2, explicit: $3)
    }
    let ctx = RequestContext(requestID: "r", accountId: account, region: region, principal: caller.principal,
                             sourceIP: r.sourceIP, authorization: auth)
    // As Lambda's authorization step names the function: the path's last segment after the ARN prefix.
    var arn = functionArnPrefix
    arn += Substring(r.rawPath.utf8[r.rawPath.utf8.index(after: r.rawPath.utf8.lastIndex(of: UInt8(ascii: "/"))!)...])
    do { try ctx.authorize("lambda:GetFunction", arn) } catch { return false }
    return true
}

/// What the default mode does instead: read the signature, take the key as the root.
@inline(never) func trust(_ r: WireRequest) -> Bool {
    guard case .success(let a) = SigV4Authorization.parse(r) else { return false }
    return !Principal.root(accountId: account, accessKeyId: a.accessKeyID).arn.isEmpty
}

func threadCPUNanoseconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) * 1e9 + Double(ts.tv_nsec)
}

/// Best of `rounds` CPU microseconds per request over the whole request set.
func measure(_ label: String, rounds: Int, _ body: (WireRequest) -> Bool) -> Double {
    var best = Double.infinity
    for _ in 0..<rounds {
        let start = threadCPUNanoseconds()
        var ok = 0
        for r in requests where body(r) { ok += 1 }
        guard ok == requests.count else { fatalError("\(label): \(requests.count - ok) requests refused") }
        best = min(best, (threadCPUNanoseconds() - start) / Double(requests.count) / 1000)
    }
    print("\(label): \(String(format: "%.2f", best)) µs CPU per request (best of \(rounds) × \(requests.count))")
    return best
}

let rounds = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 20
print("GetFunction by an IAM user with 10 attached policies × 10 statements, \(requests.count) distinct signed requests")
let off = measure("default mode (signature read, key taken as root)", rounds: rounds, trust)
let on = measure("--enforce-iam (key resolved, signature verified, GetFunction authorized)", rounds: rounds, enforce)
print("added by enforcement: \(String(format: "%.2f", on - off)) µs CPU per request")
