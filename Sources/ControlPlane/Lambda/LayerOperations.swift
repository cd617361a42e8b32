import AWSWire
import CloudModel
import Foundation

/// Layers: PublishLayerVersion, GetLayerVersion(ByArn), ListLayerVersions, ListLayers, DeleteLayerVersion. Archives go
/// to the code store by SHA-256 like function code; versions are records (`LambdaLayerVersion`).
extension LambdaService {
    static let layerNamePattern = LayerArns.namePattern
    static let layerVersionArnPattern = LayerArns.versionArnPattern

    /// `arn:aws:lambda:REGION:ACCOUNT:layer:NAME` for a `{LayerName}` (a name or a layer ARN); nil when malformed.
    func layerArn(_ text: String) -> String? {
        parseLayerName(text).map { "arn:aws:lambda:\($0.region):\($0.account):layer:\($0.name)" }
    }

    /// The name, region and account a `{LayerName}` designates; nil when it fails the model's pattern.
    func parseLayerName(_ text: String) -> (name: String, region: String, account: String)? {
        guard !text.isEmpty, text.count <= 140 else { return nil }
        if Self.isLayerNameText(Substring(text)) { return (text, region, accountId) }
        let p = text.split(separator: ":", omittingEmptySubsequences: false)
        guard p.count == 7, p[0] == "arn", !p[1].isEmpty, p[2] == "lambda", !p[3].isEmpty, Self.isDigits(p[4], count: 12),
              p[5] == "layer", Self.isLayerNameText(p[6]) else { return nil }
        return (String(p[6]), String(p[3]), String(p[4]))
    }

    static func parseLayerVersionArn(_ arn: String) -> (name: String, region: String, account: String, version: Int)? {
        LayerArns.parseVersionArn(arn)
    }

    static func isLayerNameText(_ s: Substring) -> Bool { LayerArns.isNameText(s) }

    static func isDigits(_ s: Substring, count: Int?) -> Bool { LayerArns.isDigits(s, count: count) }

    func layerVersionArn(_ name: String, _ version: Int) -> String {
        "arn:aws:lambda:\(region):\(accountId):layer:\(name):\(version)"
    }

    /// The layer in this account and region, or the model's ValidationException; a layer of another account or
    /// region is not found here.
    private func localLayer(_ text: String) throws(AWSError) -> String? {
        guard let l = parseLayerName(text) else {
            throw LambdaErrors.validation(["Value '\(text)' at 'layerName' failed to satisfy constraint: Member must satisfy regular expression pattern: \(Self.layerNamePattern)"])
        }
        return l.region == region && l.account == accountId ? l.name : nil
    }

    private func versionNumber(_ text: String) throws(AWSError) -> Int {
        guard let n = Int(text) else {
            throw LambdaErrors.unparsableBody("Cannot deserialize value of type `long` from String \"\(text)\"")
        }
        return n
    }

