import AWSWire
import CloudFormationTemplate
import CloudModel
import Foundation

/// AWS::Lambda::Function through Lambda's own handler: inline `ZipFile` code (zipped as CloudFormation does) or
/// S3 code; complete once Active (updates once their LastUpdateStatus is Successful); deletion waits for the
/// function's Hyperplane ENIs to be released, as the subnets and security groups after it need them gone.
struct LambdaFunctionProvider: ResourceProvider {
    let type = "AWS::Lambda::Function"
    let replacementProperties: Set<String> = ["FunctionName", "PackageType"]
    static let configurationKeys = ["Role", "Handler", "Runtime", "Description", "Timeout", "MemorySize", "Environment",
                                    "VpcConfig", "Layers", "Architectures", "EphemeralStorage", "TracingConfig",
                                    "DeadLetterConfig", "LoggingConfig", "KmsKeyArn", "ImageConfig", "SnapStart"]

    static func call(_ method: String, _ path: String, _ body: Any?, _ c: ProviderContext) async throws -> [String: Any] {
        guard let lambda = c.backends.lambda else { throw ResourceFailure("Lambda is not available") }
        let ctx = c.context { Authorizer.lambdaDenied($0, action: $1, resource: $2, explicit: $3) }
        let bytes = try body.map { Array(try JSONSerialization.data(withJSONObject: $0)) } ?? []
        let parts = path.split(separator: "?", maxSplits: 1)
        let request = WireRequest(method: method, rawPath: String(parts[0]), rawQuery: parts.count > 1 ? String(parts[1]) : "",
                                  headers: [(name: "content-type", value: "application/json")], body: bytes)
        do {
            let response = try await lambda.handle(request, context: ctx)
            guard !response.body.isEmpty else { return [:] }
            return (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
        } catch let e as AWSError {
            throw ProviderContext.failure(e, service: "Lambda", requestID: ctx.requestID)
        }
    }

    static func json(_ v: TemplateValue) -> Any {
        switch v {
        case .null: return NSNull()
        case .bool(let b): return b
        case .number(let n): return Int(n).map { $0 as Any } ?? Double(n).map { $0 as Any } ?? n
        case .string(let s): return s
        case .list(let l): return l.map(json)
        case .object(let o): return o.mapValues(json)
        }
    }

    func configuration(_ p: ResourceProperties) -> [String: Any] {
        var out: [String: Any] = [:]
        for k in Self.configurationKeys { if let v = p[k] { out[k] = Self.json(v) } }
        return out
    }

    func create(_ p: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned {
        var body = configuration(p)
        let name = p.string("FunctionName") ?? PhysicalNames.generate(c, maxLength: 64)
        body["FunctionName"] = name
        body["PackageType"] = p.string("PackageType")
        body["Code"] = try code(p)
        if let tags = p["Tags"]?.listValue {
            var t: [String: String] = [:]
            for tag in tags { if let k = tag["Key"]?.scalarText { t[k] = tag["Value"]?.scalarText ?? "" } }
            body["Tags"] = t
        }
        let out = try await Self.call("POST", "/2015-03-31/functions", body, c)
        let arn = out["FunctionArn"] as? String ?? ""
        return Provisioned(name, attributes: ["Arn": .string(arn)], pending: true)
    }

    func code(_ p: ResourceProperties) throws -> [String: Any] {
        guard let code = p["Code"]?.objectValue else { throw ResourceFailure("Property validation failure: [The property {/Code} is required]") }
        if let inline = code["ZipFile"]?.scalarText {
            let zip = InlineZip.archive(name: InlineZip.fileName(runtime: p.string("Runtime")), contents: inline)
            return ["ZipFile": Data(zip).base64EncodedString()]
        }
        var out: [String: Any] = [:]
        for k in ["S3Bucket", "S3Key", "S3ObjectVersion", "ImageUri"] { out[k] = code[k]?.scalarText }
        return out
    }

    func stabilize(_ id: String, _ p: ResourceProperties, _ c: ProviderContext) async throws -> Stabilization {
        let out = try await Self.call("GET", "/2015-03-31/functions/\(id)/configuration", nil, c)
        let arn = out["FunctionArn"] as? String ?? ""
        switch (out["State"] as? String, out["LastUpdateStatus"] as? String) {
        case ("Failed", _): return .failed("Resource handler returned message: \"\(out["StateReason"] as? String ?? "The function failed")\" (HandlerErrorCode: NotStabilized)")
        case (_, "Failed"): return .failed("Resource handler returned message: \"\(out["LastUpdateStatusReason"] as? String ?? "The update failed")\" (HandlerErrorCode: NotStabilized)")
        case ("Active", "Successful"), ("Active", nil): return .ready(["Arn": .string(arn)])
        default: return .waiting
        }
    }

    func update(_ id: String, old: ResourceProperties, new: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned? {
        let oldConfig = configuration(old), newConfig = configuration(new)
        if (oldConfig as NSDictionary) != (newConfig as NSDictionary) {
            var body = newConfig
            // A member left out of the template goes back to its default, as CloudFormation sends it.
            if old["VpcConfig"] != nil && new["VpcConfig"] == nil { body["VpcConfig"] = ["SubnetIds": [], "SecurityGroupIds": []] }
            if old["Environment"] != nil && new["Environment"] == nil { body["Environment"] = ["Variables": [:]] }
            _ = try await Self.call("PUT", "/2015-03-31/functions/\(id)/configuration", body, c)
        }
        if old["Code"] != new["Code"] {
            try await waitForUpdate(id, c)
            _ = try await Self.call("PUT", "/2015-03-31/functions/\(id)/code", try code(new), c)
        }
        return Provisioned(id, pending: true)
    }

    /// A second update while one is in progress is refused by Lambda; the handler waits it out.
    func waitForUpdate(_ id: String, _ c: ProviderContext) async throws {
        for _ in 0..<600 {
            let out = try await Self.call("GET", "/2015-03-31/functions/\(id)/configuration", nil, c)
            if out["LastUpdateStatus"] as? String != "InProgress" { return }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
    }

    func delete(_ id: String, _ p: ResourceProperties, _ c: ProviderContext) async throws -> Bool {
        do { _ = try await Self.call("DELETE", "/2015-03-31/functions/\(id)", nil, c) } catch let f as ResourceFailure where f.reason.contains("NotFound") {}
        return try isDeleted(id, c)
    }

    /// Gone once the Hyperplane ENIs no function needs any more are released (they block deleting the subnets and
    /// security groups the template deletes after the function).
    func isDeleted(_ id: String, _ c: ProviderContext) throws -> Bool {
        let state = c.backends.ec2.store.snapshot()
        if state.lambdaFunctions[id] != nil { return false }
        var needed: Set<HyperplaneKey> = []
        for f in state.lambdaFunctions.values { needed.formUnion(f.latest.neededHyperplaneKeys) }
        for v in state.lambdaVersions.values { needed.formUnion(v.config.neededHyperplaneKeys) }
        return !state.hyperplaneENIs.values.contains { !needed.contains($0.key) }
    }
}
