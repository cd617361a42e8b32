import AWSWire
import CloudModel
import Foundation

extension LambdaService {
    func createAlias(_ name: String, _ b: JSONBody, _ ctx: RequestContext) throws -> WireResponse {
        let ref = try reference(name)
        let aliasName = try b.string("Name") ?? ""
        let version = try b.string("FunctionVersion") ?? ""
        let description = try b.string("Description") ?? ""
        let weights = try b.object("RoutingConfig").map { r throws(AWSError) in try r.doubleMap("AdditionalVersionWeights") ?? [:] }
        try Self.validateAlias(aliasName, version: version, description: description, weights: weights)
        let alias = try store.write { tx -> LambdaAlias in
            guard tx.get(LambdaFunction.self, ref.name) != nil else { throw LambdaErrors.functionNotFound(json.functionArn(ref.name)) }
            if tx.get(LambdaAlias.self, LambdaAlias.id(ref.name, aliasName)) != nil {
                throw LambdaErrors.aliasExists(json.functionArn(ref.name, qualifier: aliasName))
            }
            try checkAliasTargets(ref.name, version: version, weights: weights, tx)
            let a = LambdaAlias(functionName: ref.name, name: aliasName, functionVersion: version, description: description,
                                additionalVersionWeights: weights, revisionId: newRevisionId())
            tx.put(a)
            return a
        }
        return respond(201, ctx) { json.alias(&$0, alias) }
    }

    func getAlias(_ name: String, _ aliasName: String, _ ctx: RequestContext) throws -> WireResponse {
        let ref = try reference(name)
        let s = store.snapshot()
        guard s.lambdaFunctions[ref.name] != nil else { throw LambdaErrors.functionNotFound(json.functionArn(ref.name)) }
        guard let a = s.lambdaAliases[LambdaAlias.id(ref.name, aliasName)] else {
            throw LambdaErrors.aliasNotFound(json.functionArn(ref.name, qualifier: aliasName))
        }
        return respond(200, ctx) { json.alias(&$0, a) }
    }

    func listAliases(_ name: String, _ q: LambdaQuery, _ ctx: RequestContext) throws -> WireResponse {
        let ref = try reference(name)
        let (marker, maxItems) = try Self.paging(q)
        let s = store.snapshot()
        guard s.lambdaFunctions[ref.name] != nil else { throw LambdaErrors.functionNotFound(json.functionArn(ref.name)) }
        let version = q.first("FunctionVersion")
        let all = s.lambdaAliases.values.filter { $0.functionName == ref.name && (version == nil || $0.functionVersion == version) }
            .sorted { $0.name < $1.name }
        let (page, next) = Self.page(all, marker: marker, maxItems: maxItems)
        return respond(200, ctx) { w in
            w.beginObject()
            w.member("NextMarker", next)
            w.key("Aliases"); w.beginArray()
            for a in page { json.alias(&w, a) }
            w.endArray()
            w.endObject()
        }
    }

    func updateAlias(_ name: String, _ aliasName: String, _ b: JSONBody, _ ctx: RequestContext) throws -> WireResponse {
        let ref = try reference(name)
        let version = try b.string("FunctionVersion")
        let description = try b.string("Description")
        let weights = try b.object("RoutingConfig").map { r throws(AWSError) in try r.doubleMap("AdditionalVersionWeights") ?? [:] }
        let revision = try b.string("RevisionId")
        try Self.validateAlias(aliasName, version: version ?? "1", description: description ?? "", weights: weights)
        let alias = try store.write { tx -> LambdaAlias in
            guard tx.get(LambdaFunction.self, ref.name) != nil else { throw LambdaErrors.functionNotFound(json.functionArn(ref.name)) }
            guard var a = tx.get(LambdaAlias.self, LambdaAlias.id(ref.name, aliasName)) else {
                throw LambdaErrors.aliasNotFound(json.functionArn(ref.name, qualifier: aliasName))
            }
            try checkRevision(revision, a.revisionId)
            if let version { a.functionVersion = version }
            if let description { a.description = description }
            if let weights { a.additionalVersionWeights = weights }
            try checkAliasTargets(ref.name, version: a.functionVersion, weights: a.additionalVersionWeights, tx)
            a.revisionId = newRevisionId()
            tx.put(a)
            return a
        }
        return respond(200, ctx) { json.alias(&$0, alias) }
    }

    func deleteAlias(_ name: String, _ aliasName: String, _ ctx: RequestContext) throws -> WireResponse {
        let ref = try reference(name)
        try store.write { tx in
            guard tx.get(LambdaFunction.self, ref.name) != nil else { throw LambdaErrors.functionNotFound(json.functionArn(ref.name)) }
            // Deleting an alias that does not exist succeeds, as in Lambda.
            tx.delete(LambdaAlias.self, LambdaAlias.id(ref.name, aliasName))
            Self.deleteQualifierSettings(ref.name, aliasName, &tx)
        }
        return empty(204, ctx)
    }

    static func validateAlias(_ name: String, version: String, description: String, weights: [String: Double]?) throws(AWSError) {
        var p: [String] = []
        if name.isEmpty || name.count > 128 || name.allSatisfy(\.isASCIIDigit) || !name.allSatisfy(FunctionReference.isNameChar) {
            p.append("Value '\(name)' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)")
        }
        if version != "$LATEST" && (version.isEmpty || !version.allSatisfy(\.isASCIIDigit)) {
            p.append("Value '\(version)' at 'functionVersion' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\$(LATEST|LATEST\\.PUBLISHED)|[0-9]+)")
        }
        if description.count > 256 {
            p.append("Value '\(description)' at 'description' failed to satisfy constraint: Member must have length less than or equal to 256")
        }
        for (v, w) in (weights ?? [:]).sorted(by: { $0.key < $1.key }) {
            if w < 0 || w > 1 {
                p.append("Value '\(w)' at 'routingConfig.additionalVersionWeights.\(v)' failed to satisfy constraint: Member must have value \(w < 0 ? "greater than or equal to 0.0" : "less than or equal to 1.0")")
            }
        }
        if !p.isEmpty { throw LambdaErrors.validation(p) }
    }

    func checkAliasTargets(_ function: String, version: String, weights: [String: Double]?, _ tx: Transaction) throws(AWSError) {
        if version != "$LATEST", tx.get(LambdaVersion.self, LambdaVersion.id(function, Int(version) ?? -1)) == nil {
            throw LambdaErrors.functionNotFound(json.functionArn(function, qualifier: version))
        }
        guard let weights, !weights.isEmpty else { return }
        if weights.count > 1 {
            throw LambdaErrors.invalidParameter("Number of items in AdditionalVersionWeights cannot be greater than 1")
        }
        for extra in weights.keys {
            if version == "$LATEST" || extra == "$LATEST" {
                throw LambdaErrors.invalidParameter("$LATEST is not supported for an alias pointing to more than 1 version")
            }
            if extra == version {
                throw LambdaErrors.invalidParameter("Invalid function version \(extra). Function version \(extra) is already included in routing configuration.")
            }
            if tx.get(LambdaVersion.self, LambdaVersion.id(function, Int(extra) ?? -1)) == nil {
                throw LambdaErrors.functionNotFound(json.functionArn(function, qualifier: extra))
            }
        }
    }
}
