import AWSWire
import CloudModel
import Foundation

extension LambdaService {
    /// AWS's defaults for an Event invocation without an EventInvokeConfig.
    static let defaultMaximumRetryAttempts = 2
    static let defaultMaximumEventAgeSeconds = 21_600

    /// The settings that apply to an Event invocation of `function` as invoked with `qualifier`.
    func eventSettings(_ s: CloudState, function: String, qualifier: String?) -> (retries: Int, maxAge: Int) {
        let c = s.eventInvokeConfigs[LambdaEventInvokeConfig.id(function, qualifier ?? "$LATEST")]
        return (c?.maximumRetryAttempts ?? Self.defaultMaximumRetryAttempts,
                c?.maximumEventAgeInSeconds ?? Self.defaultMaximumEventAgeSeconds)
    }

    /// PutFunctionEventInvokeConfig (`replace`: unset members go back to the defaults) and UpdateFunctionEventInvokeConfig
    /// (unset members are kept).
    func putEventInvokeConfig(_ name: String, _ q: LambdaQuery, _ b: JSONBody, replace: Bool, _ ctx: RequestContext) throws -> WireResponse {
        let ref = try reference(name, namespaced: true)
        let qual = try qualifier(ref, q) ?? "$LATEST"
        var problems: [String] = []
        let retries = try b.int("MaximumRetryAttempts")
        if let r = retries, !(0...2).contains(r) {
            problems.append("Value '\(r)' at 'maximumRetryAttempts' failed to satisfy constraint: Member must have value " + (r < 0 ? "greater than or equal to 0" : "less than or equal to 2"))
        }
        let age = try b.int("MaximumEventAgeInSeconds")
        if let a = age, !(60...21_600).contains(a) {
            problems.append("Value '\(a)' at 'maximumEventAgeInSeconds' failed to satisfy constraint: Member must have value " + (a < 60 ? "greater than or equal to 60" : "less than or equal to 21600"))
        }
        if !problems.isEmpty { throw LambdaErrors.validation(problems) }
        let destination = b.object["DestinationConfig"].flatMap { ($0 is NSNull) ? nil : try? JSONSerialization.data(withJSONObject: $0) }
        let saved: LambdaEventInvokeConfig = try store.write { tx in
            _ = try resolve(ref, qualifier: qual, in: tx.state)
            let id = LambdaEventInvokeConfig.id(ref.name, qual)
            var c = tx.get(LambdaEventInvokeConfig.self, id)
            if c == nil || replace {
                c = LambdaEventInvokeConfig(functionName: ref.name, qualifier: qual, maximumRetryAttempts: retries,
                                            maximumEventAgeInSeconds: age, destinationConfigJSON: destination, lastModified: tx.now)
            } else {
                if let retries { c?.maximumRetryAttempts = retries }
                if let age { c?.maximumEventAgeInSeconds = age }
                if let destination { c?.destinationConfigJSON = destination }
                c?.lastModified = tx.now
            }
            tx.put(c!)
            return c!
        }
        return respond(200, ctx) { writeEventInvokeConfig(&$0, saved) }
    }

    func getEventInvokeConfig(_ name: String, _ q: LambdaQuery, _ ctx: RequestContext) throws -> WireResponse {
        let ref = try reference(name, namespaced: true)
        let qual = try qualifier(ref, q) ?? "$LATEST"
        let s = store.snapshot()
        _ = try resolve(ref, qualifier: qual, in: s)
        guard let c = s.eventInvokeConfigs[LambdaEventInvokeConfig.id(ref.name, qual)] else {
            throw LambdaErrors.noEventInvokeConfig(json.functionArn(ref.name, qualifier: qual))
        }
        return respond(200, ctx) { writeEventInvokeConfig(&$0, c) }
    }

    func deleteEventInvokeConfig(_ name: String, _ q: LambdaQuery, _ ctx: RequestContext) throws -> WireResponse {
        let ref = try reference(name, namespaced: true)
        let qual = try qualifier(ref, q) ?? "$LATEST"
        try store.write { tx in
            _ = try resolve(ref, qualifier: qual, in: tx.state)
            let id = LambdaEventInvokeConfig.id(ref.name, qual)
            guard tx.get(LambdaEventInvokeConfig.self, id) != nil else {
                throw LambdaErrors.noEventInvokeConfig(json.functionArn(ref.name, qualifier: qual))
            }
            tx.delete(LambdaEventInvokeConfig.self, id)
        }
        return empty(204, ctx)
    }

    private func writeEventInvokeConfig(_ w: inout JSONWriter, _ c: LambdaEventInvokeConfig) {
        w.beginObject()
        w.key("LastModified"); w.double(c.lastModified.timeIntervalSince1970)
        w.member("FunctionArn", json.functionArn(c.functionName, qualifier: c.qualifier))
        w.member("MaximumRetryAttempts", c.maximumRetryAttempts)
        w.member("MaximumEventAgeInSeconds", c.maximumEventAgeInSeconds)
        w.key("DestinationConfig")
        w.raw(Array(c.destinationConfigJSON ?? Data("{\"OnSuccess\":{},\"OnFailure\":{}}".utf8)))
        w.endObject()
    }
}
