import AWSWire
import CloudModel
import Foundation
import Testing
@testable import ControlPlane

/// EC2Service in-process: XML as EC2 writes it, errors, and that failed calls change nothing.
@Suite struct EC2ServiceTests {
    let store: StateStore
    let ec2: EC2Service
    let ctx = RequestContext(requestID: "req-1", accountId: "123456789012", region: "us-east-1",
                             principal: .root(accountId: "123456789012", accessKeyId: "test"), sourceIP: "127.0.0.1")

    init() throws {
        store = try StateStore(durable: NullRecordStore(), clock: ManualTimeSource())
        ec2 = EC2Service(store: store, accountId: "123456789012", region: "us-east-1")
    }

    @discardableResult
    func call(_ action: String, _ params: [String: String] = [:]) throws -> String {
        try ec2.handle(action: action, params: QueryParameters(params), context: ctx)
    }

    func value(_ xml: String, _ tag: String) -> String? {
        guard let a = xml.range(of: "<\(tag)>"), let b = xml.range(of: "</\(tag)>", range: a.upperBound..<xml.endIndex) else { return nil }
        return String(xml[a.upperBound..<b.lowerBound])
    }

    func expectError(_ code: String, _ message: String? = nil, _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("expected \(code)")
        } catch let e as AWSError {
            #expect(e.code == code)
            if let message { #expect(e.message == message) }
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    func makeVpc(_ cidr: String = "10.0.0.0/16") throws -> String {
        try #require(value(try call("CreateVpc", ["CidrBlock": cidr]), "vpcId"))
    }

    @Test func createVpcWritesEnvelopeAndDefaults() throws {
        let xml = try call("CreateVpc", ["CidrBlock": "10.0.0.0/16"])
        #expect(xml.contains("<CreateVpcResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>req-1</requestId><vpc>"))
        #expect(value(xml, "cidrBlock") == "10.0.0.0/16")
        let s = store.snapshot()
        #expect(s.vpcs.count == 1 && s.routeTables.count == 1 && s.networkAcls.count == 1 && s.securityGroups.count == 1)
        #expect(s.securityGroupRules.count == 2)
        let rt = try #require(s.routeTables.values.first)
        #expect(rt.isMain && rt.routes.first?.gatewayId == "local" && rt.associations.first?.id.hasPrefix("rtbassoc-") == true)
        #expect(s.networkAcls.values.first?.entries.map(\.ruleNumber) == [100, 32767, 100, 32767])
    }

    @Test func vpcErrors() throws {
        expectError("InvalidVpc.Range", "The CIDR '10.0.0.0/8' is invalid.") { try call("CreateVpc", ["CidrBlock": "10.0.0.0/8"]) }
        expectError("InvalidParameterValue") { try call("CreateVpc", ["CidrBlock": "nonsense"]) }
        expectError("MissingParameter") { try call("CreateVpc") }
        expectError("InvalidVpcID.Malformed", "Invalid id: \"vpc-zzz\"") { try call("DescribeVpcs", ["VpcId.1": "vpc-zzz"]) }
        expectError("InvalidVpcID.NotFound", "The vpc ID 'vpc-12345678' does not exist") { try call("DescribeVpcs", ["VpcId.1": "vpc-12345678"]) }
        #expect(store.snapshot().vpcs.isEmpty)
    }

    @Test func dryRunValidatesThenChangesNothing() throws {
        expectError("DryRunOperation", "Request would have succeeded, but DryRun flag is set.") {
            try call("CreateVpc", ["CidrBlock": "10.0.0.0/16", "DryRun": "true"])
        }
        #expect(store.snapshot().vpcs.isEmpty)
        expectError("InvalidVpcID.NotFound") { try call("DeleteVpc", ["VpcId": "vpc-12345678", "DryRun": "true"]) }
    }

    @Test func subnetsAccountForInterfaces() throws {
        let vpc = try makeVpc()
        let xml = try call("CreateSubnet", ["VpcId": vpc, "CidrBlock": "10.0.1.0/24", "AvailabilityZone": "us-east-1c"])
        #expect(value(xml, "availableIpAddressCount") == "251")
        #expect(value(xml, "availabilityZoneId") == "use1-az3")
        let subnet = try #require(value(xml, "subnetId"))
        #expect(value(xml, "subnetArn") == "arn:aws:ec2:us-east-1:123456789012:subnet/\(subnet)")
        let eni = try call("CreateNetworkInterface", ["SubnetId": subnet])
        #expect(value(eni, "privateIpAddress") == "10.0.1.4")
        let described = try call("DescribeSubnets", ["SubnetId.1": subnet])
        #expect(value(described, "availableIpAddressCount") == "250")
        expectError("InvalidSubnet.Conflict", "The CIDR '10.0.1.0/25' conflicts with another subnet") {
            try call("CreateSubnet", ["VpcId": vpc, "CidrBlock": "10.0.1.0/25"])
        }
        expectError("InvalidSubnet.Range", "The CIDR '10.1.0.0/24' is invalid.") {
            try call("CreateSubnet", ["VpcId": vpc, "CidrBlock": "10.1.0.0/24"])
        }
        expectError("DependencyViolation", "The subnet '\(subnet)' has dependencies and cannot be deleted.") {
            try call("DeleteSubnet", ["SubnetId": subnet])
        }
        expectError("DependencyViolation", "The vpc '\(vpc)' has dependencies and cannot be deleted.") {
            try call("DeleteVpc", ["VpcId": vpc])
        }
    }

    @Test func lambdaInterfacesCannotBeDeletedByUsers() throws {
        let vpc = try makeVpc()
        let subnet = try #require(value(try call("CreateSubnet", ["VpcId": vpc, "CidrBlock": "10.0.1.0/24"]), "subnetId"))
        try store.write { tx in
            let s = tx.state.subnets[subnet]!
            tx.put(NetworkInterface(
                id: "eni-0123456789abcdef0", subnetId: subnet, vpcId: vpc, availabilityZone: s.availabilityZone,
                privateIpAddress: tx.state.firstFreeAddress(inSubnet: subnet)!, macAddress: "02:00:00:00:00:01", groupIds: [],
                interfaceType: "lambda", description: "AWS Lambda VPC ENI-fn-1", requesterId: "AROAEXAMPLE:fn", requesterManaged: true,
                status: "in-use", sourceDestCheck: true,
                attachment: .init(id: "ela-attach-0123456789abcdef0", attachTime: tx.now, deleteOnTermination: false, deviceIndex: 1,
                                  instanceId: nil, instanceOwnerId: "amazon-aws", status: "attached"),
                ownerId: "123456789012", tags: [], createdAt: tx.now))
        }
        expectError("OperationNotPermitted", "You are not allowed to manage 'ela-attach' attachments.") {
            try call("DeleteNetworkInterface", ["NetworkInterfaceId": "eni-0123456789abcdef0"])
        }
        let xml = try call("DescribeNetworkInterfaces", ["Filter.1.Name": "attachment.attachment-id",
                                                         "Filter.1.Value.1": "ela-attach-*"])
        #expect(value(xml, "interfaceType") == "lambda")
        #expect(value(xml, "requesterManaged") == "true")
        #expect(xml.contains("<attachment><attachmentId>ela-attach-0123456789abcdef0</attachmentId>"))
        #expect(xml.contains("<privateIpAddressesSet><item><privateIpAddress>10.0.1.4</privateIpAddress>"))
    }

    @Test func securityGroupRulesRenderGroupedAndRejectDuplicates() throws {
        let vpc = try makeVpc()
        let sg = try #require(value(try call("CreateSecurityGroup", ["GroupName": "db", "GroupDescription": "d", "VpcId": vpc]), "groupId"))
        let auth = try call("AuthorizeSecurityGroupIngress", [
            "GroupId": sg, "IpPermissions.1.IpProtocol": "TCP", "IpPermissions.1.FromPort": "22", "IpPermissions.1.ToPort": "22",
            "IpPermissions.1.IpRanges.1.CidrIp": "10.0.0.0/16", "IpPermissions.1.IpRanges.2.CidrIp": "10.1.0.0/16",
        ])
        #expect(auth.contains("<return>true</return><securityGroupRuleSet><item><securityGroupRuleId>sgr-"))
        let xml = try call("DescribeSecurityGroups", ["GroupId.1": sg])
        #expect(xml.contains("<ipPermissions><item><ipProtocol>tcp</ipProtocol><fromPort>22</fromPort><toPort>22</toPort><groups></groups><ipRanges><item><cidrIp>10.0.0.0/16</cidrIp></item><item><cidrIp>10.1.0.0/16</cidrIp></item></ipRanges>"))
        #expect(xml.contains("<ipPermissionsEgress><item><ipProtocol>-1</ipProtocol><groups></groups><ipRanges><item><cidrIp>0.0.0.0/0</cidrIp>"))
        expectError("InvalidPermission.Duplicate",
                    "the specified rule \"peer: 10.0.0.0/16, TCP, from port: 22, to port: 22, ALLOW\" already exists") {
            try call("AuthorizeSecurityGroupIngress", ["GroupId": sg, "IpProtocol": "tcp", "FromPort": "22", "ToPort": "22",
                                                       "CidrIp": "10.0.0.0/16"])
        }
        expectError("InvalidParameterValue") {
            try call("AuthorizeSecurityGroupIngress", ["GroupId": sg, "IpPermissions.1.IpProtocol": "tcp",
                                                       "IpPermissions.1.IpRanges.1.CidrIp": "10.0.0.0/16"])
        }
        let revoke = try call("RevokeSecurityGroupIngress", ["GroupId": sg, "IpProtocol": "udp", "FromPort": "1", "ToPort": "1",
                                                             "CidrIp": "1.1.1.1/32"])
        #expect(revoke.contains("<unknownIpPermissionSet><item><ipProtocol>udp</ipProtocol>"))
        #expect(store.snapshot().securityGroupRules.values.filter { $0.groupId == sg }.count == 3)
    }

    @Test func defaultGroupAndReferencedGroupCannotBeDeleted() throws {
        let vpc = try makeVpc()
        let def = try #require(store.snapshot().securityGroups.values.first { $0.name == "default" }?.id)
        expectError("CannotDelete") { try call("DeleteSecurityGroup", ["GroupId": def]) }
        let a = try #require(value(try call("CreateSecurityGroup", ["GroupName": "a", "GroupDescription": "a", "VpcId": vpc]), "groupId"))
        try call("AuthorizeSecurityGroupIngress", ["GroupId": def, "IpPermissions.1.IpProtocol": "-1",
                                                   "IpPermissions.1.Groups.1.GroupId": a])
        expectError("DependencyViolation", "resource \(a) has a dependent object") { try call("DeleteSecurityGroup", ["GroupId": a]) }
        expectError("InvalidGroup.Duplicate", "The security group 'a' already exists for VPC '\(vpc)'") {
            try call("CreateSecurityGroup", ["GroupName": "a", "GroupDescription": "a", "VpcId": vpc])
        }
    }

    @Test func describeTagsAndFilters() throws {
        let vpc = try makeVpc()
        try call("CreateTags", ["ResourceId.1": vpc, "Tag.1.Key": "env", "Tag.1.Value": "prod"])
        let tags = try call("DescribeTags", ["Filter.1.Name": "resource-type", "Filter.1.Value.1": "vpc"])
        #expect(tags.contains("<tagSet><item><resourceId>\(vpc)</resourceId><resourceType>vpc</resourceType><key>env</key><value>prod</value></item></tagSet>"))
        let hit = try call("DescribeVpcs", ["Filter.1.Name": "tag:env", "Filter.1.Value.1": "p*"])
        #expect(hit.contains(vpc))
        let miss = try call("DescribeVpcs", ["Filter.1.Name": "tag:env", "Filter.1.Value.1": "dev"])
        #expect(miss.contains("<vpcSet></vpcSet>"))
        expectError("InvalidParameterValue", "The filter 'bogus' is invalid") {
            try call("DescribeSubnets", ["Filter.1.Name": "bogus", "Filter.1.Value.1": "x"])
        }
        expectError("InvalidID") { try call("CreateTags", ["ResourceId.1": "i-12345678", "Tag.1.Key": "a", "Tag.1.Value": "b"]) }
    }

    @Test func availabilityZonesOfTheRegion() throws {
        let xml = try call("DescribeAvailabilityZones")
        #expect(xml.contains("<zoneName>us-east-1a</zoneName><zoneId>use1-az1</zoneId><zoneState>available</zoneState>"))
        #expect(AvailabilityZones(region: "ap-southeast-2").zones[1].id == "apse2-az2")
        #expect(AvailabilityZones(region: "eu-central-1").zones[0].id == "euc1-az1")
    }
}
