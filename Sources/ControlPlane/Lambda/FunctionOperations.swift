import AWSWire
import CloudModel
import Foundation

extension LambdaService {
    func createFunction(_ b: JSONBody, _ ctx: RequestContext) throws -> WireResponse {
        var problems: [String] = []
        let nameText = try b.string("FunctionName")
        var ref: FunctionReference?
        if let nameText {
            switch FunctionReference.parse(nameText) {
            case .success(let r): ref = r
            case .failure(let e): problems.append(contentsOf: Self.problems(of: e))
            }
        }
        let settings = try FunctionSettings.read(b, problems: &problems)
        if !problems.isEmpty { throw LambdaErrors.validation(problems) }
        guard let ref else { throw LambdaErrors.invalidParameter("FunctionName is required") }
        try settings.checkParameters()
        guard let runtime = settings.runtime, let handler = settings.handler else { throw LambdaErrors.runtimeAndHandlerRequired }
        guard let role = settings.role else { throw LambdaErrors.invalidParameter("Role is required") }
        guard let code = try b.object("Code") else { throw LambdaErrors.codeSourceRequired }
        guard let (zip, digest) = try readCode(code, ctx) else { throw LambdaErrors.codeSourceRequired }
        let publish = try b.bool("Publish") ?? false
        let tags = try b.stringMap("Tags") ?? [:]

        let codeUnzipped = ZipArchive.declaredUnzippedSize(zip).map { Int($0) } ?? zip.count
        try storeCode(zip, digest)
        defer { codeStore.release(sha256Hex: digest.hex) }
        let (config, version) = try store.write { tx -> (FunctionConfig, FunctionConfig?) in
            if tx.get(LambdaFunction.self, ref.name) != nil { throw LambdaErrors.functionExists(ref.name) }
            let vpc = try settings.vpc.map { v throws(AWSError) in
                try VpcConfigValidator.resolve(subnetIds: v.subnetIds, securityGroupIds: v.securityGroupIds, in: tx.state)
            }
            try authorizeConfiguration("lambda:CreateFunction", functionName: ref.name, vpc: vpc, tags: tags, passRole: role, ctx)
            try checkExecutionRole(role, needsVPC: vpc?.isAttached == true)
            let status = FunctionStateMachine.transition(FunctionStatus(state: .pending), .created)!
            var config = FunctionConfig(
                functionName: ref.name, version: "$LATEST", runtime: runtime, role: role, handler: handler,
                description: settings.description ?? "", timeout: settings.timeout ?? 3, memorySize: settings.memorySize ?? 128,
                environment: settings.environment, architectures: settings.architectures ?? ["x86_64"],
                ephemeralStorageSize: settings.ephemeralStorageSize ?? 512, codeSha256: digest.base64, codeHex: digest.hex,
                codeSize: digest.size, vpcConfig: vpc, lastModified: tx.now, revisionId: newRevisionId(), status: status)
            if let arns = settings.layers, !arns.isEmpty {
                config.layers = try resolveLayers(arns, in: tx.state)
                try checkCombinedSize(codeUnzipped: codeUnzipped, layers: config.layers)
            }
            if let l = settings.logging { config.loggingConfig = try l.applied(to: nil) }
            config.tracingMode = settings.tracingMode
            if let d = settings.deadLetterTargetArn, !d.isEmpty { config.deadLetterTargetArn = d }
            var f = LambdaFunction(latest: config, tags: tags, createdAt: tx.now)
            var published: FunctionConfig?
            if publish {
                let v = Self.versionConfig(from: config, number: 1, description: nil, now: tx.now, ready: false)
                f.lastPublishedVersion = 1
                tx.put(LambdaVersion(functionName: ref.name, number: 1, config: v))
                published = v
            }
            tx.put(f)
            return (config, published)
        }
        // With Publish, Lambda answers with the new version's configuration.
        if let version {
            return respond(201, ctx) { writeConfiguration(&$0, version, qualifier: version.version) }
        }
        return respond(201, ctx) { writeConfiguration(&$0, config, qualifier: nil) }
    }

