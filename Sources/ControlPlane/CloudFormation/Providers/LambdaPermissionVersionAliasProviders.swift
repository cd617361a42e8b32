import Foundation

/// The function a `FunctionName` property names (a name, a partial or a full ARN), as Lambda's paths take it.
func lambdaPathName(_ s: String) -> String {
    s.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-_."))) ?? s
}

/// AWS::Lambda::Permission: one statement of the function's resource policy; its id is the statement id.
struct LambdaPermissionProvider: ResourceProvider {
    let type = "AWS::Lambda::Permission"
    let replacementProperties: Set<String> = ["Action", "FunctionName", "Principal", "SourceArn", "SourceAccount", "EventSourceToken",
                                              "FunctionUrlAuthType", "PrincipalOrgID"]

    func create(_ p: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned {
        let function = try p.required("FunctionName", of: type)
        let sid = PhysicalNames.generate(c, maxLength: 100)
        var body: [String: Any] = ["StatementId": sid, "Action": try p.required("Action", of: type), "Principal": try p.required("Principal", of: type)]
        for k in ["SourceArn", "SourceAccount", "EventSourceToken", "FunctionUrlAuthType", "PrincipalOrgID"] { body[k] = p.string(k) }
        _ = try await LambdaFunctionProvider.call("POST", "/2015-03-31/functions/\(lambdaPathName(function))/policy", body, c)
        return Provisioned(sid)
    }

    func delete(_ id: String, _ p: ResourceProperties, _ c: ProviderContext) async throws -> Bool {
        guard let function = p.string("FunctionName") else { return true }
        do {
            _ = try await LambdaFunctionProvider.call("DELETE", "/2015-03-31/functions/\(lambdaPathName(function))/policy/\(id)", nil, c)
        } catch let f as ResourceFailure where f.reason.contains("NotFound") {}
        return true
    }
}

/// AWS::Lambda::Version: PublishVersion; `Ref` is the version's ARN.
struct LambdaVersionProvider: ResourceProvider {
    let type = "AWS::Lambda::Version"
    let replacementProperties: Set<String> = ["FunctionName", "Description", "CodeSha256", "ProvisionedConcurrencyConfig", "RuntimePolicy"]

    func create(_ p: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned {
        let function = try p.required("FunctionName", of: type)
        var body: [String: Any] = [:]
        body["Description"] = p.string("Description")
        body["CodeSha256"] = p.string("CodeSha256")
        let out = try await LambdaFunctionProvider.call("POST", "/2015-03-31/functions/\(lambdaPathName(function))/versions", body, c)
        guard let arn = out["FunctionArn"] as? String, let version = out["Version"] as? String else { throw ResourceFailure("Internal Failure") }
        return Provisioned(arn, attributes: ["Version": .string(version), "FunctionArn": .string(arn)])
    }

    func delete(_ id: String, _ p: ResourceProperties, _ c: ProviderContext) async throws -> Bool {
        let parts = id.split(separator: ":")
        guard parts.count == 8 else { return true }
        do {
            _ = try await LambdaFunctionProvider.call("DELETE", "/2015-03-31/functions/\(parts[6])?Qualifier=\(parts[7])", nil, c)
        } catch let f as ResourceFailure where f.reason.contains("NotFound") {}
        return true
    }
}

/// AWS::Lambda::Alias: `Ref` is the alias's ARN.
struct LambdaAliasProvider: ResourceProvider {
    let type = "AWS::Lambda::Alias"
    let replacementProperties: Set<String> = ["Name", "FunctionName"]

    func body(_ p: ResourceProperties) -> [String: Any] {
        var body: [String: Any] = [:]
        body["FunctionVersion"] = p.string("FunctionVersion")
        body["Description"] = p.string("Description")
        if let weights = p["RoutingConfig"]?["AdditionalVersionWeights"]?.listValue {
            var w: [String: Double] = [:]
            for v in weights { if let k = v["FunctionVersion"]?.scalarText, let n = v["FunctionWeight"]?.scalarText.flatMap(Double.init) { w[k] = n } }
            body["RoutingConfig"] = ["AdditionalVersionWeights": w]
        }
        return body
    }

    func create(_ p: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned {
        let function = try p.required("FunctionName", of: type)
        var b = body(p)
        b["Name"] = try p.required("Name", of: type)
        let out = try await LambdaFunctionProvider.call("POST", "/2015-03-31/functions/\(lambdaPathName(function))/aliases", b, c)
        guard let arn = out["AliasArn"] as? String else { throw ResourceFailure("Internal Failure") }
        return Provisioned(arn, attributes: ["AliasArn": .string(arn)])
    }

    func update(_ id: String, old: ResourceProperties, new: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned? {
        guard let function = new.string("FunctionName"), let name = new.string("Name") else { return nil }
        _ = try await LambdaFunctionProvider.call("PUT", "/2015-03-31/functions/\(lambdaPathName(function))/aliases/\(name)", body(new), c)
        return Provisioned(id, attributes: ["AliasArn": .string(id)])
    }

    func delete(_ id: String, _ p: ResourceProperties, _ c: ProviderContext) async throws -> Bool {
        guard let function = p.string("FunctionName"), let name = p.string("Name") else { return true }
        do {
            _ = try await LambdaFunctionProvider.call("DELETE", "/2015-03-31/functions/\(lambdaPathName(function))/aliases/\(name)", nil, c)
        } catch let f as ResourceFailure where f.reason.contains("NotFound") {}
        return true
    }
}