    func publishLayerVersion(_ layer: String, _ b: JSONBody, _ request: WireRequest, _ ctx: RequestContext) throws -> WireResponse {
        var problems: [String] = []
        let name = try localLayer(layer)
        let description = try b.string("Description")
        if let d = description, d.count > 256 {
            problems.append("Value '\(d)' at 'description' failed to satisfy constraint: Member must have length less than or equal to 256")
        }
        let runtimes = try b.stringList("CompatibleRuntimes")
        if let r = runtimes {
            if r.count > 15 {
                problems.append("Value '[\(r.joined(separator: ", "))]' at 'compatibleRuntimes' failed to satisfy constraint: Member must have length less than or equal to 15")
            } else if let bad = r.first(where: { !LambdaRuntimes.modelEnum.contains($0) }) {
                problems.append("Value '[\(bad)]' at 'compatibleRuntimes' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [\(LambdaRuntimes.modelEnum.joined(separator: ", "))]]")
            }
        }
        let architectures = try b.stringList("CompatibleArchitectures")
        if let a = architectures {
            if a.count > 2 {
                problems.append("Value '[\(a.joined(separator: ", "))]' at 'compatibleArchitectures' failed to satisfy constraint: Member must have length less than or equal to 2")
            } else if let bad = a.first(where: { !["x86_64", "arm64"].contains($0) }) {
                problems.append("Value '[\(bad)]' at 'compatibleArchitectures' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64]]")
            }
        }
        let license = try b.string("LicenseInfo")
        if let l = license, l.count > 512 {
            problems.append("Value '\(l)' at 'licenseInfo' failed to satisfy constraint: Member must have length less than or equal to 512")
        }
        guard let content = try b.object("Content") else {
            problems.append("Value null at 'content' failed to satisfy constraint: Member must not be null")
            throw LambdaErrors.validation(problems)
        }
        if !problems.isEmpty { throw LambdaErrors.validation(problems) }
        guard let name else { throw LambdaErrors.layerNotFound }
        guard let (zip, digest) = try readCode(content, ctx) else { throw LambdaErrors.layerContentRequired }
        let unzipped = ZipArchive.declaredUnzippedSize(zip).map { Int($0) } ?? zip.count
        try storeCode(zip, digest)
        defer { codeStore.release(sha256Hex: digest.hex) }
        let record = try store.write { tx -> LambdaLayerVersion in
            let n = (tx.get(LambdaLayer.self, name)?.lastVersion ?? 0) + 1
            tx.put(LambdaLayer(name: name, lastVersion: n))
            let v = LambdaLayerVersion(layerName: name, version: n, description: description ?? "",
                                       compatibleRuntimes: runtimes, compatibleArchitectures: architectures,
                                       licenseInfo: license, codeSha256: digest.base64, codeHex: digest.hex,
                                       codeSize: digest.size, unzippedSize: unzipped, createdDate: tx.now)
            tx.put(v)
            return v
        }
        return respond(201, ctx) { w in writeLayerVersion(&w, record, host: request.header("host")) }
    }

    func getLayerVersion(_ layer: String, _ version: String, _ request: WireRequest, _ ctx: RequestContext) throws -> WireResponse {
        let name = try localLayer(layer)
        let n = try versionNumber(version)
        guard let name, let v = store.snapshot().lambdaLayerVersions[LambdaLayerVersion.id(name, n)] else {
            throw LambdaErrors.layerNotFound
        }
        return respond(200, ctx) { w in writeLayerVersion(&w, v, host: request.header("host")) }
    }

    func getLayerVersionByArn(_ q: LambdaQuery, _ request: WireRequest, _ ctx: RequestContext) throws -> WireResponse {
        let arn = q.first("Arn") ?? ""
        guard let l = Self.parseLayerVersionArn(arn) else {
            throw LambdaErrors.validation([arn.isEmpty ? "Value null at 'arn' failed to satisfy constraint: Member must not be null"
                : "Value '\(arn)' at 'arn' failed to satisfy constraint: Member must satisfy regular expression pattern: \(Self.layerVersionArnPattern)"])
        }
        guard l.region == region, l.account == accountId,
              let v = store.snapshot().lambdaLayerVersions[LambdaLayerVersion.id(l.name, l.version)] else {
            throw LambdaErrors.layerNotFound
        }
        return respond(200, ctx) { w in writeLayerVersion(&w, v, host: request.header("host")) }
    }

    func listLayerVersions(_ layer: String, _ q: LambdaQuery, _ ctx: RequestContext) throws -> WireResponse {
        let name = try localLayer(layer)
        let (runtime, architecture) = try layerFilters(q)
        let (marker, maxItems) = try Self.layerPaging(q)
        let versions = name.map { n in
            store.snapshot().lambdaLayerVersions.values.filter { $0.layerName == n && Self.matches($0, runtime, architecture) }
                .sorted { $0.version > $1.version }
        } ?? []
        let start = marker.flatMap(Int.init) ?? 0
        let page = versions.dropFirst(start).prefix(maxItems)
        let next = start + page.count < versions.count ? String(start + page.count) : nil
        return respond(200, ctx) { w in
            w.beginObject()
            w.member("NextMarker", next)
            w.key("LayerVersions"); w.beginArray()
            for v in page { writeLayerVersionsListItem(&w, v) }
            w.endArray()
            w.endObject()
        }
    }

