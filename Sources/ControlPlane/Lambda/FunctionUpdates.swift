import AWSWire
import CloudModel
import Foundation

extension LambdaService {
    func updateConfiguration(_ name: String, _ b: JSONBody, _ ctx: RequestContext) throws -> WireResponse {
        var problems: [String] = []
        let ref = try reference(name)
        let settings = try FunctionSettings.read(b, problems: &problems)
        if !problems.isEmpty { throw LambdaErrors.validation(problems) }
        try settings.checkParameters()
        let config = try store.write { tx -> FunctionConfig in
            guard var f = tx.get(LambdaFunction.self, ref.name) else { throw LambdaErrors.functionNotFound(json.functionArn(ref.name)) }
            try checkRevision(settings.revisionId, f.latest.revisionId)
            try FunctionStateMachine.check(.updateConfiguration, f.latest.status, arn: json.functionArn(ref.name))
            var c = f.latest
            if let v = settings.vpc {
                c.vpcConfig = try VpcConfigValidator.resolve(subnetIds: v.subnetIds, securityGroupIds: v.securityGroupIds, in: tx.state)
            }
            if let r = settings.runtime { c.runtime = r }
            if let r = settings.role { c.role = r }
            // The VPC keys describe the configuration the function will have: without VpcConfig in the
            // request, its current one (docs/IAM.md).
            try authorizeConfiguration("lambda:UpdateFunctionConfiguration", functionName: ref.name, vpc: c.vpcConfig, tags: [:],
                                       passRole: settings.role.flatMap { $0 == f.latest.role ? nil : $0 }, ctx)
            if settings.role != nil || settings.vpc != nil {
                try checkExecutionRole(c.role, needsVPC: c.vpcConfig?.isAttached == true)
            }
            if let h = settings.handler { c.handler = h }
            if let d = settings.description { c.description = d }
            if let t = settings.timeout { c.timeout = t }
            if let m = settings.memorySize { c.memorySize = m }
            if let e = settings.environment { c.environment = e }
            if let a = settings.architectures { c.architectures = a }
            if let e = settings.ephemeralStorageSize { c.ephemeralStorageSize = e }
            if let arns = settings.layers {
                c.layers = arns.isEmpty ? nil : try resolveLayers(arns, in: tx.state)
                try checkCombinedSize(codeUnzipped: storedUnzippedSize(c.codeHex), layers: c.layers)
            }
            if let l = settings.logging { c.loggingConfig = try l.applied(to: c.loggingConfig) }
            if let t = settings.tracingMode { c.tracingMode = t }
            if let d = settings.deadLetterTargetArn { c.deadLetterTargetArn = d.isEmpty ? nil : d }
            c.lastModified = tx.now
            c.revisionId = newRevisionId()
            if let s = FunctionStateMachine.transition(c.status, .updateStarted) { c.status = s }
            f.latest = c
            tx.put(f)
            return c
        }
        return respond(200, ctx) { writeConfiguration(&$0, config, qualifier: nil) }
    }

    func updateCode(_ name: String, _ b: JSONBody, _ ctx: RequestContext) throws -> WireResponse {
        let ref = try reference(name)
        var problems: [String] = []
        if let arch = try b.stringList("Architectures") {
            if arch.count != 1 || !["x86_64", "arm64"].contains(arch[0]) {
                problems.append("Value '[\(arch.joined(separator: ", "))]' at 'architectures' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64]]")
            }
        }
        if !problems.isEmpty { throw LambdaErrors.validation(problems) }
        guard let (zip, digest) = try readCode(b, ctx) else { throw LambdaErrors.codeSourceRequired }
        let publish = try b.bool("Publish") ?? false
        let dryRun = try b.bool("DryRun") ?? false
        let revision = try b.string("RevisionId")
        let architectures = try b.stringList("Architectures")
        if dryRun {
            let s = store.snapshot()
            guard var c = s.lambdaFunctions[ref.name]?.latest else { throw LambdaErrors.functionNotFound(json.functionArn(ref.name)) }
            try checkRevision(revision, c.revisionId)
            c.codeSha256 = digest.base64; c.codeHex = digest.hex; c.codeSize = digest.size
            return respond(200, ctx) { json.configuration(&$0, c, qualifier: nil) }
        }
        let codeUnzipped = ZipArchive.declaredUnzippedSize(zip).map { Int($0) } ?? zip.count
        try storeCode(zip, digest)
        defer { codeStore.release(sha256Hex: digest.hex) }
        let (config, version) = try store.write { tx -> (FunctionConfig, FunctionConfig?) in
            guard var f = tx.get(LambdaFunction.self, ref.name) else { throw LambdaErrors.functionNotFound(json.functionArn(ref.name)) }
            try checkRevision(revision, f.latest.revisionId)
            try FunctionStateMachine.check(.updateCode, f.latest.status, arn: json.functionArn(ref.name))
            var c = f.latest
            try checkCombinedSize(codeUnzipped: codeUnzipped, layers: c.layers)
            c.codeSha256 = digest.base64; c.codeHex = digest.hex; c.codeSize = digest.size
            if let a = architectures { c.architectures = a }
            c.lastModified = tx.now
            c.revisionId = newRevisionId()
            if let s = FunctionStateMachine.transition(c.status, .updateStarted) { c.status = s }
            f.latest = c
            var published: FunctionConfig?
            if publish {
                let n = f.lastPublishedVersion + 1
                let v = Self.versionConfig(from: c, number: n, description: nil, now: tx.now, ready: false)
                f.lastPublishedVersion = n
                tx.put(LambdaVersion(functionName: ref.name, number: n, config: v))
                published = v
            }
            tx.put(f)
            return (c, published)
        }
        if let version { return respond(200, ctx) { writeConfiguration(&$0, version, qualifier: version.version) } }
        return respond(200, ctx) { writeConfiguration(&$0, config, qualifier: nil) }
    }
}
