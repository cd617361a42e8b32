import AWSWire
import CloudModel
import Foundation
import IAMPolicy

/// IAM's Query API (2010-05-08): users, access keys, roles, groups, inline and managed policies, instance
/// profiles, tags, and the policy simulator. Validates like IAM, writes the store, answers IAM's XML.
public final class IAMService: Sendable {
    public let store: StateStore
    public let accountId: String
    /// Compiled policies shared with the Authorizer, so documents are parsed once.
    public let policies: PolicyCache
    /// Decides IAM calls of IAM users when IAM is enforced; nil never checks (every caller is the root then).
    public let authorizer: Authorizer?

    public init(store: StateStore, accountId: String, policies: PolicyCache = PolicyCache(), authorizer: Authorizer? = nil) {
        self.store = store
        self.accountId = accountId
        self.policies = policies
        self.authorizer = authorizer
    }

    typealias Operation = @Sendable (IAMService, QueryParameters, RequestContext) throws -> String

    /// Every action this service answers; anything else is `InvalidAction`.
    static let operations: [String: Operation] = {
        var ops: [String: Operation] = [:]
        for table in [userOperations, accessKeyOperations, roleOperations, groupOperations, inlinePolicyOperations,
                      managedPolicyOperations, attachmentOperations, simulationOperations,
                      instanceProfileOperations, tagOperations] {
            ops.merge(table) { a, _ in a }
        }
        return ops
    }()

    public func handle(action: String, params: QueryParameters, context: RequestContext) throws -> String {
        guard let op = Self.operations[action] else { throw QueryErrors.invalidAction(action) }
        try authorizeCall(action, params, context)
        return try op(self, params, context)
    }

    // MARK: Input validation shared by the operations.

    static let namePattern = #"[\w+=,.@-]+"#

    /// A required IAM name (`UserName`, `RoleName`...): present, within length, matching `[\w+=,.@-]+`.
    func name(_ p: QueryParameters, _ param: String, max: Int = 64) throws -> String {
        let member = param.prefix(1).lowercased() + param.dropFirst()
        guard let v = p[param] else { throw IAMErrors.missing(member) }
        try checkName(v, member: member, max: max)
        return v
    }

    func checkName(_ v: String, member: String, max: Int) throws {
        if v.isEmpty || v.count > max {
            throw IAMErrors.validation(v, member, v.isEmpty ? "Member must have length greater than or equal to 1"
                                                            : "Member must have length less than or equal to \(max)")
        }
        let ok = v.unicodeScalars.allSatisfy { c in
            (c.properties.isAlphabetic && c.isASCII) || ("0"..."9").contains(c) || "_+=,.@-".unicodeScalars.contains(c)
        }
        guard ok else { throw IAMErrors.validation(v, member, "Member must satisfy regular expression pattern: \(Self.namePattern)") }
    }

    /// `Path`: `/` or `/a/b/`, printable ASCII, at most 512 characters.
    func path(_ p: QueryParameters, _ param: String = "Path") throws -> String {
        guard let v = p[param] else { return "/" }
        let member = param.prefix(1).lowercased() + param.dropFirst()
        let printable = v.unicodeScalars.allSatisfy { $0.value >= 0x21 && $0.value <= 0x7E }
        guard v.count <= 512, v.hasPrefix("/"), v.hasSuffix("/"), printable else {
            throw IAMErrors.validation(v, member, #"Member must satisfy regular expression pattern: (\u002F)|(\u002F[\u0021-\u007E]+\u002F)"#)
        }
        return v
    }

    /// A policy document parameter: present, parsed and validated as IAM does.
    func document(_ p: QueryParameters, _ param: String, kind: PolicyKind) throws -> String {
        guard let text = p[param] else { throw IAMErrors.missing(param.prefix(1).lowercased() + param.dropFirst()) }
        if text.isEmpty { throw IAMErrors.validation(text, param.prefix(1).lowercased() + param.dropFirst(),
                                                      "Member must have length greater than or equal to 1") }
        do { _ = try policies.compiled(text, kind: kind) } catch { throw IAMErrors.malformed(error.message) }
        return text
    }

    /// IAM counts policy sizes without whitespace.
    static func policySize(_ doc: String) -> Int { doc.unicodeScalars.filter { !$0.properties.isWhitespace }.count }

    /// `Tags.member.N`, validated as IAM does; `required` makes an absent list an error (TagRole...).
    func tags(_ p: QueryParameters, required: Bool = false) throws -> [Tag] {
        if required && !p.has(prefix: "Tags") { throw IAMErrors.missing("tags") }
        var tags: [Tag] = []
        for (i, t) in p.structures("Tags.member").enumerated() {
            guard let key = t["Key"] else { throw IAMErrors.missing("tags.\(i + 1).member.key") }
            guard let value = t["Value"] else { throw IAMErrors.missing("tags.\(i + 1).member.value") }
            tags.append(Tag(key: key, value: value))
        }
        try IAMTagging.validate(tags)
        return tags
    }

    /// `TagKeys.member.N` of an untag request (required).
    func tagKeys(_ p: QueryParameters) throws -> [String] {
        if !p.has(prefix: "TagKeys") { throw IAMErrors.missing("tagKeys") }
        let keys = p.list("TagKeys.member")
        try IAMTagging.validate(keys: keys)
        return keys
    }

    /// An optional description: at most 1000 characters; an empty one is the same as none, so nothing shows it.
    func description(_ p: QueryParameters) throws -> String? {
        guard let d = p["Description"] else { return nil }
        if d.count > 1000 { throw IAMErrors.validation(d, "description", "Member must have length less than or equal to 1000") }
        return d.isEmpty ? nil : d
    }

    func arn(_ kind: String, _ path: String, _ name: String) -> String { "arn:aws:iam::\(accountId):\(kind)\(path)\(name)" }

    // MARK: Pagination (Marker is the index of the next item).

    func page<T>(_ items: [T], _ p: QueryParameters) throws -> (items: [T], marker: String?) {
        var maxItems = 100
        if let m = p["MaxItems"] {
            guard let n = Int(m), (1...1000).contains(n) else {
                throw IAMErrors.validation(m, "maxItems", "Member must have value greater than or equal to 1")
            }
            maxItems = n
        }
        let start = p["Marker"].flatMap(Int.init) ?? 0
        guard start >= 0, start <= items.count else { throw IAMErrors.invalidInput("Invalid Marker.") }
        let end = min(items.count, start + maxItems)
        return (Array(items[start..<end]), end < items.count ? String(end) : nil)
    }

    static func truncation(_ w: inout XMLWriter, _ marker: String?) {
        w.element("IsTruncated", marker != nil)
        w.element("Marker", marker)
    }
}
