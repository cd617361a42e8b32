import AWSWire
import CloudModel
import Foundation

extension LambdaService {
    static let codeSigningArnPattern =
        "arn:(aws[a-zA-Z-]*)?:lambda:[a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\\d{1}:\\d{12}:code-signing-config:csc-[a-z0-9]{17}"

    func codeSigningConfigArn(_ id: String) -> String { "arn:aws:lambda:\(region):\(accountId):code-signing-config:\(id)" }

    // MARK: Code signing configurations

    func createCodeSigningConfig(_ b: JSONBody, _ ctx: RequestContext) throws -> WireResponse {
        let (description, arns, policy) = try Self.codeSigningFields(b, creating: true)
        let tags = try b.stringMap("Tags") ?? [:]
        let saved = try store.write { tx -> LambdaCodeSigningConfig in
            var id: String
            repeat { id = Self.newCodeSigningConfigId() } while tx.get(LambdaCodeSigningConfig.self, id) != nil
            let c = LambdaCodeSigningConfig(id: id, description: description ?? "", signingProfileVersionArns: arns ?? [],
                                            untrustedArtifactOnDeployment: policy ?? "Warn", tags: tags, lastModified: tx.now)
            tx.put(c)
            return c
        }
        return respond(201, ctx) { w in w.beginObject(); w.key("CodeSigningConfig"); writeCodeSigningConfig(&w, saved); w.endObject() }
    }

    func getCodeSigningConfig(_ arn: String, _ ctx: RequestContext) throws -> WireResponse {
        let id = try codeSigningConfigId(arn)
        guard let c = store.snapshot().codeSigningConfigs[id] else { throw LambdaErrors.codeSigningConfigNotFound(arn) }
        return respond(200, ctx) { w in w.beginObject(); w.key("CodeSigningConfig"); writeCodeSigningConfig(&w, c); w.endObject() }
    }

    func listCodeSigningConfigs(_ q: LambdaQuery, _ ctx: RequestContext) throws -> WireResponse {
        let (marker, maxItems) = try Self.paging(q)
        let all = store.snapshot().codeSigningConfigs.values.sorted { $0.id < $1.id }
        let (page, next) = Self.page(all, marker: marker, maxItems: maxItems)
        return respond(200, ctx) { w in
            w.beginObject()
            w.member("NextMarker", next)
            w.key("CodeSigningConfigs"); w.beginArray()
            for c in page { writeCodeSigningConfig(&w, c) }
            w.endArray()
            w.endObject()
        }
    }

    func updateCodeSigningConfig(_ arn: String, _ b: JSONBody, _ ctx: RequestContext) throws -> WireResponse {
        let id = try codeSigningConfigId(arn)
        let (description, arns, policy) = try Self.codeSigningFields(b, creating: false)
        let saved = try store.write { tx -> LambdaCodeSigningConfig in
            guard var c = tx.get(LambdaCodeSigningConfig.self, id) else { throw LambdaErrors.codeSigningConfigNotFound(arn) }
            if let description { c.description = description }
            if let arns { c.signingProfileVersionArns = arns }
            if let policy { c.untrustedArtifactOnDeployment = policy }
            c.lastModified = tx.now
            tx.put(c)
            return c
        }
        return respond(200, ctx) { w in w.beginObject(); w.key("CodeSigningConfig"); writeCodeSigningConfig(&w, saved); w.endObject() }
    }

    func deleteCodeSigningConfig(_ arn: String, _ ctx: RequestContext) throws -> WireResponse {
        let id = try codeSigningConfigId(arn)
        try store.write { tx in
            guard tx.get(LambdaCodeSigningConfig.self, id) != nil else { throw LambdaErrors.codeSigningConfigNotFound(arn) }
            if tx.all(LambdaFunction.self).contains(where: { $0.codeSigningConfigId == id }) {
                throw LambdaErrors.codeSigningConfigInUse(arn)
            }
            tx.delete(LambdaCodeSigningConfig.self, id)
        }
        return empty(204, ctx)
    }

    func listFunctionsByCodeSigningConfig(_ arn: String, _ q: LambdaQuery, _ ctx: RequestContext) throws -> WireResponse {
        let id = try codeSigningConfigId(arn)
        let (marker, maxItems) = try Self.paging(q)
        let s = store.snapshot()
        guard s.codeSigningConfigs[id] != nil else { throw LambdaErrors.codeSigningConfigNotFound(arn) }
        let names = s.lambdaFunctions.values.filter { $0.codeSigningConfigId == id }.map(\.id).sorted()
        let (page, next) = Self.page(names, marker: marker, maxItems: maxItems)
        return respond(200, ctx) { w in
            w.beginObject()
            w.member("NextMarker", next)
            w.member("FunctionArns", strings: page.map { json.functionArn($0) })
            w.endObject()
        }
    }

    // MARK: A function's configuration

    /// GetFunctionCodeSigningConfig: the attached configuration's ARN, or an empty one when there is none (as Lambda
    /// answers; Terraform reads it on every refresh of a function).
    func getFunctionCodeSigningConfig(_ name: String, _ ctx: RequestContext) throws -> WireResponse {
        let ref = try reference(name)
        guard let f = store.snapshot().lambdaFunctions[ref.name] else { throw LambdaErrors.functionNotFound(json.functionArn(ref.name)) }
        return respond(200, ctx) { w in
            w.beginObject()
            w.member("CodeSigningConfigArn", f.codeSigningConfigId.map(codeSigningConfigArn) ?? "")
            w.member("FunctionName", ref.name)
            w.endObject()
        }
    }