    func listLayers(_ q: LambdaQuery, _ ctx: RequestContext) throws -> WireResponse {
        let (runtime, architecture) = try layerFilters(q)
        let (marker, maxItems) = try Self.layerPaging(q)
        var latest: [String: LambdaLayerVersion] = [:]
        for v in store.snapshot().lambdaLayerVersions.values where Self.matches(v, runtime, architecture) {
            if (latest[v.layerName]?.version ?? 0) < v.version { latest[v.layerName] = v }
        }
        let layers = latest.keys.sorted()
        let start = marker.flatMap(Int.init) ?? 0
        let page = layers.dropFirst(start).prefix(maxItems)
        let next = start + page.count < layers.count ? String(start + page.count) : nil
        return respond(200, ctx) { w in
            w.beginObject()
            w.member("NextMarker", next)
            w.key("Layers"); w.beginArray()
            for name in page {
                w.beginObject()
                w.member("LayerName", name)
                w.member("LayerArn", "arn:aws:lambda:\(region):\(accountId):layer:\(name)")
                w.key("LatestMatchingVersion")
                writeLayerVersionsListItem(&w, latest[name]!)
                w.endObject()
            }
            w.endArray()
            w.endObject()
        }
    }

    func deleteLayerVersion(_ layer: String, _ version: String, _ ctx: RequestContext) throws -> WireResponse {
        let name = try localLayer(layer)
        let n = try versionNumber(version)
        // Lambda answers 204 whether or not the version exists; functions using it keep their copy.
        if let name {
            try store.write { tx in tx.delete(LambdaLayerVersion.self, LambdaLayerVersion.id(name, n)) }
        }
        return empty(204, ctx)
    }

    // MARK: functions' Layers

    /// The layer versions a function configuration names, in order, checked as Lambda checks them.
    func resolveLayers(_ arns: [String], in s: CloudState) throws(AWSError) -> [LambdaLayerReference] {
        if arns.count > 5 { throw LambdaErrors.tooManyLayers }
        var seen: Set<String> = []
        var out: [LambdaLayerReference] = []
        for arn in arns {
            guard let l = Self.parseLayerVersionArn(arn) else { throw LambdaErrors.layerVersionMissing(arn) }
            let layer = "\(l.region):\(l.account):\(l.name)"
            if !seen.insert(layer).inserted { throw LambdaErrors.duplicateLayer(arn) }
            guard l.region == region, l.account == accountId,
                  let v = s.lambdaLayerVersions[LambdaLayerVersion.id(l.name, l.version)] else {
                throw LambdaErrors.layerVersionMissing(arn)
            }
            out.append(LambdaLayerReference(arn: layerVersionArn(v.layerName, v.version), codeSize: v.codeSize,
                                            codeHex: v.codeHex, unzippedSize: v.unzippedSize))
        }
        return out
    }

    /// Lambda's limit on the unzipped size counts the function's code and all its layers.
    func checkCombinedSize(codeUnzipped: Int, layers: [LambdaLayerReference]?) throws(AWSError) {
        let total = codeUnzipped + (layers ?? []).reduce(0) { $0 + $1.unzippedSize }
        if total > ZipArchive.unzippedLimit { throw LambdaErrors.combinedTooLarge(total) }
    }

