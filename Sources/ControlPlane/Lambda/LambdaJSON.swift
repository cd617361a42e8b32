import AWSWire
import CloudModel
import Crypto
import Foundation

/// Lambda's JSON shapes (FunctionConfiguration, AliasConfiguration, ...) written with `JSONWriter`, members and
/// defaults as Lambda returns them for a zip-packaged function.
struct LambdaJSON: Sendable {
    let region: String
    let accountId: String
    /// Computed once: responses are on the hot path.
    let runtimeArns: [String: String]
    /// `arn:aws:lambda:REGION:ACCOUNT:function:`, which every function ARN starts with.
    let functionArnPrefix: String

    init(region: String, accountId: String) {
        self.region = region
        self.accountId = accountId
        functionArnPrefix = "arn:aws:lambda:\(region):\(accountId):function:"
        var arns: [String: String] = [:]
        for r in LambdaRuntimes.supported { arns[r] = Self.runtimeVersionArn(r, region: region) }
        runtimeArns = arns
    }

    func functionArn(_ name: String, qualifier: String? = nil) -> String {
        var arn = functionArnPrefix
        arn.reserveCapacity(functionArnPrefix.utf8.count + name.utf8.count + 1 + (qualifier?.utf8.count ?? 0))
        arn += name
        if let qualifier { arn += ":"; arn += qualifier }
        return arn
    }

    /// FunctionConfiguration. `qualifier` is what goes into FunctionArn (nil: unqualified).
    func configuration(_ w: inout JSONWriter, _ c: FunctionConfig, qualifier: String?) {
        w.beginObject()
        w.member("FunctionName", c.functionName)
        w.member("FunctionArn", functionArn(c.functionName, qualifier: qualifier))
        w.member("Runtime", c.runtime)
        w.member("Role", c.role)
        w.member("Handler", c.handler)
        w.member("CodeSize", c.codeSize)
        w.member("Description", c.description)
        w.member("Timeout", c.timeout)
        w.member("MemorySize", c.memorySize)
        w.member("LastModified", Self.lastModified(c.lastModified))
        w.member("CodeSha256", c.codeSha256)
        w.member("Version", c.version)
        if let v = c.vpcConfig {
            w.object("VpcConfig") { w in
                w.member("SubnetIds", strings: v.subnetIds)
                w.member("SecurityGroupIds", strings: v.securityGroupIds)
                w.member("VpcId", v.vpcId)
                w.member("Ipv6AllowedForDualStack", false)
            }
        }
        if let env = c.environment {
            w.object("Environment") { w in w.member("Variables", map: env) }
        }
        if let dlq = c.deadLetterTargetArn { w.object("DeadLetterConfig") { w in w.member("TargetArn", dlq) } }
        w.object("TracingConfig") { w in w.member("Mode", c.tracingMode ?? "PassThrough") }
        if let layers = c.layers, !layers.isEmpty {
            w.key("Layers"); w.beginArray()
            for l in layers { w.beginObject(); w.member("Arn", l.arn); w.member("CodeSize", l.codeSize); w.endObject() }
            w.endArray()
        }
        w.member("RevisionId", c.revisionId)
        let s = c.status
        w.member("State", s.state.rawValue)
        w.member("StateReason", s.stateReason)
        w.member("StateReasonCode", s.stateReasonCode)
        w.member("LastUpdateStatus", s.lastUpdateStatus?.rawValue)
        w.member("LastUpdateStatusReason", s.lastUpdateStatusReason)
        w.member("LastUpdateStatusReasonCode", s.lastUpdateStatusReasonCode)
        w.member("PackageType", "Zip")
        w.member("Architectures", strings: c.architectures)
        w.object("EphemeralStorage") { w in w.member("Size", c.ephemeralStorageSize) }
        w.object("SnapStart") { w in w.member("ApplyOn", "None"); w.member("OptimizationStatus", "Off") }
        w.object("RuntimeVersionConfig") { w in w.member("RuntimeVersionArn", runtimeArns[c.runtime] ?? Self.runtimeVersionArn(c.runtime, region: region)) }
        w.object("LoggingConfig") { w in
            w.member("LogFormat", c.loggingConfig?.logFormat ?? "Text")
            w.member("ApplicationLogLevel", c.loggingConfig?.applicationLogLevel)
            w.member("SystemLogLevel", c.loggingConfig?.systemLogLevel)
            w.member("LogGroup", c.logGroupName)
        }
        w.endObject()
    }

    func alias(_ w: inout JSONWriter, _ a: LambdaAlias) {
        w.beginObject()
        w.member("AliasArn", functionArn(a.functionName, qualifier: a.name))
        w.member("Name", a.name)
        w.member("FunctionVersion", a.functionVersion)
        w.member("Description", a.description)
        if let weights = a.additionalVersionWeights {
            w.object("RoutingConfig") { w in
                w.object("AdditionalVersionWeights") { w in
                    for k in weights.keys.sorted() { w.key(k); w.double(weights[k]!) }
                }
            }
        }
        w.member("RevisionId", a.revisionId)
        w.endObject()
    }

    /// A stable runtime version ARN per runtime (Lambda's are `arn:aws:lambda:REGION::runtime:<64 hex>`).
    static func runtimeVersionArn(_ runtime: String, region: String) -> String {
        let digest = SHA256.hash(data: Array(("lambda-vpc runtime " + runtime).utf8))
        let hex = digest.map { b -> String in let h = String(b, radix: 16); return h.count == 1 ? "0" + h : h }.joined()
        return "arn:aws:lambda:\(region)::runtime:\(hex)"
    }

    /// Lambda's LastModified format: `2024-01-02T03:04:05.000+0000`.
    static func lastModified(_ d: Date) -> String { CivilTime.isoMilliseconds(d) + "+0000" }
}
