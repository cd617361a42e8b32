import AWSWire
import CloudModel
import Foundation

/// Launch templates and their versions: create, version, describe, set the default, delete.
/// RunInstances resolves `LaunchTemplate.*` through `launchParameters`.
extension EC2Service {
    func createLaunchTemplate(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let name = try required(p, "LaunchTemplateName", as: "LaunchTemplateName")
        try Self.checkTemplateName(name)
        guard p.has(prefix: "LaunchTemplateData") else { throw EC2Errors.missingParameter("LaunchTemplateData") }
        let data = try LaunchTemplateData.parse(p.structure("LaunchTemplateData"))
        let tags = try tagSpecifications(p, resourceType: "launch-template")
        let template = try mutate(p) { tx -> LaunchTemplate in
            if tx.state.launchTemplates.values.contains(where: { $0.name == name }) { throw EC2Errors.launchTemplateNameInUse() }
            let version = LaunchTemplateVersion(number: 1, description: p["VersionDescription"], createdAt: tx.now,
                                                createdBy: ctx.principal.arn, data: data)
            let t = LaunchTemplate(id: ResourceID.make("lt"), name: name, createdAt: tx.now, createdBy: ctx.principal.arn,
                                   defaultVersion: 1, latestVersion: 1, versions: [version], tags: tags)
            tx.put(t)
            return t
        }
        return EC2XML.response("CreateLaunchTemplate", requestID: ctx.requestID) { EC2XML.launchTemplate(&$0, template) }
    }

    func createLaunchTemplateVersion(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        guard p.has(prefix: "LaunchTemplateData") else { throw EC2Errors.missingParameter("LaunchTemplateData") }
        let (template, version) = try mutate(p) { tx -> (LaunchTemplate, LaunchTemplateVersion) in
            var t = try namedTemplate(p, in: tx.state)
            var base = LaunchTemplateData()
            if let source = p["SourceVersion"] { base = try Self.resolveVersion(source, of: t).data }
            let data = try LaunchTemplateData.parse(p.structure("LaunchTemplateData"), over: base)
            let v = LaunchTemplateVersion(number: t.latestVersion + 1, description: p["VersionDescription"], createdAt: tx.now,
                                          createdBy: ctx.principal.arn, data: data)
            t.latestVersion = v.number
            t.versions.append(v)
            tx.put(t)
            return (t, v)
        }
        return EC2XML.response("CreateLaunchTemplateVersion", requestID: ctx.requestID) { w in
            w.element("launchTemplateVersion") { EC2XML.launchTemplateVersion(&$0, version, of: template) }
        }
    }

    func describeLaunchTemplates(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let s = store.snapshot()
        let filter = try EC2Filters.compile(p, tags: { (t: LaunchTemplate) in t.tags }) {
            [
                "launch-template-name": { [$0.name] },
                "create-time": { [EC2XML.timestamp($0.createdAt)] },
            ]
        }
        var templates = Array(s.launchTemplates.values)
        let ids = p.list("LaunchTemplateId"), names = p.list("LaunchTemplateName")
        if !ids.isEmpty || !names.isEmpty {
            for id in ids {
                if !ResourceID.isWellFormed(id, prefix: "lt") { throw EC2Errors.launchTemplateIdMalformed(id) }
                if s.launchTemplates[id] == nil { throw EC2Errors.launchTemplateIdNotFound(id) }
            }
            for n in names where !templates.contains(where: { $0.name == n }) { throw EC2Errors.launchTemplateNameNotFound() }
            templates = templates.filter { ids.contains($0.id) || names.contains($0.name) }
        }
        templates = templates.filter(filter.matches).sorted { $0.id < $1.id }
        let page = try EC2Pagination.page(templates, key: \.id, p, range: 1...200)
        return EC2XML.response("DescribeLaunchTemplates", requestID: ctx.requestID) { w in
            w.list("launchTemplates", Array(page.items)) { EC2XML.launchTemplateFields(&$0, $1) }
            w.element("nextToken", page.nextToken)
        }
    }

