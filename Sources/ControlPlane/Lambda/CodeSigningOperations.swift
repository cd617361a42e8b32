import AWSWire

extension LambdaService {
    /// GetFunctionCodeSigningConfig: no function here has a code signing configuration, which Lambda answers with
    /// an empty `CodeSigningConfigArn` (Terraform reads it on every refresh of a function).
    func getFunctionCodeSigningConfig(_ name: String, _ ctx: RequestContext) throws -> WireResponse {
        let ref = try reference(name)
        guard store.snapshot().lambdaFunctions[ref.name] != nil else { throw LambdaErrors.functionNotFound(json.functionArn(ref.name)) }
        return respond(200, ctx) { w in
            w.beginObject()
            w.member("CodeSigningConfigArn", "")
            w.member("FunctionName", ref.name)
            w.endObject()
        }
    }
}
