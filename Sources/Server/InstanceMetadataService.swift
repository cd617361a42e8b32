import AWSWire
import CloudModel
import ControlPlane
import Foundation
import Synchronization

/// IMDSv2 for one instance, as it answers at 169.254.169.254 inside the instance's namespace: a session token from
/// `PUT /latest/api/token`, then GETs carrying it. Everything is read from the store at the time of the request, so
/// what the instance sees follows its record (and its instance profile's role).
final class InstanceMetadataService: HTTPResponder {
    let instanceId: String
    let store: StateStore
    let sts: STSService
    let region: String
    /// Tokens handed out, with their expiry.
    private let tokens = Mutex<[String: Date]>([:])
    /// The role session the instance's credentials come from, renewed before it expires.
    private let session = Mutex<STSSession?>(nil)

    /// EC2 hands out six-hour role sessions and offers new ones well before they end.
    static let credentialDuration: TimeInterval = 6 * 3600
    static let renewBefore: TimeInterval = 3600

    init(instanceId: String, store: StateStore, sts: STSService, region: String) {
        self.instanceId = instanceId
        self.store = store
        self.sts = sts
        self.region = region
    }

    func respond(to r: WireRequest) async -> WireResponse { answer(r) }

    func answer(_ r: WireRequest) -> WireResponse {
        let now = store.now
        if r.rawPath == "/latest/api/token" {
            guard r.method == "PUT" else { return Self.text(405, "") }
            // A request relayed by a proxy is refused, as IMDSv2 does, so that a misconfigured proxy cannot hand tokens out.
            if r.header("x-forwarded-for") != nil { return Self.text(403, "") }
            guard let ttlText = r.header("x-aws-ec2-metadata-token-ttl-seconds"), let ttl = Int(ttlText), (1...21600).contains(ttl) else {
                return Self.text(400, "")
            }
            let token = Self.newToken()
            tokens.withLock { t in
                t = t.filter { $0.value > now }
                t[token] = now.addingTimeInterval(TimeInterval(ttl))
            }
            return WireResponse(status: 200, headers: [("Content-Type", "text/plain"), ("X-aws-ec2-metadata-token-ttl-seconds", String(ttl))],
                                body: Array(token.utf8))
        }
        guard r.method == "GET" || r.method == "HEAD" else { return Self.text(405, "") }
        guard let token = r.header("x-aws-ec2-metadata-token"), let expiry = tokens.withLock({ $0[token] }), expiry > now else {
            return Self.text(401, "")
        }
        // The instance's region and IAM (global), read together: the instance and its profile's role.
        let s = CloudState.union([store.snapshot(), sts.authorizer.store.snapshot()])
        guard let instance = s.instances[instanceId] else { return Self.notFound }
        guard let body = content(path: r.rawPath, instance: instance, in: s, now: now) else { return Self.notFound }
        return Self.text(200, body)
    }

    /// The document at `path`, or nil (404).
    func content(path: String, instance: Instance, in s: CloudState, now: Date) -> String? {
        let profile = instance.iamInstanceProfileArn.flatMap { arn in s.iamInstanceProfiles.values.first { $0.arn == arn } }
        let mac = instance.networkInterfaceId.flatMap { s.networkInterfaces[$0]?.macAddress } ?? ""
        let meta = "/latest/meta-data/"
        switch path {
        case "/latest", "/latest/": return "dynamic\nmeta-data\n" + (instance.userData == nil ? "" : "user-data")
        case "/latest/meta-data", meta:
            var items = ["ami-id", "ami-launch-index", "hostname", "instance-id", "instance-type", "local-hostname",
                         "local-ipv4", "mac", "placement/", "reservation-id", "security-groups"]
            if profile != nil { items.append("iam/") }
            return items.sorted().joined(separator: "\n")
        case meta + "ami-id": return instance.imageId
        case meta + "ami-launch-index": return String(instance.amiLaunchIndex)
        case meta + "hostname", meta + "local-hostname": return hostname(instance)
        case meta + "instance-id": return instance.id
        case meta + "instance-type": return instance.instanceType
        case meta + "local-ipv4": return instance.privateIpAddress.description
        case meta + "mac": return mac
        case meta + "reservation-id": return instance.reservationId
        case meta + "security-groups":
            return instance.groupIds.compactMap { s.securityGroups[$0]?.name }.joined(separator: "\n")
        case meta + "placement", meta + "placement/": return "availability-zone\nregion"
        case meta + "placement/availability-zone": return instance.availabilityZone
        case meta + "placement/region": return region
        case "/latest/user-data":
            return instance.userData.flatMap { Data(base64Encoded: $0) }.map { String(decoding: $0, as: UTF8.self) }
        case "/latest/dynamic", "/latest/dynamic/": return "instance-identity/"
        case "/latest/dynamic/instance-identity", "/latest/dynamic/instance-identity/": return "document"
        case "/latest/dynamic/instance-identity/document": return identityDocument(instance)
        default: break
        }
        guard let profile else { return nil }
        let roleName = profile.roleNames.first
        switch path {
        case meta + "iam", meta + "iam/": return "info\nsecurity-credentials/"
        case meta + "iam/info":
            return Self.json([("Code", "Success"), ("LastUpdated", Self.date(now)), ("InstanceProfileArn", profile.arn),
                              ("InstanceProfileId", profile.instanceProfileId)])
        case meta + "iam/security-credentials", meta + "iam/security-credentials/":
            return roleName ?? ""
        default:
            let prefix = meta + "iam/security-credentials/"
            guard path.hasPrefix(prefix), let roleName, String(path.dropFirst(prefix.count)) == roleName,
                  let role = s.iamRoles[IAMName.key(roleName)] else { return nil }
            // EC2 assumes the role as the service: a role that does not trust ec2.amazonaws.com gives no credentials.
            guard sts.authorizer.trusts(role, service: "ec2.amazonaws.com") else {
                return Self.json([("Code", "AssumeRoleUnauthorizedAccess"),
                                  ("Message", "EC2 cannot assume the role \(role.name).  Please see documentation at http://docs.amazonwebservices.com/IAM/latest/UserGuide/RolesTroubleshooting.html."),
                                  ("LastUpdated", Self.date(now))])
            }
            guard let credentials = try? credentials(role, now: now) else { return nil }
            return Self.json([("Code", "Success"), ("LastUpdated", Self.date(credentials.createdAt)), ("Type", "AWS-HMAC"),
                              ("AccessKeyId", credentials.id), ("SecretAccessKey", credentials.secretAccessKey),
                              ("Token", credentials.sessionToken), ("Expiration", Self.date(credentials.expiration))])
        }
    }

