import CloudModel
import Foundation

/// AWS::EC2::Instance: RunInstances for one instance, complete once running; deletion waits until terminated.
struct EC2InstanceProvider: ResourceProvider {
    let type = "AWS::EC2::Instance"
    let replacementProperties: Set<String> = ["ImageId", "SubnetId", "KeyName", "AvailabilityZone", "PrivateIpAddress",
                                              "NetworkInterfaces", "SecurityGroups", "LaunchTemplate", "InstanceType", "UserData",
                                              "SecurityGroupIds", "IamInstanceProfile"]

    func create(_ p: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned {
        var form = ["ImageId": try p.required("ImageId", of: type), "MinCount": "1", "MaxCount": "1"]
        form["InstanceType"] = p.string("InstanceType")
        form["SubnetId"] = p.string("SubnetId")
        form["KeyName"] = p.string("KeyName")
        form["UserData"] = p.string("UserData")
        form["PrivateIpAddress"] = p.string("PrivateIpAddress")
        form["Placement.AvailabilityZone"] = p.string("AvailabilityZone")
        if let profile = p.string("IamInstanceProfile") {
            form[profile.hasPrefix("arn:") ? "IamInstanceProfile.Arn" : "IamInstanceProfile.Name"] = profile
        }
        for (i, g) in p.strings("SecurityGroupIds").enumerated() { form["SecurityGroupId.\(i + 1)"] = g }
        c.tagSpecification("instance", p, into: &form)
        guard let id = try c.ec2("RunInstances", form).find("instanceId") else { throw ResourceFailure("Internal Failure") }
        return Provisioned(id, attributes: attributes(id, c), pending: true)
    }

    func attributes(_ id: String, _ c: ProviderContext) -> [String: StackAttributeValue] {
        guard let i = c.backends.ec2.store.snapshot().instances[id] else { return [:] }
        let privateIp = "\(i.privateIpAddress)"
        return ["AvailabilityZone": .string(i.availabilityZone), "PrivateIp": .string(privateIp), "InstanceId": .string(id),
                "PrivateDnsName": .string("ip-\(privateIp.replacingOccurrences(of: ".", with: "-")).ec2.internal")]
    }

    func stabilize(_ id: String, _ p: ResourceProperties, _ c: ProviderContext) async throws -> Stabilization {
        guard let i = c.backends.ec2.store.snapshot().instances[id] else { return .failed("Instance \(id) not found") }
        switch i.state {
        case .running: return .ready(attributes(id, c))
        case .pending: return .waiting
        default: return .failed("Resource handler returned message: \"Instance \(id) is \(i.state.rawValue)\" (HandlerErrorCode: NotStabilized)")
        }
    }

    func delete(_ id: String, _ p: ResourceProperties, _ c: ProviderContext) async throws -> Bool {
        try ignoringNotFound { try c.ec2("TerminateInstances", ["InstanceId.1": id]) }
        return try isDeleted(id, c)
    }

    func isDeleted(_ id: String, _ c: ProviderContext) throws -> Bool {
        guard let i = c.backends.ec2.store.snapshot().instances[id] else { return true }
        return i.state == .terminated
    }
}
