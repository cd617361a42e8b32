import AWSWire
import CloudModel
import Foundation

extension LambdaService {
    static let updateRuntimeOnValues = ["Auto", "Manual", "FunctionUpdate"]

    /// GetRuntimeManagementConfig: `Auto` until set; RuntimeVersionArn only in `Manual` mode, as Lambda answers.
    func getRuntimeManagementConfig(_ name: String, _ q: LambdaQuery, _ ctx: RequestContext) throws -> WireResponse {
        let ref = try reference(name, namespaced: true)
        let qual = try qualifier(ref, q) ?? "$LATEST"
        let s = store.snapshot()
        let r = try resolve(ref, qualifier: qual, in: s)
        let setting = r.function.runtimeManagement?[qual] ?? RuntimeManagementSetting(updateRuntimeOn: "Auto", runtimeVersionArn: nil)
        return respond(200, ctx) { w in
            w.beginObject()
            w.member("UpdateRuntimeOn", setting.updateRuntimeOn)
            w.member("RuntimeVersionArn", setting.runtimeVersionArn)
            w.member("FunctionArn", json.functionArn(ref.name, qualifier: qual))
            w.endObject()
        }
    }

    func putRuntimeManagementConfig(_ name: String, _ q: LambdaQuery, _ b: JSONBody, _ ctx: RequestContext) throws -> WireResponse {
        let ref = try reference(name, namespaced: true)
        let qual = try qualifier(ref, q) ?? "$LATEST"
        let mode = try b.string("UpdateRuntimeOn")
        let versionArn = try b.string("RuntimeVersionArn")
        var problems: [String] = []
        if let mode, !Self.updateRuntimeOnValues.contains(mode) {
            problems.append("Value '\(mode)' at 'updateRuntimeOn' failed to satisfy constraint: Member must satisfy enum value set: [Auto, Manual, FunctionUpdate]")
        } else if mode == nil {
            problems.append("Value null at 'updateRuntimeOn' failed to satisfy constraint: Member must not be null")
        }
        let arnPattern = "arn:(aws[a-zA-Z-]*):lambda:[a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\\d{1}::runtime:.+"
        if let v = versionArn, v.range(of: "^(?:\(arnPattern))$", options: .regularExpression) == nil {
            problems.append("Value '\(v)' at 'runtimeVersionArn' failed to satisfy constraint: Member must satisfy regular expression pattern: \(arnPattern)")
        }
        if !problems.isEmpty { throw LambdaErrors.validation(problems) }
        guard let mode else { throw LambdaErrors.validation(problems) }
        // (unconfirmed wording of both)
        if mode == "Manual" && versionArn == nil {
            throw LambdaErrors.invalidParameter("A RuntimeVersionArn is required when UpdateRuntimeOn is Manual.")
        }
        if mode != "Manual" && versionArn != nil {
            throw LambdaErrors.invalidParameter("A RuntimeVersionArn can only be specified when UpdateRuntimeOn is Manual.")
        }
        let setting = RuntimeManagementSetting(updateRuntimeOn: mode, runtimeVersionArn: versionArn)
        try store.write { tx in
            _ = try resolve(ref, qualifier: qual, in: tx.state)
            tx.update(LambdaFunction.self, ref.name) { f in
                var all = f.runtimeManagement ?? [:]
                all[qual] = mode == "Auto" ? nil : setting
                f.runtimeManagement = all.isEmpty ? nil : all
            }
        }
        return respond(200, ctx) { w in
            w.beginObject()
            w.member("UpdateRuntimeOn", setting.updateRuntimeOn)
            w.member("FunctionArn", json.functionArn(ref.name, qualifier: qual))
            w.member("RuntimeVersionArn", setting.runtimeVersionArn)
            w.endObject()
        }
    }

    /// GetFunctionRecursionConfig: `Terminate` (Lambda's default) unless set to `Allow`.
    func getRecursionConfig(_ name: String, _ ctx: RequestContext) throws -> WireResponse {
        let ref = try reference(name)
        guard let f = store.snapshot().lambdaFunctions[ref.name] else { throw LambdaErrors.functionNotFound(json.functionArn(ref.name)) }
        return respond(200, ctx) { w in w.beginObject(); w.member("RecursiveLoop", f.recursiveLoop ?? "Terminate"); w.endObject() }
    }

    func putRecursionConfig(_ name: String, _ b: JSONBody, _ ctx: RequestContext) throws -> WireResponse {
        let ref = try reference(name)
        guard let loop = try b.string("RecursiveLoop") else {
            throw LambdaErrors.validation(["Value null at 'recursiveLoop' failed to satisfy constraint: Member must not be null"])
        }
        guard loop == "Allow" || loop == "Terminate" else {
            throw LambdaErrors.validation(["Value '\(loop)' at 'recursiveLoop' failed to satisfy constraint: Member must satisfy enum value set: [Allow, Terminate]"])
        }
        try store.write { tx in
            guard tx.update(LambdaFunction.self, ref.name, { $0.recursiveLoop = loop == "Terminate" ? nil : loop }) else {
                throw LambdaErrors.functionNotFound(json.functionArn(ref.name))
            }
        }
        return respond(200, ctx) { w in w.beginObject(); w.member("RecursiveLoop", loop); w.endObject() }
    }
}
