import AWSWire
import CloudModel
import ControlPlane
import Foundation
import Testing
@testable import Server

let lambdaTrustText = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#

/// IMDSv2's answers for one instance, from a store: tokens (TTL, expiry), the metadata paths, and the iam/ paths
/// that exist only with an instance profile.
@Suite struct InstanceMetadataServiceTests {
    let clock = ManualTimeSource()
    let store: StateStore
    let sts: STSService
    let service: InstanceMetadataService

    init() throws {
        store = try StateStore(durable: NullRecordStore(), clock: clock)
        let authorizer = Authorizer(store: store, accountId: "123456789012", cache: PolicyCache())
        sts = STSService(store: store, authorizer: authorizer, enforceIAM: false)
        let now = clock.now()
        try store.write { tx in
            tx.put(Instance(id: "i-0123456789abcdef0", reservationId: "r-1", imageId: "ami-0abc", instanceType: "t3.micro",
                            keyName: nil, subnetId: "subnet-1", vpcId: "vpc-1", availabilityZone: "us-east-1a",
                            privateIpAddress: IPv4Address("10.0.1.4")!, networkInterfaceId: nil, groupIds: [], userData: nil,
                            amiLaunchIndex: 0, clientToken: nil, state: .running, stateChangedAt: now, stateTransitionReason: "",
                            launchTime: now, ownerId: "123456789012", tags: []))
        }
        service = InstanceMetadataService(instanceId: "i-0123456789abcdef0", store: store, sts: sts, region: "us-east-1")
    }

    func token(ttl: String? = "60") -> WireResponse {
        service.answer(WireRequest(method: "PUT", rawPath: "/latest/api/token",
                                   headers: ttl.map { [(name: "X-aws-ec2-metadata-token-ttl-seconds", value: $0)] } ?? []))
    }

    func get(_ path: String, _ token: String) -> (Int, String) {
        let r = service.answer(WireRequest(method: "GET", rawPath: path, headers: [(name: "X-aws-ec2-metadata-token", value: token)]))
        return (r.status, String(decoding: r.body, as: UTF8.self))
    }

    static let ec2Trust = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#

    @Test func tokensAreRequiredAndExpire() {
        #expect(token(ttl: nil).status == 400)
        #expect(token(ttl: "0").status == 400)
        #expect(token(ttl: "21601").status == 400)
        let t = String(decoding: token().body, as: UTF8.self)
        #expect(get("/latest/meta-data/instance-id", t) == (200, "i-0123456789abcdef0"))
        #expect(get("/latest/meta-data/instance-id", "forged").0 == 401)
        clock.advance(by: 61)
        #expect(get("/latest/meta-data/instance-id", t).0 == 401)
    }

    @Test func metadataAndTheIamPathsOnlyWithAProfile() throws {
        let t = String(decoding: token().body, as: UTF8.self)
        #expect(get("/latest/meta-data/hostname", t) == (200, "ip-10-0-1-4.ec2.internal"))
        #expect(get("/latest/meta-data/placement/region", t) == (200, "us-east-1"))
        #expect(get("/latest/meta-data/iam/security-credentials/", t).0 == 404)
        #expect(!get("/latest/meta-data/", t).1.contains("iam/"))
        let document = try JSONSerialization.jsonObject(with: Data(get("/latest/dynamic/instance-identity/document", t).1.utf8)) as? [String: Any]
        #expect(document?["privateIp"] as? String == "10.0.1.4")
        let now = clock.now()
        try store.write { tx in
            tx.put(IAMRole(name: "web", roleId: "AROAEXAMPLE", path: "/", arn: "arn:aws:iam::123456789012:role/web",
                           assumeRolePolicyDocument: Self.ec2Trust, description: nil, maxSessionDuration: 3600, createdAt: now))
            tx.put(IAMInstanceProfile(name: "web", instanceProfileId: "AIPAEXAMPLE", path: "/",
                                      arn: "arn:aws:iam::123456789012:instance-profile/web", createdAt: now, roleNames: ["web"]))
            tx.update(Instance.self, "i-0123456789abcdef0") { $0.iamInstanceProfileArn = "arn:aws:iam::123456789012:instance-profile/web" }
        }
        #expect(get("/latest/meta-data/iam/security-credentials/", t) == (200, "web"))
        #expect(get("/latest/meta-data/iam/security-credentials/other", t).0 == 404)
        let (status, body) = get("/latest/meta-data/iam/security-credentials/web", t)
        #expect(status == 200)
        let creds = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: String])
        #expect(creds["Code"] == "Success" && creds["Type"] == "AWS-HMAC")
        let key = try #require(creds["AccessKeyId"])
        let session = try #require(store.snapshot().stsSessions[key])
        #expect(session.principalArn == "arn:aws:sts::123456789012:assumed-role/web/i-0123456789abcdef0")
        #expect(session.userId == "AROAEXAMPLE:i-0123456789abcdef0")
        // The same session until an hour before it ends, then a new one.
        #expect(get("/latest/meta-data/iam/security-credentials/web", t).1 == body)
        clock.advance(by: 5 * 3600 + 1)
        let t2 = String(decoding: token().body, as: UTF8.self)
        #expect(get("/latest/meta-data/iam/security-credentials/web", t2).1 != body)
        // A role that stops trusting EC2 gives no credentials.
        try store.write { tx in tx.update(IAMRole.self, "web") { $0.assumeRolePolicyDocument = lambdaTrustText } }
        let refused = try #require(try JSONSerialization.jsonObject(with: Data(get("/latest/meta-data/iam/security-credentials/web", t2).1.utf8)) as? [String: String])
        #expect(refused["Code"] == "AssumeRoleUnauthorizedAccess")
        #expect(refused["Message"]?.hasPrefix("EC2 cannot assume the role web.") == true)
    }
}
