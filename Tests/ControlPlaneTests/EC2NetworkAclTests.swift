import AWSWire
import CloudModel
import Foundation
import Testing
@testable import ControlPlane

@Suite struct EC2NetworkAclTests {
    let h: EC2Harness
    init() throws { h = try EC2Harness() }

    func entry(_ acl: String, _ extra: [String: String]) -> [String: String] {
        ["NetworkAclId": acl, "RuleNumber": "100", "Protocol": "tcp", "RuleAction": "allow", "Egress": "false",
         "CidrBlock": "10.0.0.0/16", "PortRange.From": "5432", "PortRange.To": "5432"].merging(extra) { $1 }
    }

    @Test func entriesAreOrderedAndUnique() throws {
        let (vpc, _, _) = try h.network()
        let acl = try h.id("CreateNetworkAcl", ["VpcId": vpc], "networkAclId")
        #expect(h.store.snapshot().networkAcls[acl]?.entries.map(\.ruleAction) == ["deny", "deny"])
        try h.call("CreateNetworkAclEntry", entry(acl, ["RuleNumber": "200"]))
        try h.call("CreateNetworkAclEntry", entry(acl, [:]))
        try h.call("CreateNetworkAclEntry", entry(acl, ["Egress": "true", "Protocol": "-1", "PortRange.From": "", "PortRange.To": ""]))
        let entries = try #require(h.store.snapshot().networkAcls[acl]?.entries)
        #expect(entries.map { "\($0.egress ? "out" : "in") \($0.ruleNumber)" } == ["out 100", "out 32767", "in 100", "in 200", "in 32767"])
        #expect(entries[2].proto == "6" && entries[2].fromPort == 5432)
        h.expectError("NetworkAclEntryAlreadyExists", "The network acl entry identified by 100 already exists.") {
            try h.call("CreateNetworkAclEntry", entry(acl, [:]))
        }
        h.expectError("InvalidParameterValue") { try h.call("CreateNetworkAclEntry", entry(acl, ["RuleNumber": "32767"])) }
        h.expectError("InvalidParameterValue") { try h.call("CreateNetworkAclEntry", entry(acl, ["RuleNumber": "300", "RuleAction": "maybe"])) }
        h.expectError("MissingParameter") {
            try h.call("CreateNetworkAclEntry", entry(acl, ["RuleNumber": "300"]).filter { !$0.key.hasPrefix("PortRange") })
        }
        try h.call("ReplaceNetworkAclEntry", entry(acl, ["RuleAction": "deny"]))
        #expect(h.store.snapshot().networkAcls[acl]?.entries[2].ruleAction == "deny")
        h.expectError("InvalidNetworkAclEntry.NotFound") { try h.call("ReplaceNetworkAclEntry", entry(acl, ["RuleNumber": "150"])) }
        try h.call("DeleteNetworkAclEntry", ["NetworkAclId": acl, "RuleNumber": "200", "Egress": "false"])
        h.expectError("InvalidNetworkAclEntry.NotFound") {
            try h.call("DeleteNetworkAclEntry", ["NetworkAclId": acl, "RuleNumber": "200", "Egress": "false"])
        }
        let xml = try h.call("DescribeNetworkAcls", ["NetworkAclId.1": acl])
        #expect(xml.contains("<ruleNumber>100</ruleNumber><protocol>6</protocol><ruleAction>deny</ruleAction><egress>false</egress><cidrBlock>10.0.0.0/16</cidrBlock><portRange><from>5432</from><to>5432</to></portRange>"))
    }

    @Test func associationsAndDeletion() throws {
        let (vpc, subnet, _) = try h.network()
        let acl = try h.id("CreateNetworkAcl", ["VpcId": vpc], "networkAclId")
        let s = h.store.snapshot()
        let defaultAcl = try #require(s.networkAcls.values.first { $0.vpcId == vpc && $0.isDefault })
        let assoc = try #require(defaultAcl.associations.first { $0.subnetId == subnet }?.id)
        h.expectError("InvalidParameterValue", "cannot delete default network ACL \(defaultAcl.id)") {
            try h.call("DeleteNetworkAcl", ["NetworkAclId": defaultAcl.id])
        }
        let moved = try h.id("ReplaceNetworkAclAssociation", ["AssociationId": assoc, "NetworkAclId": acl], "newAssociationId")
        #expect(h.store.snapshot().networkAcls[acl]?.associations == [.init(id: moved, subnetId: subnet)])
        h.expectError("DependencyViolation", "The networkAcl '\(acl)' has dependencies and cannot be deleted.") {
            try h.call("DeleteNetworkAcl", ["NetworkAclId": acl])
        }
        h.expectError("InvalidAssociationID.NotFound") { try h.call("ReplaceNetworkAclAssociation", ["AssociationId": assoc, "NetworkAclId": acl]) }
        try h.call("ReplaceNetworkAclAssociation", ["AssociationId": moved, "NetworkAclId": defaultAcl.id])
        try h.call("DeleteNetworkAcl", ["NetworkAclId": acl])
        h.expectError("InvalidNetworkAclID.NotFound") { try h.call("DeleteNetworkAcl", ["NetworkAclId": acl]) }
    }
}