    func putFunctionCodeSigningConfig(_ name: String, _ b: JSONBody, _ ctx: RequestContext) throws -> WireResponse {
        let ref = try reference(name)
        guard let arn = try b.string("CodeSigningConfigArn") else {
            throw LambdaErrors.validation(["Value null at 'codeSigningConfigArn' failed to satisfy constraint: Member must not be null"])
        }
        let id = try codeSigningConfigId(arn)
        try store.write { tx in
            guard tx.get(LambdaFunction.self, ref.name) != nil else { throw LambdaErrors.functionNotFound(json.functionArn(ref.name)) }
            guard tx.get(LambdaCodeSigningConfig.self, id) != nil else {
                throw LambdaErrors.codeSigningConfigNotFound(arn, code: "CodeSigningConfigNotFoundException")
            }
            tx.update(LambdaFunction.self, ref.name) { $0.codeSigningConfigId = id }
        }
        return respond(200, ctx) { w in
            w.beginObject()
            w.member("CodeSigningConfigArn", codeSigningConfigArn(id))
            w.member("FunctionName", ref.name)
            w.endObject()
        }
    }

    func deleteFunctionCodeSigningConfig(_ name: String, _ ctx: RequestContext) throws -> WireResponse {
        let ref = try reference(name)
        try store.write { tx in
            guard tx.update(LambdaFunction.self, ref.name, { $0.codeSigningConfigId = nil }) else {
                throw LambdaErrors.functionNotFound(json.functionArn(ref.name))
            }
        }
        return empty(204, ctx)
    }

    // MARK: helpers

    /// The id in a configuration ARN of this account and region; another account's or region's is not found.
    private func codeSigningConfigId(_ arn: String) throws(AWSError) -> String {
        guard arn.range(of: "^(?:\(Self.codeSigningArnPattern))$", options: .regularExpression) != nil else {
            throw LambdaErrors.validation(["Value '\(arn)' at 'codeSigningConfigArn' failed to satisfy constraint: Member must satisfy regular expression pattern: \(Self.codeSigningArnPattern)"])
        }
        let parts = arn.split(separator: ":", omittingEmptySubsequences: false)
        guard parts[3] == region, parts[4] == accountId else { throw LambdaErrors.codeSigningConfigNotFound(arn) }
        return String(parts[6])
    }

    /// Description, AllowedPublishers.SigningProfileVersionArns and CodeSigningPolicies.UntrustedArtifactOnDeployment.
    static func codeSigningFields(_ b: JSONBody, creating: Bool) throws(AWSError) -> (String?, [String]?, String?) {
        let description = try b.string("Description")
        let publishers = try b.object("AllowedPublishers")
        let arns = try publishers?.stringList("SigningProfileVersionArns")
        let policy = try b.object("CodeSigningPolicies")?.string("UntrustedArtifactOnDeployment")
        var problems: [String] = []
        if creating && publishers == nil {
            problems.append("Value null at 'allowedPublishers' failed to satisfy constraint: Member must not be null")
        }
        if publishers != nil && arns == nil {
            problems.append("Value null at 'allowedPublishers.signingProfileVersionArns' failed to satisfy constraint: Member must not be null")
        }
        if let arns, arns.isEmpty || arns.count > 20 {
            problems.append("Value '[\(arns.joined(separator: ", "))]' at 'allowedPublishers.signingProfileVersionArns' failed to satisfy constraint: Member must have length \(arns.isEmpty ? "greater than or equal to 1" : "less than or equal to 20")")
        }
        if let d = description, d.count > 256 {
            problems.append("Value '\(d)' at 'description' failed to satisfy constraint: Member must have length less than or equal to 256")
        }
        if let policy, policy != "Warn", policy != "Enforce" {
            problems.append("Value '\(policy)' at 'codeSigningPolicies.untrustedArtifactOnDeployment' failed to satisfy constraint: Member must satisfy enum value set: [Warn, Enforce]")
        }
        if !problems.isEmpty { throw LambdaErrors.validation(problems) }
        return (description, arns, policy)
    }

    /// `csc-` and 17 lower-case letters or digits, as Lambda's ids.
    static func newCodeSigningConfigId() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return "csc-" + String((0..<17).map { _ in alphabet.randomElement()! })
    }

    private func writeCodeSigningConfig(_ w: inout JSONWriter, _ c: LambdaCodeSigningConfig) {
        w.beginObject()
        w.member("CodeSigningConfigId", c.id)
        w.member("CodeSigningConfigArn", codeSigningConfigArn(c.id))
        w.member("Description", c.description)
        w.object("AllowedPublishers") { $0.member("SigningProfileVersionArns", strings: c.signingProfileVersionArns) }
        w.object("CodeSigningPolicies") { $0.member("UntrustedArtifactOnDeployment", c.untrustedArtifactOnDeployment) }
        w.member("LastModified", LambdaJSON.lastModified(c.lastModified))
        w.endObject()
    }
}
