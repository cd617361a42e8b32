import Foundation

/// Temporary credentials issued by STS (AssumeRole, GetSessionToken, and the ones Lambda and EC2 hand their
/// workloads): kept so that a request signed with them can be told apart from an unknown key, checked against its
/// session token and expiry, and resolved to the principal it stands for. Immutable once issued, and held in one
/// shared box: sessions are the store's most numerous records, and every write copies its table, which then costs
/// one reference per session rather than one per field.
public struct STSSession: Record {
    public static let kind = "sts.session"
    public static var table: WritableKeyPath<CloudState, [String: STSSession]> { \.stsSessions }
    public static var isGlobal: Bool { true }

    /// What a session holds (stored as its JSON).
    public struct Fields: Codable, Sendable, Equatable {
        /// `ASIA` + 16 upper-case alphanumerics.
        public var id: String
        public var secretAccessKey: String
        public var sessionToken: String
        public var createdAt: Date
        public var expiration: Date
        /// Who calls with these credentials: the assumed-role ARN (`arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`),
        /// or for GetSessionToken the user's (or the root's) own ARN.
        public var principalArn: String
        /// `aws:userid`: `ROLEID:SESSION` for a role session, the user id (or account id) otherwise.
        public var userId: String
        /// The role's ARN for a role session (nil for GetSessionToken).
        public var roleArn: String?
        public var roleName: String?
        public var roleSessionName: String?
        /// The IAM user behind a GetSessionToken session (its policies decide).
        public var userName: String?
        /// The inline session policy and managed session policy ARNs: the session may do only what they allow too.
        public var sessionPolicy: String?
        public var sessionPolicyArns: [String]
        /// Session tags (they become `aws:PrincipalTag/KEY`, over the role's own tags).
        public var tags: [Tag]
        public var transitiveTagKeys: [String]
        public var sourceIdentity: String?
        /// True when the session was obtained with role credentials (role chaining: at most one hour).
        public var chained: Bool
    }

    private final class Box: Sendable {
        let fields: Fields
        init(_ fields: Fields) { self.fields = fields }
    }

    private let box: Box

    public var fields: Fields { box.fields }
    public var id: String { box.fields.id }
    public var secretAccessKey: String { box.fields.secretAccessKey }
    public var sessionToken: String { box.fields.sessionToken }
    public var createdAt: Date { box.fields.createdAt }
    public var expiration: Date { box.fields.expiration }
    public var principalArn: String { box.fields.principalArn }
    public var userId: String { box.fields.userId }
    public var roleArn: String? { box.fields.roleArn }
    public var roleName: String? { box.fields.roleName }
    public var roleSessionName: String? { box.fields.roleSessionName }
    public var userName: String? { box.fields.userName }
    public var sessionPolicy: String? { box.fields.sessionPolicy }
    public var sessionPolicyArns: [String] { box.fields.sessionPolicyArns }
    public var tags: [Tag] { box.fields.tags }
    public var transitiveTagKeys: [String] { box.fields.transitiveTagKeys }
    public var sourceIdentity: String? { box.fields.sourceIdentity }
    public var chained: Bool { box.fields.chained }

    public init(from decoder: any Decoder) throws { box = Box(try Fields(from: decoder)) }
    public func encode(to encoder: any Encoder) throws { try box.fields.encode(to: encoder) }
    public static func == (a: STSSession, b: STSSession) -> Bool { a.box === b.box || a.box.fields == b.box.fields }

    public init(id: String, secretAccessKey: String, sessionToken: String, createdAt: Date, expiration: Date,
                principalArn: String, userId: String, roleArn: String? = nil, roleName: String? = nil,
                roleSessionName: String? = nil, userName: String? = nil, sessionPolicy: String? = nil,
                sessionPolicyArns: [String] = [], tags: [Tag] = [], transitiveTagKeys: [String] = [],
                sourceIdentity: String? = nil, chained: Bool = false) {
        box = Box(Fields(id: id, secretAccessKey: secretAccessKey, sessionToken: sessionToken, createdAt: createdAt,
                         expiration: expiration, principalArn: principalArn, userId: userId, roleArn: roleArn,
                         roleName: roleName, roleSessionName: roleSessionName, userName: userName,
                         sessionPolicy: sessionPolicy, sessionPolicyArns: sessionPolicyArns, tags: tags,
                         transitiveTagKeys: transitiveTagKeys, sourceIdentity: sourceIdentity, chained: chained))
    }

    /// True when the session has any session policy (its permissions are then the intersection).
    public var hasSessionPolicies: Bool { box.fields.sessionPolicy != nil || !box.fields.sessionPolicyArns.isEmpty }

    /// `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION` (the role's path is not part of it).
    public static func assumedRoleArn(accountId: String, roleName: String, sessionName: String) -> String {
        "arn:aws:sts::\(accountId):assumed-role/\(roleName)/\(sessionName)"
    }

    /// Fresh key material: an `ASIA` key id, a 40-character secret and an opaque session token. Drawn 64 bits at a
    /// time (each draw is a system call): this runs on every AssumeRole.
    public static func newKeyMaterial() -> (accessKeyId: String, secret: String, token: String) {
        var g = SystemRandomNumberGenerator()
        func text(_ count: Int, _ alphabet: [Character], bits: Int) -> String {
            var out = ""
            out.reserveCapacity(count)
            var word: UInt64 = 0, left = 0
            while out.count < count {
                if left < bits { word = g.next(); left = 64 }
                out.append(alphabet[Int(word & UInt64((1 << bits) - 1))])
                word >>= UInt64(bits); left -= bits
            }
            return out
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(192)
        for _ in 0..<24 { withUnsafeBytes(of: g.next()) { bytes.append(contentsOf: $0) } }
        // AWS's tokens are opaque base64 of a few hundred characters; clients must not assume a size.
        let token = "IQoJb3JpZ2luX2VjE" + Data(bytes).base64EncodedString()
        return ("ASIA" + text(16, base32, bits: 5), text(40, base64, bits: 6), token)
    }

    static let base32 = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    static let base64 = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
}
