import AWSWire
import CloudModel
import Foundation

/// PutParameter, DeleteParameter, DeleteParameters and LabelParameterVersion: checked in AWS's order, then written in
/// one transaction (a refusal changes nothing).
extension SSMService {
    static let types = ["String", "StringList", "SecureString"]
    static let tiers = ["Standard", "Advanced", "Intelligent-Tiering"]
    static let dataTypes = ["text", "aws:ec2:image", "aws:ssm:integration"]
    /// Parameter Store keeps this many versions; a new one drops the oldest.
    static let versionLimit = 100
    static let standardMaxValue = 4096
    static let advancedMaxValue = 8192

    func putParameter(_ i: SSMInput, _ ctx: RequestContext) throws -> [String: Any] {
        let name = ParameterName.trimmed(try i.required("Name", member: "name"))
        guard let value = try i.string("Value") else { throw SSMErrors.missing("value") }
        let type = try i.string("Type")
        if let type, !Self.types.contains(type) {
            throw SSMErrors.constraint("type", type, "Member must satisfy enum value set: [SecureString, StringList, String]")
        }
        let requestedTier = try i.string("Tier")
        if let t = requestedTier, !Self.tiers.contains(t) {
            throw SSMErrors.constraint("tier", t, "Member must satisfy enum value set: [Advanced, Intelligent-Tiering, Standard]")
        }
        let description = try i.string("Description")
        if let d = description, d.count > 1024 {
            throw SSMErrors.constraint("description", d, "Member must have length less than or equal to 1024")
        }
        let keyId = try i.string("KeyId")
        let pattern = try i.string("AllowedPattern")
        if let p = pattern, p.count > 1024 {
            throw SSMErrors.constraint("allowedPattern", p, "Member must have length less than or equal to 1024")
        }
        let overwrite = try i.bool("Overwrite") ?? false
        let tags = try i.tags("Tags") ?? []
        let dataType = try i.string("DataType")
        if value.isEmpty { throw SSMErrors.constraint("value", "", "Member must have length greater than or equal to 1") }
        try ParameterName.validateForWrite(name)
        if overwrite && !tags.isEmpty { throw SSMErrors.tagsWithOverwrite }
        try Self.checkTags(tags)
        if let dataType, !Self.dataTypes.contains(dataType) { throw SSMErrors.unsupportedDataType(dataType) }
        // An empty pattern (Terraform sends one) is no pattern.
        if let p = pattern, !p.isEmpty { try Self.check(value, against: p) }

        return try store.write { tx -> [String: Any] in
            let existing = tx.get(SSMParameter.self, name)
            if existing != nil && !overwrite { throw SSMErrors.alreadyExists }
            let previous = existing?.latest
            guard let finalType = type ?? previous?.type else { throw SSMErrors.typeRequired }
            if keyId != nil && finalType != "SecureString" {
                throw SSMErrors.validation("KeyId is required for SecureString type parameter only.")
            }
            // What the request leaves out carries over from the version before.
            let finalPattern = pattern.map { $0.isEmpty ? nil : $0 } ?? previous?.allowedPattern
            if pattern == nil, let p = finalPattern { try Self.check(value, against: p) }
            let finalDataType = dataType ?? previous?.dataType ?? "text"
            if finalDataType == "aws:ec2:image" {
                guard finalType == "String" else {
                    throw SSMErrors.validation("Parameter Type \(finalType) is not supported for data type aws:ec2:image. Supported type is String.")
                }
                if !Self.looksLikeImageId(value) { throw SSMErrors.badImageValue(value) }
            }
            let tier = try Self.tier(requested: requestedTier, previous: previous?.tier, valueLength: value.utf8.count)
            let version = SSMParameterVersion(
                version: (previous?.version ?? 0) + 1, type: finalType, value: value, description: description ?? previous?.description,
                allowedPattern: finalPattern,
                keyId: finalType == "SecureString" ? (keyId ?? (previous?.type == "SecureString" ? previous?.keyId : nil) ?? "alias/aws/ssm") : nil,
                tier: tier, dataType: finalDataType, lastModified: tx.now, lastModifiedUser: ctx.principal.arn)
            var p = existing ?? SSMParameter(name: name, versions: [], tags: [:])
            p.versions.append(version)
            if p.versions.count > Self.versionLimit {
                let oldest = p.versions[0]
                if !oldest.labels.isEmpty {
                    throw SSMErrors.error("ParameterMaxVersionLimitExceeded",
                        "You attempted to create a new version of \(name) by calling the PutParameter API with the overwrite flag. "
                        + "Version \(oldest.version), the oldest version, can't be deleted because it has a label associated with it. "
                        + "Move the label to another version of the parameter, and try again.")
                }
                p.versions.removeFirst()
            }
            for t in tags { p.tags[t.key] = t.value }
            tx.put(p)
            return ["Version": version.version, "Tier": tier]
        }
    }