    func describeLaunchTemplateVersions(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let s = store.snapshot()
        typealias Row = (template: LaunchTemplate, version: LaunchTemplateVersion)
        let filter = try EC2Filters.compile(p, tags: nil) { () -> EC2Filters.Fields<Row> in
            [
                "image-id": { $0.version.data.imageId.map { [$0] } ?? [] },
                "instance-type": { $0.version.data.instanceType.map { [$0] } ?? [] },
                "is-default-version": { EC2Filters.bool($0.version.number == $0.template.defaultVersion) },
                "ebs-optimized": { EC2Filters.bool($0.version.data.ebsOptimized ?? false) },
                "create-time": { [EC2XML.timestamp($0.version.createdAt)] },
                "iam-instance-profile": { r in [r.version.data.iamInstanceProfileArn, r.version.data.iamInstanceProfileName].compactMap { $0 } },
            ]
        }
        let wanted = p.list("LaunchTemplateVersion")
        var rows: [Row] = []
        if p["LaunchTemplateId"] == nil && p["LaunchTemplateName"] == nil {
            // Without a template, EC2 answers $Latest/$Default of every template, and nothing else.
            guard !wanted.isEmpty, wanted.allSatisfy({ $0 == "$Latest" || $0 == "$Default" }) else {
                throw EC2Errors.launchTemplateIdOrName()
            }
            for t in s.launchTemplates.values {
                let versions = try Set(wanted.map { try Self.resolveVersion($0, of: t).number })
                for n in versions { rows.append((t, t.version(n)!)) }
            }
        } else {
            let t = try namedTemplate(p, in: s)
            if !wanted.isEmpty {
                var seen = Set<Int>()
                for w in wanted {
                    let v = try Self.resolveVersion(w, of: t)
                    if seen.insert(v.number).inserted { rows.append((t, v)) }
                }
            } else {
                let min = try p["MinVersion"].map { try Self.resolveVersion($0, of: t).number } ?? Int.min
                let max = try p["MaxVersion"].map { try Self.resolveVersion($0, of: t).number } ?? Int.max
                rows = t.versions.filter { $0.number >= min && $0.number <= max }.map { (t, $0) }
            }
        }
        // Newest first within a template; the page key orders the same way.
        func key(_ r: Row) -> String {
            let inverted = String(1_000_000_000 - r.version.number)
            return r.template.id + "/" + String(repeating: "0", count: max(0, 10 - inverted.count)) + inverted
        }
        rows = rows.filter(filter.matches).sorted { key($0) < key($1) }
        let page = try EC2Pagination.page(rows, key: key, p, range: 1...200)
        return EC2XML.response("DescribeLaunchTemplateVersions", requestID: ctx.requestID) { w in
            w.list("launchTemplateVersionSet", Array(page.items)) { EC2XML.launchTemplateVersion(&$0, $1.version, of: $1.template) }
            w.element("nextToken", page.nextToken)
        }
    }

    func modifyLaunchTemplate(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let template = try mutate(p) { tx -> LaunchTemplate in
            var t = try namedTemplate(p, in: tx.state)
            if let v = p["SetDefaultVersion"] {
                t.defaultVersion = try Self.resolveVersion(v, of: t).number
                tx.put(t)
            }
            return t
        }
        return EC2XML.response("ModifyLaunchTemplate", requestID: ctx.requestID) { EC2XML.launchTemplate(&$0, template) }
    }

    func deleteLaunchTemplate(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let template = try mutate(p) { tx -> LaunchTemplate in
            let t = try namedTemplate(p, in: tx.state)
            tx.delete(LaunchTemplate.self, t.id)
            return t
        }
        return EC2XML.response("DeleteLaunchTemplate", requestID: ctx.requestID) { EC2XML.launchTemplate(&$0, template) }
    }

