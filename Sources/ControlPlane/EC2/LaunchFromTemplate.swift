import AWSWire
import CloudModel

/// RunInstances with `LaunchTemplate.{LaunchTemplateId|LaunchTemplateName, Version}`: the version's settings
/// become request parameters wherever the request does not set them itself, and the instance gets EC2's
/// `aws:ec2launchtemplate:id` / `aws:ec2launchtemplate:version` tags.
extension EC2Service {
    func launchParameters(_ p: QueryParameters) throws -> (QueryParameters, [Tag]) {
        guard p["LaunchTemplate.LaunchTemplateId"] != nil || p["LaunchTemplate.LaunchTemplateName"] != nil else {
            return (p, [])
        }
        let t = try namedTemplate(p, in: store.snapshot(), prefix: "LaunchTemplate.")
        let v = try Self.resolveVersion(p["LaunchTemplate.Version"] ?? "$Default", of: t)
        let d = v.data
        var values = p.values
        func fill(_ key: String, _ value: String?) {
            if let value, values[key] == nil { values[key] = value }
        }
        func fillList(_ prefix: String, _ items: [String]) {
            guard !items.isEmpty, !p.has(prefix: prefix) else { return }
            for (i, item) in items.enumerated() { values["\(prefix).\(i + 1)"] = item }
        }
        fill("ImageId", d.imageId)
        fill("InstanceType", d.instanceType)
        fill("KeyName", d.keyName)
        fill("UserData", d.userData)
        if !p.has(prefix: "IamInstanceProfile") {
            fill("IamInstanceProfile.Arn", d.iamInstanceProfileArn)
            fill("IamInstanceProfile.Name", d.iamInstanceProfileName)
        }
        fillList("SecurityGroupId", d.securityGroupIds)
        fillList("SecurityGroup", d.securityGroups)
        if let nic = d.networkInterfaces.first(where: { ($0.deviceIndex ?? 0) == 0 }), !p.has(prefix: "NetworkInterface") {
            fill("NetworkInterface.1.SubnetId", nic.subnetId)
            fill("NetworkInterface.1.PrivateIpAddress", nic.privateIpAddress)
            if !p.has(prefix: "SecurityGroupId") {
                for (i, g) in nic.groups.enumerated() { values["NetworkInterface.1.SecurityGroupId.\(i + 1)"] = g }
            }
        }
        // Tag specifications merge by resource type: the request's win.
        let requested = Set(p.structures("TagSpecification").map { $0["ResourceType"] ?? "" })
        var index = p.structures("TagSpecification").count
        for spec in d.tagSpecifications where !requested.contains(spec.resourceType)
            && ["instance", "network-interface", "volume"].contains(spec.resourceType) {
            index += 1
            values["TagSpecification.\(index).ResourceType"] = spec.resourceType
            for (j, tag) in spec.tags.enumerated() {
                values["TagSpecification.\(index).Tag.\(j + 1).Key"] = tag.key
                values["TagSpecification.\(index).Tag.\(j + 1).Value"] = tag.value
            }
        }
        let tags = [Tag(key: "aws:ec2launchtemplate:id", value: t.id),
                    Tag(key: "aws:ec2launchtemplate:version", value: String(v.number))]
        return (QueryParameters(values), tags)
    }
}
