import AWSWire
import CloudModel
import Crypto
import Foundation

/// SSM Parameter Store over awsJson1_1 (`X-Amz-Target: AmazonSSM.<Operation>`, signed for `ssm`): parameters are
/// `SSMParameter` records in the state store; the public `/aws/service/...` parameters are answered read-only from
/// `PublicImages`. Operations, their authorization and handlers are rows of `SSMOperations.table`.
public final class SSMService: Sendable {
    public static let targetPrefix = "AmazonSSM."
    let store: StateStore

    public init(store: StateStore) {
        self.store = store
    }

    /// Runs the operation a target names: decode, authorize every (action, resource) its row names, then the handler.
    public func handle(target: String, body: [UInt8], context ctx: RequestContext) throws -> WireResponse {
        guard target.hasPrefix(Self.targetPrefix), let op = SSMOperations.byName[String(target.dropFirst(Self.targetPrefix.count))] else {
            throw SSMErrors.unknownOperation
        }
        let input = try SSMInput(body)
        if ctx.isAuthorizing {
            for (action, resource) in try op.authorization(self, input, ctx) { try ctx.authorize(action, resource) }
        }
        let out = try op.handler(self, input, ctx)
        let data = (try? JSONSerialization.data(withJSONObject: out, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return WireResponse(status: 200, headers: [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-RequestId", ctx.requestID)],
                            body: Array(data))
    }

    /// The IAM denial in SSM's envelope, for the router's `RequestAuthorization`.
    public static func accessDenied(_ p: Principal, action: String, resource: String, explicit: Bool) -> AWSError {
        SSMErrors.accessDenied(p, action: action, resource: resource, explicit: explicit)
    }

    func arn(_ name: String, _ ctx: RequestContext) -> String {
        ParameterName.arn(name, region: ctx.region, accountId: ctx.accountId)
    }

    // MARK: finding and showing

    /// The parameter a reference names: the account's own, else a public one.
    func find(_ ref: ParameterName.Reference, in s: CloudState) -> SSMParameter? {
        for c in ref.candidates {
            if let p = s.ssmParameters[c] ?? PublicParameters.byName[c] { return p }
        }
        return nil
    }

    /// The version a selector picks: the latest without one, else the version number or the version carrying the label.
    func select(_ p: SSMParameter, _ selector: String?) throws(AWSError) -> SSMParameterVersion {
        guard let selector else { return p.latest }
        if !selector.isEmpty, selector.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            guard let v = p.versions.first(where: { String($0.version) == selector }) else {
                throw SSMErrors.versionNotFound(p.name, selector)
            }
            return v
        }
        guard let v = p.versions.last(where: { $0.labels.contains(selector) }) else { throw SSMErrors.parameterNotFound }
        return v
    }

    /// Epoch seconds with milliseconds, as awsJson sends timestamps.
    static func epoch(_ d: Date) -> Double { (d.timeIntervalSince1970 * 1000).rounded() / 1000 }

    /// GetParameter's `Parameter` shape.
    func parameterJSON(_ name: String, _ v: SSMParameterVersion, decrypt: Bool, selector: String?, _ ctx: RequestContext) -> [String: Any] {
        var d: [String: Any] = ["Name": name, "Type": v.type, "Value": Self.shownValue(name, v, decrypt: decrypt),
                                "Version": v.version, "LastModifiedDate": Self.epoch(v.lastModified),
                                "ARN": arn(name, ctx), "DataType": v.dataType]
        if let selector { d["Selector"] = ":" + selector }
        return d
    }

    /// A SecureString read without decryption shows an opaque base64 blob in the place of KMS's ciphertext (fixed per
    /// version, never the plaintext); other types show their value.
    static func shownValue(_ name: String, _ v: SSMParameterVersion, decrypt: Bool) -> String {
        guard v.type == "SecureString", !decrypt else { return v.value }
        var bytes: [UInt8] = [0x01, 0x02, 0x02, 0x00, 0x78]
        var seed = Array("\(name)\u{0}\(v.version)\u{0}\(v.keyId ?? "")\u{0}\(v.lastModified.timeIntervalSince1970)\u{0}\(v.value)".utf8)
        for _ in 0..<4 {
            let digest = Array(SHA256.hash(data: seed))
            bytes.append(contentsOf: digest)
            seed = digest
        }
        return Data(bytes).base64EncodedString()
    }

    /// The `Value`-less metadata DescribeParameters and GetParameterHistory share.
    func metadataJSON(_ name: String, _ v: SSMParameterVersion, _ ctx: RequestContext) -> [String: Any] {
        var d: [String: Any] = ["Name": name, "ARN": arn(name, ctx), "Type": v.type, "LastModifiedDate": Self.epoch(v.lastModified),
                                "LastModifiedUser": v.lastModifiedUser, "Version": v.version, "Tier": v.tier,
                                "Policies": [Any](), "DataType": v.dataType]
        if let k = v.keyId { d["KeyId"] = k }
        if let desc = v.description { d["Description"] = desc }
        if let p = v.allowedPattern { d["AllowedPattern"] = p }
        return d
    }

    // MARK: paging

    /// Page tokens carry the last name returned (base64, so clients treat them as opaque): names are unique and
    /// sorted, so writes between pages neither repeat nor skip a parameter.
    static func token(after name: String) -> String { Data(name.utf8).base64EncodedString() }

    static func name(fromToken token: String?) throws(AWSError) -> String? {
        guard let token else { return nil }
        guard let data = Data(base64Encoded: token), let name = String(data: data, encoding: .utf8), !name.isEmpty else {
            throw SSMErrors.invalidNextToken
        }
        return name
    }

    static func maxResults(_ input: SSMInput, limit: Int) throws(AWSError) -> Int {
        guard let n = try input.int("MaxResults") else { return limit }
        if n < 1 { throw SSMErrors.constraint("maxResults", String(n), "Member must have value greater than or equal to 1") }
        if n > limit { throw SSMErrors.constraint("maxResults", String(n), "Member must have value less than or equal to \(limit)") }
        return n
    }
}