    /// The tier a write lands in: as asked (Intelligent-Tiering picks by size), else the parameter's own; never down
    /// from Advanced; the value must fit it.
    static func tier(requested: String?, previous: String?, valueLength: Int) throws(AWSError) -> String {
        var tier = requested ?? previous ?? "Standard"
        if tier == "Intelligent-Tiering" { tier = valueLength > standardMaxValue || previous == "Advanced" ? "Advanced" : "Standard" }
        if previous == "Advanced" && tier == "Standard" { throw SSMErrors.tierDowngrade }
        if tier == "Standard" && valueLength > standardMaxValue { throw SSMErrors.valueTooLong(tier: "Standard", max: standardMaxValue) }
        if valueLength > advancedMaxValue { throw SSMErrors.valueTooLong(tier: "Advanced", max: advancedMaxValue) }
        return tier
    }

    /// The value must match the whole pattern (Java's `matches`, which AWS uses).
    static func check(_ value: String, against pattern: String) throws(AWSError) {
        guard let re = try? NSRegularExpression(pattern: pattern) else { throw SSMErrors.badAllowedPattern(pattern) }
        let whole = NSRange(value.startIndex..., in: value)
        guard let m = re.firstMatch(in: value, options: [.anchored], range: whole), m.range == whole else {
            throw SSMErrors.patternMismatch(pattern)
        }
    }

    static func looksLikeImageId(_ v: String) -> Bool {
        guard v.hasPrefix("ami-") else { return false }
        let hex = v.dropFirst(4)
        return (hex.count == 8 || hex.count == 17) && hex.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    func deleteParameter(_ i: SSMInput, _ ctx: RequestContext) throws -> [String: Any] {
        let name = ParameterName.trimmed(try i.required("Name", member: "name"))
        if ParameterName.isPublic(name) { throw SSMErrors.reservedName(name) }
        try store.write { tx in
            guard tx.get(SSMParameter.self, name) != nil else { throw SSMErrors.parameterNotFound }
            tx.delete(SSMParameter.self, name)
        }
        return [:]
    }

    /// Names that do not exist come back in `InvalidParameters`; the others are deleted together.
    func deleteParameters(_ i: SSMInput, _ ctx: RequestContext) throws -> [String: Any] {
        guard let names = try i.strings("Names") else { throw SSMErrors.missing("names") }
        try Self.checkNameList(names)
        return try store.write { tx -> [String: Any] in
            var deleted: [String] = [], invalid: [String] = []
            for raw in names {
                let name = ParameterName.trimmed(raw)
                if tx.get(SSMParameter.self, name) != nil {
                    tx.delete(SSMParameter.self, name)
                    deleted.append(raw)
                } else if !deleted.contains(raw) && !invalid.contains(raw) {
                    invalid.append(raw)
                }
            }
            return ["DeletedParameters": deleted, "InvalidParameters": invalid]
        }
    }

    /// Attaches labels to one version (the latest unless named), moving each from whichever version had it.
    func labelParameterVersion(_ i: SSMInput, _ ctx: RequestContext) throws -> [String: Any] {
        let name = ParameterName.trimmed(try i.required("Name", member: "name"))
        guard let labels = try i.strings("Labels") else { throw SSMErrors.missing("labels") }
        if labels.isEmpty || labels.count > 10 {
            throw SSMErrors.constraint("labels", "[" + labels.joined(separator: ", ") + "]",
                                       "Member must have length " + (labels.isEmpty ? "greater than or equal to 1" : "less than or equal to 10"))
        }
        if let long = labels.first(where: { $0.count > 100 }) {
            throw SSMErrors.constraint("labels", "[\(long)]", "Member must satisfy constraint: [Member must have length less than or equal to 100, Member must have length greater than or equal to 1]")
        }
        let wantedVersion = try i.int("ParameterVersion")
        let invalid = labels.filter { !Self.isValidLabel($0) }
        let valid = labels.filter { Self.isValidLabel($0) }
        return try store.write { tx -> [String: Any] in
            guard var p = tx.get(SSMParameter.self, name) else { throw SSMErrors.parameterNotFound }
            let version = wantedVersion ?? p.latest.version
            guard let at = p.versions.firstIndex(where: { $0.version == version }) else {
                throw SSMErrors.versionNotFound(name, String(version))
            }
            let added = valid.filter { !p.versions[at].labels.contains($0) }
            if p.versions[at].labels.count + Set(added).count > 10 { throw SSMErrors.labelLimit }
            for n in p.versions.indices where n != at { p.versions[n].labels.removeAll { valid.contains($0) } }
            for l in added where !p.versions[at].labels.contains(l) { p.versions[at].labels.append(l) }
            tx.put(p)
            return ["InvalidLabels": invalid, "ParameterVersion": version]
        }
    }

    /// Labels: letters, digits, `.-_`; not starting with a digit, `aws` or `ssm`.
    static func isValidLabel(_ l: String) -> Bool {
        guard let first = l.utf8.first, !(first >= 0x30 && first <= 0x39) else { return false }
        let lower = l.lowercased()
        if lower.hasPrefix("aws") || lower.hasPrefix("ssm") { return false }
        return l.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F || b == 0x2E || b == 0x2D
        }
    }
}
