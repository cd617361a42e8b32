import AWSWire
import CloudModel
import Foundation

extension LambdaService {
    /// Tags belong to the unqualified function; the resource is its ARN.
    func taggedFunction(_ resource: String) throws(AWSError) -> String {
        guard resource.hasPrefix("arn:") else {
            throw LambdaErrors.validation(["Value '\(resource)' at 'resource' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*):lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:(function:[a-zA-Z0-9-_]+(:(\\$LATEST|[a-zA-Z0-9-_]+))?|layer:([a-zA-Z0-9-_]+)|code-signing-config:csc-[a-z0-9]{17}|event-source-mapping:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|capacity-provider:[a-zA-Z0-9-_]+)"])
        }
        let ref = try reference(resource)
        if ref.qualifier != nil {
            throw LambdaErrors.invalidParameter("Tags on function aliases and versions are not supported. Please specify a function ARN.")
        }
        return ref.name
    }

    func tagResource(_ resource: String, _ b: JSONBody, _ ctx: RequestContext) throws -> WireResponse {
        let name = try taggedFunction(resource)
        let tags = try b.stringMap("Tags") ?? [:]
        try ctx.authorize("lambda:TagResource", resource) { c in
            c.setRequestTags(tags.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        }
        try store.write { tx in
            guard tx.get(LambdaFunction.self, name) != nil else { throw LambdaErrors.functionNotFound(json.functionArn(name)) }
            tx.update(LambdaFunction.self, name) { f in for (k, v) in tags { f.tags[k] = v } }
        }
        return empty(204, ctx)
    }

    func untagResource(_ resource: String, _ q: LambdaQuery, _ ctx: RequestContext) throws -> WireResponse {
        let name = try taggedFunction(resource)
        let keys = q.all("tagKeys")
        try store.write { tx in
            guard tx.get(LambdaFunction.self, name) != nil else { throw LambdaErrors.functionNotFound(json.functionArn(name)) }
            tx.update(LambdaFunction.self, name) { f in for k in keys { f.tags[k] = nil } }
        }
        return empty(204, ctx)
    }

    func listTags(_ resource: String, _ ctx: RequestContext) throws -> WireResponse {
        let name = try taggedFunction(resource)
        guard let f = store.snapshot().lambdaFunctions[name] else { throw LambdaErrors.functionNotFound(json.functionArn(name)) }
        return respond(200, ctx) { w in w.beginObject(); w.member("Tags", map: f.tags); w.endObject() }
    }

    func accountSettings(_ ctx: RequestContext) -> WireResponse {
        let s = store.snapshot()
        // Code is counted once per stored version, as Lambda's TotalCodeSize counts every version's package.
        let total = s.lambdaFunctions.values.reduce(0) { $0 + $1.latest.codeSize }
            + s.lambdaVersions.values.reduce(0) { $0 + $1.config.codeSize }
        return respond(200, ctx) { w in
            w.beginObject()
            w.object("AccountLimit") { w in
                w.member("TotalCodeSize", 80_530_636_800)
                w.member("CodeSizeUnzipped", 262_144_000)
                w.member("CodeSizeZipped", 52_428_800)
                w.member("ConcurrentExecutions", timings.concurrencyLimit)
                w.member("UnreservedConcurrentExecutions", unreservedConcurrency(s))
            }
            w.object("AccountUsage") { w in
                w.member("TotalCodeSize", total)
                w.member("FunctionCount", s.lambdaFunctions.count)
            }
            w.endObject()
        }
    }
}
