import AWSWire
import CloudModel
import Foundation

extension LambdaService {
    func publishVersion(_ name: String, _ b: JSONBody, _ ctx: RequestContext) throws -> WireResponse {
        let ref = try reference(name)
        let sha = try b.string("CodeSha256")
        let description = try b.string("Description")
        if let d = description, d.count > 256 {
            throw LambdaErrors.validation(["Value '\(d)' at 'description' failed to satisfy constraint: Member must have length less than or equal to 256"])
        }
        let revision = try b.string("RevisionId")
        let config = try store.write { tx -> FunctionConfig in
            guard var f = tx.get(LambdaFunction.self, ref.name) else { throw LambdaErrors.functionNotFound(json.functionArn(ref.name)) }
            try checkRevision(revision, f.latest.revisionId)
            try FunctionStateMachine.check(.publishVersion, f.latest.status, arn: json.functionArn(ref.name))
            if let sha, sha != f.latest.codeSha256 { throw LambdaErrors.codeShaMismatch(given: sha, latest: f.latest.codeSha256) }
            // Publishing an unchanged $LATEST returns the last version instead of a new one.
            if f.lastPublishedVersion > 0, let last = tx.get(LambdaVersion.self, LambdaVersion.id(ref.name, f.lastPublishedVersion)),
               last.config.sameSettings(as: f.latest), description == nil || description == last.config.description {
                return last.config
            }
            let n = f.lastPublishedVersion + 1
            // A version whose ENIs already exist is Active at once; otherwise it waits like a new function.
            let keys = f.latest.vpcConfig?.hyperplaneKeys ?? []
            let ready = keys.allSatisfy { tx.get(HyperplaneENIAllocation.self, $0.id)?.networkInterfaceId != nil }
            let v = Self.versionConfig(from: f.latest, number: n, description: description, now: tx.now, ready: ready)
            f.lastPublishedVersion = n
            tx.put(LambdaVersion(functionName: ref.name, number: n, config: v))
            tx.put(f)
            return v
        }
        return respond(201, ctx) { writeConfiguration(&$0, config, qualifier: config.version) }
    }

    func listVersions(_ name: String, _ q: LambdaQuery, _ ctx: RequestContext) throws -> WireResponse {
        let ref = try reference(name)
        let (marker, maxItems) = try Self.paging(q)
        let s = store.snapshot()
        guard let f = s.lambdaFunctions[ref.name] else { throw LambdaErrors.functionNotFound(json.functionArn(ref.name)) }
        let versions = s.lambdaVersions.values.filter { $0.functionName == ref.name }.sorted { $0.number < $1.number }
        let all = [f.latest] + versions.map(\.config)
        let (page, next) = Self.page(all, marker: marker, maxItems: maxItems)
        return respond(200, ctx) { w in
            w.beginObject()
            w.member("NextMarker", next)
            w.key("Versions"); w.beginArray()
            for c in page { writeConfiguration(&w, c, qualifier: c.version) }
            w.endArray()
            w.endObject()
        }
    }
}
