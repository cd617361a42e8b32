import CloudFormationTemplate
import Foundation

/// The function name and qualifier an ARN (or name) names, for Lambda's paths and `?Qualifier=`.
func lambdaTarget(_ s: String) -> (name: String, qualifier: String?) {
    let parts = s.split(separator: ":").map(String.init)
    if parts.count >= 7, parts[0] == "arn" { return (parts[6], parts.count > 7 ? parts[7] : nil) }
    return (s, nil)
}

/// AWS::Lambda::Url: a function URL config; its id is the function's ARN, `FunctionUrl` the URL.
struct LambdaUrlProvider: ResourceProvider {
    let type = "AWS::Lambda::Url"
    let replacementProperties: Set<String> = ["TargetFunctionArn", "Qualifier"]

    func path(_ p: ResourceProperties) throws -> String {
        let target = lambdaTarget(try p.required("TargetFunctionArn", of: type))
        let q = p.string("Qualifier") ?? target.qualifier
        return "/2021-10-31/functions/\(lambdaPathName(target.name))/url" + (q.map { "?Qualifier=\($0)" } ?? "")
    }

    func body(_ p: ResourceProperties) -> [String: Any] {
        var b: [String: Any] = ["AuthType": p.string("AuthType") ?? "AWS_IAM"]
        if let cors = p["Cors"] { b["Cors"] = LambdaFunctionProvider.json(cors) }
        b["InvokeMode"] = p.string("InvokeMode")
        return b
    }

    func create(_ p: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned {
        let out = try await LambdaFunctionProvider.call("POST", try path(p), body(p), c)
        let arn = out["FunctionArn"] as? String ?? ""
        return Provisioned(arn, attributes: ["FunctionArn": .string(arn), "FunctionUrl": .string(out["FunctionUrl"] as? String ?? "")])
    }

    func update(_ id: String, old: ResourceProperties, new: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned? {
        let out = try await LambdaFunctionProvider.call("PUT", try path(new), body(new), c)
        return Provisioned(id, attributes: ["FunctionArn": .string(id), "FunctionUrl": .string(out["FunctionUrl"] as? String ?? "")])
    }

    func delete(_ id: String, _ p: ResourceProperties, _ c: ProviderContext) async throws -> Bool {
        do { _ = try await LambdaFunctionProvider.call("DELETE", try path(p), nil, c) } catch let f as ResourceFailure where f.reason.contains("NotFound") {}
        return true
    }
}

/// AWS::Lambda::EventInvokeConfig: retries, event age and destinations of asynchronous invocations.
struct LambdaEventInvokeConfigProvider: ResourceProvider {
    let type = "AWS::Lambda::EventInvokeConfig"
    let replacementProperties: Set<String> = ["FunctionName", "Qualifier"]

    func path(_ p: ResourceProperties) throws -> String {
        let name = try p.required("FunctionName", of: type), q = try p.required("Qualifier", of: type)
        return "/2019-09-25/functions/\(lambdaPathName(name))/event-invoke-config?Qualifier=\(q)"
    }

    func put(_ p: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned {
        var b: [String: Any] = [:]
        for k in ["MaximumEventAgeInSeconds", "MaximumRetryAttempts", "DestinationConfig"] { if let v = p[k] { b[k] = LambdaFunctionProvider.json(v) } }
        _ = try await LambdaFunctionProvider.call("PUT", try path(p), b, c)
        return Provisioned("\(p.string("FunctionName")!):\(p.string("Qualifier")!)")
    }

    func create(_ p: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned { try await put(p, c) }

    func update(_ id: String, old: ResourceProperties, new: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned? {
        try await put(new, c)
    }

    func delete(_ id: String, _ p: ResourceProperties, _ c: ProviderContext) async throws -> Bool {
        do { _ = try await LambdaFunctionProvider.call("DELETE", try path(p), nil, c) } catch let f as ResourceFailure where f.reason.contains("NotFound") {}
        return true
    }
}

/// AWS::Lambda::LayerVersion: PublishLayerVersion from S3 content; `Ref` is the version's ARN. Any change publishes
/// a new version (a replacement), as layer versions never change.
struct LambdaLayerVersionProvider: ResourceProvider {
    let type = "AWS::Lambda::LayerVersion"
    let replacementProperties: Set<String> = ["LayerName", "Content", "CompatibleRuntimes", "CompatibleArchitectures", "Description", "LicenseInfo"]

    func create(_ p: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned {
        let name = p.string("LayerName") ?? PhysicalNames.generate(c, maxLength: 64)
        var b: [String: Any] = [:]
        guard let content = p["Content"] else { throw ResourceFailure("Property validation failure: [The property {/Content} is required]") }
        b["Content"] = LambdaFunctionProvider.json(content)
        for k in ["CompatibleRuntimes", "CompatibleArchitectures", "Description", "LicenseInfo"] { if let v = p[k] { b[k] = LambdaFunctionProvider.json(v) } }
        let out = try await LambdaFunctionProvider.call("POST", "/2018-10-31/layers/\(lambdaPathName(name))/versions", b, c)
        guard let arn = out["LayerVersionArn"] as? String else { throw ResourceFailure("Internal Failure") }
        return Provisioned(arn, attributes: ["LayerVersionArn": .string(arn)])
    }

    func delete(_ id: String, _ p: ResourceProperties, _ c: ProviderContext) async throws -> Bool {
        let parts = id.split(separator: ":")
        guard parts.count == 8 else { return true }
        do {
            _ = try await LambdaFunctionProvider.call("DELETE", "/2018-10-31/layers/\(parts[6])/versions/\(parts[7])", nil, c)
        } catch let f as ResourceFailure where f.reason.contains("NotFound") {}
        return true
    }
}
