import AWSWire
import CloudModel
import Foundation

extension LambdaService {
    /// CreateFunctionUrlConfig: one URL per function or alias, with a fresh 32-character id.
    func createFunctionUrl(_ name: String, _ q: LambdaQuery, _ b: JSONBody, host: String?, _ ctx: RequestContext) throws -> WireResponse {
        let ref = try reference(name)
        let qual = try urlQualifier(ref, q)
        let input = try Self.urlInput(b, requireAuthType: true)
        let saved = try store.write { tx -> LambdaFunctionUrlConfig in
            _ = try resolve(ref, qualifier: qual, in: tx.state)
            if tx.get(LambdaFunctionUrlConfig.self, LambdaFunctionUrlConfig.id(ref.name, qual)) != nil {
                throw LambdaErrors.conflict("Failed to create function url config for [functionArn = \(json.functionArn(ref.name, qualifier: qual))]. Error message:  FunctionUrlConfig exists for this Lambda function")
            }
            let taken = Set(tx.all(LambdaFunctionUrlConfig.self).map(\.urlId))
            var id = Self.newUrlId()
            while taken.contains(id) { id = Self.newUrlId() }
            let c = LambdaFunctionUrlConfig(functionName: ref.name, qualifier: qual, urlId: id, authType: input.authType ?? "NONE",
                                            cors: input.cors, invokeMode: input.invokeMode ?? "BUFFERED",
                                            creationTime: tx.now, lastModifiedTime: tx.now)
            tx.put(c)
            return c
        }
        return respond(201, ctx) { writeUrlConfig(&$0, saved, lastModified: false, host: host) }
    }

    func getFunctionUrl(_ name: String, _ q: LambdaQuery, host: String?, _ ctx: RequestContext) throws -> WireResponse {
        let ref = try reference(name)
        let qual = try urlQualifier(ref, q)
        let s = store.snapshot()
        _ = try resolve(ref, qualifier: qual, in: s)
        guard let c = s.functionUrls[LambdaFunctionUrlConfig.id(ref.name, qual)] else { throw LambdaErrors.functionUrlNotFound }
        return respond(200, ctx) { writeUrlConfig(&$0, c, lastModified: true, host: host) }
    }

    /// UpdateFunctionUrlConfig: the members given replace the stored ones (a given `Cors` replaces the whole object).
    func updateFunctionUrl(_ name: String, _ q: LambdaQuery, _ b: JSONBody, host: String?, _ ctx: RequestContext) throws -> WireResponse {
        let ref = try reference(name)
        let qual = try urlQualifier(ref, q)
        let input = try Self.urlInput(b, requireAuthType: false)
        let saved = try store.write { tx -> LambdaFunctionUrlConfig in
            _ = try resolve(ref, qualifier: qual, in: tx.state)
            guard var c = tx.get(LambdaFunctionUrlConfig.self, LambdaFunctionUrlConfig.id(ref.name, qual)) else {
                throw LambdaErrors.functionUrlNotFound
            }
            if let a = input.authType { c.authType = a }
            if b.has("Cors") { c.cors = input.cors }
            if let m = input.invokeMode { c.invokeMode = m }
            c.lastModifiedTime = tx.now
            tx.put(c)
            return c
        }
        return respond(200, ctx) { writeUrlConfig(&$0, saved, lastModified: true, host: host) }
    }

    func deleteFunctionUrl(_ name: String, _ q: LambdaQuery, _ ctx: RequestContext) throws -> WireResponse {
        let ref = try reference(name)
        let qual = try urlQualifier(ref, q)
        try store.write { tx in
            _ = try resolve(ref, qualifier: qual, in: tx.state)
            let id = LambdaFunctionUrlConfig.id(ref.name, qual)
            guard tx.get(LambdaFunctionUrlConfig.self, id) != nil else { throw LambdaErrors.functionUrlNotFound }
            tx.delete(LambdaFunctionUrlConfig.self, id)
        }
        return empty(204, ctx)
    }

    func listFunctionUrls(_ name: String, _ q: LambdaQuery, host: String?, _ ctx: RequestContext) throws -> WireResponse {
        let ref = try reference(name)
        let (marker, maxItems) = try Self.paging(q, limit: 50)
        let s = store.snapshot()
        guard s.lambdaFunctions[ref.name] != nil else { throw LambdaErrors.functionNotFound(json.functionArn(ref.name)) }
        let all = s.functionUrls.values.filter { $0.functionName == ref.name }.sorted { ($0.qualifier ?? "") < ($1.qualifier ?? "") }
        let (page, next) = Self.page(all, marker: marker, maxItems: maxItems)
        return respond(200, ctx) { w in
            w.beginObject()
            w.key("FunctionUrlConfigs"); w.beginArray()
            for c in page { writeUrlConfig(&w, c, lastModified: true, host: host) }
            w.endArray()
            w.member("NextMarker", next)
            w.endObject()
        }
    }

    /// The URL's configuration by its id (the host's first label), for an HTTP request to the URL.
    public func functionUrl(id: String) -> LambdaFunctionUrlConfig? {
        guard id.utf8.count == 32 else { return nil }
        return store.snapshot().functionUrls.values.first { $0.urlId == id }
    }

    /// `https://<id>.lambda-url.<region>.on.aws/`, as AWS names it.
    func awsFunctionUrl(_ c: LambdaFunctionUrlConfig) -> String { "https://\(c.urlId).lambda-url.\(region).on.aws/" }