    /// Each version is deleted or reported: the default one stays (delete the template instead), unknown ones are named.
    func deleteLaunchTemplateVersions(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let wanted = p.list("LaunchTemplateVersion")
        if wanted.isEmpty { throw EC2Errors.missingParameter("LaunchTemplateVersion") }
        let (template, deleted, failed) = try mutate(p) { tx -> (LaunchTemplate, [Int], [(String, String, String)]) in
            var t = try namedTemplate(p, in: tx.state)
            var deleted: [Int] = [], failed: [(String, String, String)] = []
            for w in wanted {
                guard let n = Int(w), t.version(n) != nil else {
                    failed.append((w, "launchTemplateVersionDoesNotExist", "The specified launch template version does not exist."))
                    continue
                }
                if n == t.defaultVersion {
                    failed.append((w, "unexpectedError", "Cannot delete the default version of a launch template."))
                    continue
                }
                t.versions.removeAll { $0.number == n }
                deleted.append(n)
            }
            if !deleted.isEmpty { tx.put(t) }
            return (t, deleted, failed)
        }
        return EC2XML.response("DeleteLaunchTemplateVersions", requestID: ctx.requestID) { w in
            w.list("successfullyDeletedLaunchTemplateVersionSet", deleted) { w, n in
                w.element("launchTemplateId", template.id)
                w.element("launchTemplateName", template.name)
                w.element("versionNumber", n)
            }
            w.list("unsuccessfullyDeletedLaunchTemplateVersionSet", failed) { w, f in
                w.element("launchTemplateId", template.id)
                w.element("launchTemplateName", template.name)
                if let n = Int(f.0) { w.element("versionNumber", n) }
                w.element("responseError") { w in w.element("code", f.1); w.element("message", f.2) }
            }
        }
    }

    /// The template a request names by `LaunchTemplateId` or `LaunchTemplateName` (exactly one).
    func namedTemplate(_ p: QueryParameters, in s: CloudState, prefix: String = "") throws -> LaunchTemplate {
        let id = p[prefix + "LaunchTemplateId"].flatMap { $0.isEmpty ? nil : $0 }
        let name = p[prefix + "LaunchTemplateName"].flatMap { $0.isEmpty ? nil : $0 }
        switch (id, name) {
        case (nil, nil): throw EC2Errors.launchTemplateIdOrName()
        case (.some, .some): throw EC2Errors.launchTemplateIdAndName()
        case (let id?, nil):
            if !ResourceID.isWellFormed(id, prefix: "lt") { throw EC2Errors.launchTemplateIdMalformed(id) }
            guard let t = s.launchTemplates[id] else { throw EC2Errors.launchTemplateIdNotFound(id) }
            return t
        case (nil, let name?):
            guard let t = s.launchTemplates.values.first(where: { $0.name == name }) else { throw EC2Errors.launchTemplateNameNotFound() }
            return t
        }
    }

    /// `$Latest`, `$Default` or a version number.
    static func resolveVersion(_ text: String, of t: LaunchTemplate) throws -> LaunchTemplateVersion {
        let number: Int
        switch text {
        case "$Latest": number = t.versions.map(\.number).max() ?? t.latestVersion
        case "$Default": number = t.defaultVersion
        default:
            guard let n = Int(text), n >= 1 else { throw EC2Errors.launchTemplateVersionMalformed(text) }
            number = n
        }
        guard let v = t.version(number) else { throw EC2Errors.launchTemplateVersionNotFound(text, id: t.id) }
        return v
    }

    static func checkTemplateName(_ name: String) throws {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-().//_")
        guard (3...128).contains(name.count), name.allSatisfy({ allowed.contains($0) }) else {
            throw EC2Errors.launchTemplateNameMalformed()
        }
    }
}

extension EC2XML {
    static func launchTemplate(_ w: inout XMLWriter, _ t: LaunchTemplate) {
        w.element("launchTemplate") { launchTemplateFields(&$0, t) }
    }

    static func launchTemplateFields(_ w: inout XMLWriter, _ t: LaunchTemplate) {
        w.element("launchTemplateId", t.id)
        w.element("launchTemplateName", t.name)
        w.element("createTime", timestamp(t.createdAt))
        w.element("createdBy", t.createdBy)
        w.element("defaultVersionNumber", t.defaultVersion)
        w.element("latestVersionNumber", t.latestVersion)
        tagSet(&w, t.tags)
    }

    static func launchTemplateVersion(_ w: inout XMLWriter, _ v: LaunchTemplateVersion, of t: LaunchTemplate) {
        w.element("launchTemplateId", t.id)
        w.element("launchTemplateName", t.name)
        w.element("versionNumber", v.number)
        w.element("versionDescription", v.description)
        w.element("createTime", timestamp(v.createdAt))
        w.element("createdBy", v.createdBy)
        w.element("defaultVersion", v.number == t.defaultVersion)
        launchTemplateData(&w, v.data)
    }
}
