import AWSWire
import CloudModel
import Foundation

extension LambdaService {
    /// PutProvisionedConcurrencyConfig: answers IN_PROGRESS, as Lambda does; the configuration reads READY
    /// `LambdaTimings.provisionedConcurrencyDelay` later (no environments are kept warm for it).
    func putProvisionedConcurrency(_ name: String, _ q: LambdaQuery, _ b: JSONBody, _ ctx: RequestContext) throws -> WireResponse {
        let ref = try reference(name)
        let qual = try provisionedQualifier(ref, q)
        guard let n = try b.int("ProvisionedConcurrentExecutions") else {
            throw LambdaErrors.validation(["Value null at 'provisionedConcurrentExecutions' failed to satisfy constraint: Member must not be null"])
        }
        guard n >= 1 else {
            throw LambdaErrors.validation(["Value '\(n)' at 'provisionedConcurrentExecutions' failed to satisfy constraint: Member must have value greater than or equal to 1"])
        }
        let delay = timings.provisionedConcurrencyDelay
        let saved = try store.write { tx -> LambdaProvisionedConcurrency in
            let r = try resolve(ref, qualifier: qual, in: tx.state)
            if r.versionRecordId == nil { throw LambdaErrors.provisionedOnUnpublished }
            let others = tx.all(LambdaProvisionedConcurrency.self)
                .filter { $0.functionName == ref.name && $0.qualifier != qual }.reduce(0) { $0 + $1.requested }
            if let reserved = r.function.reservedConcurrency, others + n > reserved {
                // (unconfirmed wording)
                throw LambdaErrors.invalidParameter("Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for function")
            }
            let c = LambdaProvisionedConcurrency(functionName: ref.name, qualifier: qual, requested: n, lastModified: tx.now,
                                                 readyAt: tx.now.addingTimeInterval(delay))
            tx.put(c)
            return c
        }
        return respond(202, ctx) { writeProvisioned(&$0, saved, now: saved.lastModified, arn: false) }
    }

    func getProvisionedConcurrency(_ name: String, _ q: LambdaQuery, _ ctx: RequestContext) throws -> WireResponse {
        let ref = try reference(name)
        let qual = try provisionedQualifier(ref, q)
        let s = store.snapshot()
        _ = try resolve(ref, qualifier: qual, in: s)
        guard let c = s.provisionedConcurrency[LambdaProvisionedConcurrency.id(ref.name, qual)] else {
            throw LambdaErrors.provisionedConfigNotFound
        }
        let now = store.now
        return respond(200, ctx) { writeProvisioned(&$0, c, now: now, arn: false) }
    }

    func listProvisionedConcurrency(_ name: String, _ q: LambdaQuery, _ ctx: RequestContext) throws -> WireResponse {
        let ref = try reference(name)
        let (marker, maxItems) = try Self.paging(q, limit: 50)
        let s = store.snapshot()
        guard s.lambdaFunctions[ref.name] != nil else { throw LambdaErrors.functionNotFound(json.functionArn(ref.name)) }
        let all = s.provisionedConcurrency.values.filter { $0.functionName == ref.name }.sorted { $0.qualifier < $1.qualifier }
        let (page, next) = Self.page(all, marker: marker, maxItems: maxItems)
        let now = store.now
        return respond(200, ctx) { w in
            w.beginObject()
            w.key("ProvisionedConcurrencyConfigs"); w.beginArray()
            for c in page { writeProvisioned(&w, c, now: now, arn: true) }
            w.endArray()
            w.member("NextMarker", next)
            w.endObject()
        }
    }

    func deleteProvisionedConcurrency(_ name: String, _ q: LambdaQuery, _ ctx: RequestContext) throws -> WireResponse {
        let ref = try reference(name)
        let qual = try provisionedQualifier(ref, q)
        try store.write { tx in
            _ = try resolve(ref, qualifier: qual, in: tx.state)
            let id = LambdaProvisionedConcurrency.id(ref.name, qual)
            guard tx.get(LambdaProvisionedConcurrency.self, id) != nil else { throw LambdaErrors.provisionedConfigNotFound }
            tx.delete(LambdaProvisionedConcurrency.self, id)
        }
        return empty(204, ctx)
    }

    /// The required `Qualifier`: a version or an alias; `$LATEST` is refused as Lambda refuses it.
    private func provisionedQualifier(_ ref: FunctionReference, _ q: LambdaQuery) throws(AWSError) -> String {
        guard let qual = try qualifier(ref, q) else {
            throw LambdaErrors.validation(["Value null at 'qualifier' failed to satisfy constraint: Member must not be null"])
        }
        if qual == "$LATEST" { throw LambdaErrors.provisionedOnUnpublished }
        return qual
    }

    private func writeProvisioned(_ w: inout JSONWriter, _ c: LambdaProvisionedConcurrency, now: Date, arn: Bool) {
        let ready = now >= c.readyAt
        w.beginObject()
        if arn { w.member("FunctionArn", json.functionArn(c.functionName, qualifier: c.qualifier)) }
        w.member("RequestedProvisionedConcurrentExecutions", c.requested)
        w.member("AvailableProvisionedConcurrentExecutions", ready ? c.requested : 0)
        w.member("AllocatedProvisionedConcurrentExecutions", ready ? c.requested : 0)
        w.member("Status", ready ? "READY" : "IN_PROGRESS")
        w.member("LastModified", LambdaJSON.lastModified(c.lastModified))
        w.endObject()
    }
}
