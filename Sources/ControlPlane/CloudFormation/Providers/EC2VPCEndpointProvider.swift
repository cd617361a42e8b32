import CloudFormationTemplate
import CloudModel

/// AWS::EC2::VPCEndpoint (gateway and interface): interface endpoints complete once available.
struct EC2VPCEndpointProvider: ResourceProvider {
    let type = "AWS::EC2::VPCEndpoint"
    let replacementProperties: Set<String> = ["VpcId", "ServiceName", "VpcEndpointType"]

    static func policy(_ p: ResourceProperties) -> String? {
        switch p["PolicyDocument"] {
        case .string(let s)?: return s
        case let v?: return v.jsonText()
        case nil: return nil
        }
    }

    func create(_ p: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned {
        var form = ["VpcId": try p.required("VpcId", of: type), "ServiceName": try p.required("ServiceName", of: type)]
        form["VpcEndpointType"] = p.string("VpcEndpointType")
        form["PolicyDocument"] = Self.policy(p)
        form["PrivateDnsEnabled"] = p.string("PrivateDnsEnabled")
        for (i, v) in p.strings("RouteTableIds").enumerated() { form["RouteTableId.\(i + 1)"] = v }
        for (i, v) in p.strings("SubnetIds").enumerated() { form["SubnetId.\(i + 1)"] = v }
        for (i, v) in p.strings("SecurityGroupIds").enumerated() { form["SecurityGroupId.\(i + 1)"] = v }
        guard let id = try c.ec2("CreateVpcEndpoint", form).find("vpcEndpointId") else { throw ResourceFailure("Internal Failure") }
        return Provisioned(id, attributes: attributes(id, c), pending: true)
    }

    func attributes(_ id: String, _ c: ProviderContext) -> [String: StackAttributeValue] {
        guard let e = c.backends.ec2.store.snapshot().vpcEndpoints[id] else { return ["Id": .string(id)] }
        return ["Id": .string(id), "CreationTimestamp": .string(CloudFormationXML.time(e.stateChangedAt)),
                "NetworkInterfaceIds": .list(e.networkInterfaceIds), "DnsEntries": .list([])]
    }

    func stabilize(_ id: String, _ p: ResourceProperties, _ c: ProviderContext) async throws -> Stabilization {
        guard let e = c.backends.ec2.store.snapshot().vpcEndpoints[id] else { return .failed("VPC endpoint \(id) not found") }
        switch e.state {
        case .available: return .ready(attributes(id, c))
        case .failed: return .failed("Resource handler returned message: \"VPC endpoint \(id) went to failed state\" (HandlerErrorCode: NotStabilized)")
        default: return .waiting
        }
    }

    func update(_ id: String, old: ResourceProperties, new: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned? {
        var form = ["VpcEndpointId": id]
        if Self.policy(old) != Self.policy(new) {
            if let p = Self.policy(new) { form["PolicyDocument"] = p } else { form["ResetPolicy"] = "true" }
        }
        func diff(_ key: String, add: String, remove: String) {
            let a = Set(old.strings(key)), b = Set(new.strings(key))
            for (i, v) in b.subtracting(a).sorted().enumerated() { form["\(add).\(i + 1)"] = v }
            for (i, v) in a.subtracting(b).sorted().enumerated() { form["\(remove).\(i + 1)"] = v }
        }
        diff("RouteTableIds", add: "AddRouteTableId", remove: "RemoveRouteTableId")
        diff("SubnetIds", add: "AddSubnetId", remove: "RemoveSubnetId")
        diff("SecurityGroupIds", add: "AddSecurityGroupId", remove: "RemoveSecurityGroupId")
        if form.count > 1 { try c.ec2("ModifyVpcEndpoint", form) }
        return Provisioned(id, attributes: attributes(id, c))
    }

    func delete(_ id: String, _ p: ResourceProperties, _ c: ProviderContext) async throws -> Bool {
        try ignoringNotFound { try c.ec2("DeleteVpcEndpoints", ["VpcEndpointId.1": id]) }
        return true
    }
}