    /// The declared unzipped size of stored function code (0 when it cannot be read: the sandbox still bounds it).
    func storedUnzippedSize(_ codeHex: String) -> Int {
        guard let bytes = try? codeStore.get(sha256Hex: codeHex) else { return 0 }
        return ZipArchive.declaredUnzippedSize(bytes).map { Int($0) } ?? bytes.count
    }

    // MARK: shapes

    private func writeLayerVersion(_ w: inout JSONWriter, _ v: LambdaLayerVersion, host: String?) {
        w.beginObject()
        w.object("Content") { w in
            w.member("Location", codeURLs.url(host: host ?? "127.0.0.1", region: region, accountId: accountId, kind: .layer,
                                              name: v.layerName, sha256Hex: v.codeHex, now: Date()))
            w.member("CodeSha256", v.codeSha256)
            w.member("CodeSize", v.codeSize)
        }
        w.member("LayerArn", "arn:aws:lambda:\(region):\(accountId):layer:\(v.layerName)")
        w.member("LayerVersionArn", layerVersionArn(v.layerName, v.version))
        w.member("Description", v.description)
        w.member("CreatedDate", LambdaJSON.lastModified(v.createdDate))
        w.member("Version", v.version)
        if let r = v.compatibleRuntimes { w.member("CompatibleRuntimes", strings: r) }
        w.member("LicenseInfo", v.licenseInfo)
        if let a = v.compatibleArchitectures { w.member("CompatibleArchitectures", strings: a) }
        w.endObject()
    }

    private func writeLayerVersionsListItem(_ w: inout JSONWriter, _ v: LambdaLayerVersion) {
        w.beginObject()
        w.member("LayerVersionArn", layerVersionArn(v.layerName, v.version))
        w.member("Version", v.version)
        w.member("Description", v.description)
        w.member("CreatedDate", LambdaJSON.lastModified(v.createdDate))
        if let r = v.compatibleRuntimes { w.member("CompatibleRuntimes", strings: r) }
        w.member("LicenseInfo", v.licenseInfo)
        if let a = v.compatibleArchitectures { w.member("CompatibleArchitectures", strings: a) }
        w.endObject()
    }

    private func layerFilters(_ q: LambdaQuery) throws(AWSError) -> (String?, String?) {
        let runtime = q.first("CompatibleRuntime"), architecture = q.first("CompatibleArchitecture")
        var problems: [String] = []
        if let r = runtime, !LambdaRuntimes.modelEnum.contains(r) {
            problems.append("Value '\(r)' at 'compatibleRuntime' failed to satisfy constraint: Member must satisfy enum value set: [\(LambdaRuntimes.modelEnum.joined(separator: ", "))]")
        }
        if let a = architecture, !["x86_64", "arm64"].contains(a) {
            problems.append("Value '\(a)' at 'compatibleArchitecture' failed to satisfy constraint: Member must satisfy enum value set: [x86_64, arm64]")
        }
        if !problems.isEmpty { throw LambdaErrors.validation(problems) }
        return (runtime, architecture)
    }

    private static func matches(_ v: LambdaLayerVersion, _ runtime: String?, _ architecture: String?) -> Bool {
        (runtime.map { v.compatibleRuntimes?.contains($0) == true } ?? true)
            && (architecture.map { v.compatibleArchitectures?.contains($0) == true } ?? true)
    }

    /// Marker and MaxItems (1...50, default 50) of the layer listings.
    private static func layerPaging(_ q: LambdaQuery) throws(AWSError) -> (String?, Int) {
        guard let m = q.first("MaxItems") else { return (q.first("Marker"), 50) }
        guard let v = Int(m) else { throw LambdaErrors.unparsableBody("Cannot deserialize value of type `java.lang.Integer` from String \"\(m)\"") }
        if v < 1 || v > 50 {
            throw LambdaErrors.validation(["Value '\(v)' at 'maxItems' failed to satisfy constraint: Member must have value \(v < 1 ? "greater than or equal to 1" : "less than or equal to 50")"])
        }
        return (q.first("Marker"), v)
    }
}