    func getFunction(_ name: String, _ q: LambdaQuery, _ request: WireRequest, _ ctx: RequestContext) throws -> WireResponse {
        let ref = try reference(name, namespaced: true)
        let r = try resolve(ref, qualifier: qualifier(ref, q), in: store.snapshot())
        let host = request.header("host") ?? "127.0.0.1"
        return respond(200, ctx) { w in
            w.beginObject()
            w.key("Configuration")
            writeConfiguration(&w, r.config, qualifier: r.arnQualifier)
            w.object("Code") { w in
                w.member("RepositoryType", "S3")
                w.member("Location", codeURLs.url(host: host, region: region, accountId: accountId, kind: .function,
                                                  name: r.config.functionName, sha256Hex: r.config.codeHex, now: Date()))
            }
            if !r.function.tags.isEmpty { w.member("Tags", map: r.function.tags) }
            if let reserved = r.function.reservedConcurrency {
                w.object("Concurrency") { $0.member("ReservedConcurrentExecutions", reserved) }
            }
            w.endObject()
        }
    }

    func getConfiguration(_ name: String, _ q: LambdaQuery, _ ctx: RequestContext) throws -> WireResponse {
        let ref = try reference(name, namespaced: true)
        let r = try resolve(ref, qualifier: qualifier(ref, q), in: store.snapshot())
        return respond(200, ctx) { writeConfiguration(&$0, r.config, qualifier: r.arnQualifier) }
    }

    func listFunctions(_ q: LambdaQuery, _ ctx: RequestContext) throws -> WireResponse {
        let (marker, maxItems) = try Self.paging(q)
        if let v = q.first("FunctionVersion"), v != "ALL" {
            throw LambdaErrors.validation(["Value '\(v)' at 'functionVersion' failed to satisfy constraint: Member must satisfy enum value set: [ALL]"])
        }
        let all = q.first("FunctionVersion") == "ALL"
        let s = store.snapshot()
        let names = index.sortedNames { s }
        // Markers are opaque to clients; ours is the position in the sorted listing.
        var entries: [(FunctionConfig, String?)] = []
        var position = 0
        let start = marker.flatMap(Int.init) ?? 0
        var nextMarker: String?
        outer: for name in names {
            guard let f = s.lambdaFunctions[name] else { continue }
            var items: [(FunctionConfig, String?)] = [(f.latest, all ? "$LATEST" : nil)]
            if all {
                let versions = s.lambdaVersions.values.filter { $0.functionName == name }.sorted { $0.number < $1.number }
                items += versions.map { ($0.config, $0.config.version) }
            }
            for item in items {
                defer { position += 1 }
                if position < start { continue }
                if entries.count == maxItems { nextMarker = String(position); break outer }
                entries.append(item)
            }
        }
        return respond(200, ctx) { w in
            w.beginObject()
            w.member("NextMarker", nextMarker)
            w.key("Functions"); w.beginArray()
            for (c, qual) in entries { writeConfiguration(&w, c, qualifier: qual) }
            w.endArray()
            w.endObject()
        }
    }

    func deleteFunction(_ name: String, _ q: LambdaQuery, _ ctx: RequestContext) throws -> WireResponse {
        let ref = try reference(name, namespaced: true)
        let qual = try qualifier(ref, q)
        try store.write { tx in
            guard tx.get(LambdaFunction.self, ref.name) != nil else {
                throw LambdaErrors.functionNotFound(json.functionArn(ref.name, qualifier: qual))
            }
            guard let qual else {
                for v in Array(tx.all(LambdaVersion.self)) where v.functionName == ref.name { tx.delete(LambdaVersion.self, v.id) }
                for a in Array(tx.all(LambdaAlias.self)) where a.functionName == ref.name { tx.delete(LambdaAlias.self, a.id) }
                for c in Array(tx.all(LambdaEventInvokeConfig.self)) where c.functionName == ref.name {
                    tx.delete(LambdaEventInvokeConfig.self, c.id)
                }
                for p in Array(tx.all(LambdaResourcePolicy.self)) where p.functionName == ref.name {
                    tx.delete(LambdaResourcePolicy.self, p.id)
                }
                for c in Array(tx.all(LambdaProvisionedConcurrency.self)) where c.functionName == ref.name {
                    tx.delete(LambdaProvisionedConcurrency.self, c.id)
                }
                for u in Array(tx.all(LambdaFunctionUrlConfig.self)) where u.functionName == ref.name {
                    tx.delete(LambdaFunctionUrlConfig.self, u.id)
                }
                tx.delete(LambdaFunction.self, ref.name)
                return
            }
            if qual == "$LATEST" { throw LambdaErrors.cannotDeleteLatest }
            guard let n = Int(qual), String(n) == qual, tx.get(LambdaVersion.self, LambdaVersion.id(ref.name, n)) != nil else {
                throw LambdaErrors.functionNotFound(json.functionArn(ref.name, qualifier: qual))
            }
            let aliases = tx.all(LambdaAlias.self).filter {
                $0.functionName == ref.name && ($0.functionVersion == qual || $0.additionalVersionWeights?[qual] != nil)
            }.map(\.name).sorted()
            if !aliases.isEmpty { throw LambdaErrors.versionHasAliases(aliases) }
            tx.delete(LambdaVersion.self, LambdaVersion.id(ref.name, n))
            tx.delete(LambdaEventInvokeConfig.self, LambdaEventInvokeConfig.id(ref.name, qual))
            Self.deleteQualifierSettings(ref.name, qual, &tx)
        }
        if qual == nil { activity.forget(ref.name) }
        return empty(204, ctx)
    }