    /// The role session of the instance (session name = the instance id, as EC2 names it), issued in process and
    /// renewed an hour before it expires or when the profile's role changed.
    func credentials(_ role: IAMRole, now: Date) throws -> STSSession {
        try session.withLock { current in
            if let c = current, c.roleArn == role.arn, c.expiration.timeIntervalSince(now) > Self.renewBefore { return c }
            let fresh = try sts.issueRoleSession(role, sessionName: instanceId, duration: Self.credentialDuration)
            current = fresh
            return fresh
        }
    }

    /// `ip-10-0-1-4.ec2.internal` in us-east-1, `ip-10-0-1-4.REGION.compute.internal` elsewhere.
    func hostname(_ instance: Instance) -> String {
        let base = "ip-" + instance.privateIpAddress.description.replacingOccurrences(of: ".", with: "-")
        return region == "us-east-1" ? base + ".ec2.internal" : base + ".\(region).compute.internal"
    }

    func identityDocument(_ instance: Instance) -> String {
        let fields: [(String, Any)] = [
            ("accountId", instance.ownerId), ("architecture", Self.architecture), ("availabilityZone", instance.availabilityZone),
            ("billingProducts", NSNull()), ("devpayProductCodes", NSNull()), ("marketplaceProductCodes", NSNull()),
            ("imageId", instance.imageId), ("instanceId", instance.id), ("instanceType", instance.instanceType),
            ("kernelId", NSNull()), ("pendingTime", Self.date(instance.launchTime)),
            ("privateIp", instance.privateIpAddress.description), ("ramdiskId", NSNull()), ("region", region),
            ("version", "2017-09-30"),
        ]
        return Self.json(fields)
    }

    static var architecture: String {
        #if arch(arm64)
        "arm64"
        #else
        "x86_64"
        #endif
    }

    /// Pretty-printed JSON in the given key order, as IMDS writes its documents.
    static func json(_ fields: [(String, Any)]) -> String {
        let lines = fields.map { key, value -> String in
            let rendered: String
            if let s = value as? String {
                let data = (try? JSONSerialization.data(withJSONObject: [s], options: [.withoutEscapingSlashes])) ?? Data("[\"\"]".utf8)
                rendered = String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
            } else {
                rendered = "null"
            }
            return "  \"\(key)\" : \(rendered)"
        }
        return "{\n" + lines.joined(separator: ",\n") + "\n}"
    }

    static func date(_ d: Date) -> String {
        d.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: false, timeZone: TimeZone(identifier: "UTC")!))
    }

    static func newToken() -> String {
        var g = SystemRandomNumberGenerator()
        let bytes = (0..<40).map { _ in UInt8.random(in: 0...255, using: &g) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "+", with: "-")
    }

    static func text(_ status: Int, _ body: String) -> WireResponse {
        WireResponse(status: status, headers: [("Content-Type", "text/plain"), ("Server", "EC2ws")], body: Array(body.utf8))
    }

    static let notFound = WireResponse(
        status: 404, headers: [("Content-Type", "text/html"), ("Server", "EC2ws")],
        body: Array("<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>\n<html><head><title>404 - Not Found</title></head><body><h1>404 - Not Found</h1></body></html>\n".utf8))
}