    /// The optional `Qualifier`: an alias name only (the model's pattern refuses `$LATEST` and version numbers).
    private func urlQualifier(_ ref: FunctionReference, _ q: LambdaQuery) throws(AWSError) -> String? {
        guard let qual = try qualifier(ref, q) else { return nil }
        let pattern = "((?!^\\d+$)^[0-9a-zA-Z-_]+$)"
        if qual.count > 128 || qual.range(of: pattern, options: .regularExpression) == nil {
            throw LambdaErrors.validation(["Value '\(qual)' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: \(pattern)"])
        }
        return qual
    }

    private struct UrlInput {
        var authType: String?
        var cors: LambdaUrlCors?
        var invokeMode: String?
    }

    /// The body's AuthType, Cors and InvokeMode checked against the model's constraints, every problem in one
    /// ValidationException as Lambda reports them.
    private static func urlInput(_ b: JSONBody, requireAuthType: Bool) throws(AWSError) -> UrlInput {
        var problems: [String] = []
        let auth = try b.string("AuthType")
        if let auth, auth != "NONE", auth != "AWS_IAM" {
            problems.append("Value '\(auth)' at 'authType' failed to satisfy constraint: Member must satisfy enum value set: [AWS_IAM, NONE]")
        } else if auth == nil && requireAuthType {
            problems.append("Value null at 'authType' failed to satisfy constraint: Member must not be null")
        }
        let mode = try b.string("InvokeMode")
        if let mode, mode != "BUFFERED", mode != "RESPONSE_STREAM" {
            problems.append("Value '\(mode)' at 'invokeMode' failed to satisfy constraint: Member must satisfy enum value set: [BUFFERED, RESPONSE_STREAM]")
        }
        var cors: LambdaUrlCors?
        if let c = try b.object("Cors") {
            let v = LambdaUrlCors(allowCredentials: try c.bool("AllowCredentials"), allowHeaders: try c.stringList("AllowHeaders"),
                                  allowMethods: try c.stringList("AllowMethods"), allowOrigins: try c.stringList("AllowOrigins"),
                                  exposeHeaders: try c.stringList("ExposeHeaders"), maxAge: try c.int("MaxAge"))
            func list(_ l: [String]?, _ member: String, maxCount: Int, maxLength: Int, minLength: Int = 0) {
                guard let l else { return }
                if l.count > maxCount {
                    problems.append("Value '\(l)' at 'cors.\(member)' failed to satisfy constraint: Member must have length less than or equal to \(maxCount)")
                }
                for item in l where item.count > maxLength || item.count < minLength {
                    let bound = item.count > maxLength ? "less than or equal to \(maxLength)" : "greater than or equal to \(minLength)"
                    problems.append("Value '\(item)' at 'cors.\(member).member' failed to satisfy constraint: Member must have length \(bound)")
                }
            }
            list(v.allowMethods, "allowMethods", maxCount: 6, maxLength: 6)
            list(v.allowOrigins, "allowOrigins", maxCount: 100, maxLength: 253, minLength: 1)
            list(v.allowHeaders, "allowHeaders", maxCount: 100, maxLength: 1024)
            list(v.exposeHeaders, "exposeHeaders", maxCount: 100, maxLength: 1024)
            if let age = v.maxAge, !(0...86400).contains(age) {
                problems.append("Value '\(age)' at 'cors.maxAge' failed to satisfy constraint: Member must have value \(age < 0 ? "greater than or equal to 0" : "less than or equal to 86400")")
            }
            cors = v
        }
        if !problems.isEmpty { throw LambdaErrors.validation(problems) }
        return UrlInput(authType: auth, cors: cors, invokeMode: mode)
    }

    /// AWS's members, plus `LocalFunctionUrl`: where this server answers the URL on the endpoint the request came to
    /// (botocore drops the member; raw HTTP and `--debug` show it).
    private func writeUrlConfig(_ w: inout JSONWriter, _ c: LambdaFunctionUrlConfig, lastModified: Bool, host: String?) {
        w.beginObject()
        w.member("FunctionUrl", awsFunctionUrl(c))
        if let host { w.member("LocalFunctionUrl", "http://\(host)/_lambda-vpc/url/\(c.urlId)/") }
        w.member("FunctionArn", json.functionArn(c.functionName, qualifier: c.qualifier))
        w.member("AuthType", c.authType)
        if let cors = c.cors {
            w.key("Cors"); w.beginObject()
            w.member("AllowCredentials", cors.allowCredentials)
            if let h = cors.allowHeaders { w.member("AllowHeaders", strings: h) }
            if let m = cors.allowMethods { w.member("AllowMethods", strings: m) }
            if let o = cors.allowOrigins { w.member("AllowOrigins", strings: o) }
            if let e = cors.exposeHeaders { w.member("ExposeHeaders", strings: e) }
            w.member("MaxAge", cors.maxAge)
            w.endObject()
        }
        w.member("CreationTime", Self.urlTime(c.creationTime))
        if lastModified { w.member("LastModifiedTime", Self.urlTime(c.lastModifiedTime)) }
        w.member("InvokeMode", c.invokeMode)
        w.endObject()
    }

    /// `2021-10-29T18:55:36.105Z` (ISO-8601 as the model documents; AWS shows microseconds).
    static func urlTime(_ d: Date) -> String { CivilTime.isoMilliseconds(d) + "Z" }

    static func newUrlId() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return String((0..<32).map { _ in alphabet.randomElement()! })
    }
}