    // MARK: shared

    /// What belongs to a version or alias that goes with it: its resource policy, provisioned concurrency, function
    /// URL and runtime management setting.
    static func deleteQualifierSettings(_ function: String, _ qualifier: String, _ tx: inout Transaction) {
        tx.delete(LambdaResourcePolicy.self, LambdaResourcePolicy.id(function, qualifier))
        tx.delete(LambdaFunctionUrlConfig.self, LambdaFunctionUrlConfig.id(function, qualifier))
        tx.delete(LambdaProvisionedConcurrency.self, LambdaProvisionedConcurrency.id(function, qualifier))
        if tx.get(LambdaFunction.self, function)?.runtimeManagement?[qualifier] != nil {
            tx.update(LambdaFunction.self, function) { f in
                f.runtimeManagement?[qualifier] = nil
                if f.runtimeManagement?.isEmpty == true { f.runtimeManagement = nil }
            }
        }
    }

    /// The problem texts inside a ValidationException, to merge with others into one.
    static func problems(of e: AWSError) -> [String] {
        guard let colon = e.message.range(of: "detected: ") else { return [e.message] }
        return e.message[colon.upperBound...].components(separatedBy: "; ")
    }

    /// Marker and MaxItems (1...10000, default 50).
    /// `?Marker=` and `?MaxItems=` (default 50, at most `limit` as the operation's model says), with Lambda's errors.
    static func paging(_ q: LambdaQuery, limit: Int = 10000) throws(AWSError) -> (String?, Int) {
        var maxItems = 50
        if let m = q.first("MaxItems") {
            guard let v = Int(m) else { throw LambdaErrors.unparsableBody("Cannot deserialize value of type `java.lang.Integer` from String \"\(m)\"") }
            if v < 1 || v > limit {
                throw LambdaErrors.validation(["Value '\(v)' at 'maxItems' failed to satisfy constraint: Member must have value \(v < 1 ? "greater than or equal to 1" : "less than or equal to \(limit)")"])
            }
            maxItems = v
        }
        return (q.first("Marker"), maxItems)
    }

    /// One page of a sorted list from a numeric marker, and the marker of the next page (nil on the last).
    static func page<T>(_ all: [T], marker: String?, maxItems: Int) -> (ArraySlice<T>, next: String?) {
        let start = min(all.count, marker.flatMap(Int.init) ?? 0)
        let next = start + maxItems < all.count ? String(start + maxItems) : nil
        return (all[start..<min(all.count, start + maxItems)], next)
    }

    /// A published version's configuration copied from $LATEST.
    static func versionConfig(from latest: FunctionConfig, number: Int, description: String?, now: Date, ready: Bool) -> FunctionConfig {
        var v = latest
        v.version = String(number)
        if let description { v.description = description }
        v.lastModified = now
        v.revisionId = newRevisionId()
        v.status = ready ? FunctionStatus(state: .active, lastUpdateStatus: .successful)
                         : FunctionStateMachine.transition(FunctionStatus(state: .pending), .created)!
        return v
    }
}
