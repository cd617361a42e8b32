import AWSWire
import CloudModel

/// Reading `LaunchTemplateData.*` from a request and writing `launchTemplateData` back, member names as
/// botocore's RequestLaunchTemplateData / ResponseLaunchTemplateData spell them. Fields not modelled here are
/// not kept (see docs/ARCHITECTURE.md).
extension LaunchTemplateData {
    /// `base` overlaid with every field the request sets (CreateLaunchTemplateVersion's SourceVersion semantics).
    static func parse(_ q: QueryParameters, over base: LaunchTemplateData = LaunchTemplateData()) throws -> LaunchTemplateData {
        var d = base
        func bool(_ key: String) throws -> Bool? {
            guard let v = q[key] else { return nil }
            switch v.lowercased() {
            case "true": return true
            case "false": return false
            default: throw EC2Errors.invalidParameterValue("Invalid value '\(v)' for \(key)")
            }
        }
        func int(_ key: String) throws -> Int? {
            guard let v = q[key] else { return nil }
            guard let n = Int(v) else { throw EC2Errors.invalidParameterValue("Invalid value '\(v)' for \(key)") }
            return n
        }
        if let v = q["ImageId"] { d.imageId = v }
        if let v = q["InstanceType"] { d.instanceType = v }
        if let v = q["KeyName"] { d.keyName = v }
        if let v = q["UserData"] { d.userData = v }
        if q.has(prefix: "SecurityGroupId") { d.securityGroupIds = q.list("SecurityGroupId") }
        if q.has(prefix: "SecurityGroup") { d.securityGroups = q.list("SecurityGroup") }
        if q.has(prefix: "NetworkInterface") {
            d.networkInterfaces = try q.structures("NetworkInterface").map { n in
                var s = LaunchTemplateData.NetworkInterfaceSpec()
                if let v = n["DeviceIndex"] {
                    guard let i = Int(v) else { throw EC2Errors.invalidParameterValue("Invalid value '\(v)' for DeviceIndex") }
                    s.deviceIndex = i
                }
                s.subnetId = n["SubnetId"]
                s.groups = n.list("SecurityGroupId")
                s.associatePublicIpAddress = n["AssociatePublicIpAddress"].map { $0.lowercased() == "true" }
                s.deleteOnTermination = n["DeleteOnTermination"].map { $0.lowercased() == "true" }
                s.description = n["Description"]
                s.privateIpAddress = n["PrivateIpAddress"]
                s.networkInterfaceId = n["NetworkInterfaceId"]
                return s
            }
        }
        if q.has(prefix: "TagSpecification") {
            d.tagSpecifications = q.structures("TagSpecification").map { t in
                TagSpec(resourceType: t["ResourceType"] ?? "", tags: t.structures("Tag").map { Tag(key: $0["Key"] ?? "", value: $0["Value"] ?? "") })
            }
        }
        if q.has(prefix: "BlockDeviceMapping") {
            d.blockDeviceMappings = try q.structures("BlockDeviceMapping").map { b in
                var m = LaunchTemplateData.BlockDevice()
                m.deviceName = b["DeviceName"]; m.noDevice = b["NoDevice"]; m.virtualName = b["VirtualName"]
                let e = b.structure("Ebs")
                func eInt(_ k: String) throws -> Int? {
                    guard let v = e[k] else { return nil }
                    guard let n = Int(v) else { throw EC2Errors.invalidParameterValue("Invalid value '\(v)' for \(k)") }
                    return n
                }
                m.volumeSize = try eInt("VolumeSize"); m.iops = try eInt("Iops"); m.throughput = try eInt("Throughput")
                m.volumeType = e["VolumeType"]; m.snapshotId = e["SnapshotId"]; m.kmsKeyId = e["KmsKeyId"]
                m.deleteOnTermination = e["DeleteOnTermination"].map { $0.lowercased() == "true" }
                m.encrypted = e["Encrypted"].map { $0.lowercased() == "true" }
                return m
            }
        }
        if let v = q["IamInstanceProfile.Arn"] { d.iamInstanceProfileArn = v }
        if let v = q["IamInstanceProfile.Name"] { d.iamInstanceProfileName = v }
        if let v = q["Placement.AvailabilityZone"] { d.availabilityZone = v }
        if let v = q["Placement.Tenancy"] { d.tenancy = v }
        if let v = try bool("Monitoring.Enabled") { d.monitoring = v }
        if let v = try bool("EbsOptimized") { d.ebsOptimized = v }
        if let v = try bool("DisableApiTermination") { d.disableApiTermination = v }
        if let v = try bool("DisableApiStop") { d.disableApiStop = v }
        if let v = q["InstanceInitiatedShutdownBehavior"] { d.instanceInitiatedShutdownBehavior = v }
        if let v = q["CreditSpecification.CpuCredits"] { d.cpuCredits = v }
        if q.has(prefix: "MetadataOptions") {
            var m = d.metadata ?? LaunchTemplateData.MetadataOptions()
            if let v = q["MetadataOptions.HttpTokens"] { m.httpTokens = v }
            if let v = q["MetadataOptions.HttpEndpoint"] { m.httpEndpoint = v }
            if let v = try int("MetadataOptions.HttpPutResponseHopLimit") { m.httpPutResponseHopLimit = v }
            if let v = q["MetadataOptions.HttpProtocolIpv6"] { m.httpProtocolIpv6 = v }
            if let v = q["MetadataOptions.InstanceMetadataTags"] { m.instanceMetadataTags = v }
            d.metadata = m
        }
        return d
    }
}

extension EC2XML {
    static func launchTemplateData(_ w: inout XMLWriter, _ d: LaunchTemplateData) {
        w.open("launchTemplateData")
        w.element("ebsOptimized", d.ebsOptimized)
        if d.iamInstanceProfileArn != nil || d.iamInstanceProfileName != nil {
            w.element("iamInstanceProfile") { w in
                w.element("arn", d.iamInstanceProfileArn)
                w.element("name", d.iamInstanceProfileName)
            }
        }
        if !d.blockDeviceMappings.isEmpty {
            w.list("blockDeviceMappingSet", d.blockDeviceMappings) { w, b in
                w.element("deviceName", b.deviceName)
                w.element("virtualName", b.virtualName)
                w.element("noDevice", b.noDevice)
                let hasEbs = b.volumeSize != nil || b.volumeType != nil || b.deleteOnTermination != nil || b.encrypted != nil
                    || b.iops != nil || b.throughput != nil || b.snapshotId != nil || b.kmsKeyId != nil
                if hasEbs {
                    w.element("ebs") { w in
                        w.element("encrypted", b.encrypted)
                        w.element("deleteOnTermination", b.deleteOnTermination)
                        w.element("iops", b.iops)
                        w.element("kmsKeyId", b.kmsKeyId)
                        w.element("snapshotId", b.snapshotId)
                        w.element("volumeSize", b.volumeSize)
                        w.element("volumeType", b.volumeType)
                        w.element("throughput", b.throughput)
                    }
                }
            }
        }
        if !d.networkInterfaces.isEmpty {
            w.list("networkInterfaceSet", d.networkInterfaces) { w, n in
                w.element("associatePublicIpAddress", n.associatePublicIpAddress)
                w.element("deleteOnTermination", n.deleteOnTermination)
                w.element("description", n.description)
                w.element("deviceIndex", n.deviceIndex)
                if !n.groups.isEmpty { w.list("groupSet", n.groups) { w, g in w.appendEscaped(g) } }
                w.element("networkInterfaceId", n.networkInterfaceId)
                w.element("privateIpAddress", n.privateIpAddress)
                w.element("subnetId", n.subnetId)
            }
        }
        w.element("imageId", d.imageId)
        w.element("instanceType", d.instanceType)
        w.element("keyName", d.keyName)
        if let m = d.monitoring { w.element("monitoring") { $0.element("enabled", m) } }
        if d.availabilityZone != nil || d.tenancy != nil {
            w.element("placement") { w in
                w.element("availabilityZone", d.availabilityZone)
                w.element("tenancy", d.tenancy)
            }
        }
        w.element("disableApiTermination", d.disableApiTermination)
        w.element("instanceInitiatedShutdownBehavior", d.instanceInitiatedShutdownBehavior)
        w.element("userData", d.userData)
        if !d.tagSpecifications.isEmpty {
            w.list("tagSpecificationSet", d.tagSpecifications) { w, t in
                w.element("resourceType", t.resourceType)
                w.list("tagSet", t.tags) { w, tag in w.element("key", tag.key); w.element("value", tag.value) }
            }
        }
        if !d.securityGroupIds.isEmpty { w.list("securityGroupIdSet", d.securityGroupIds) { w, g in w.appendEscaped(g) } }
        if !d.securityGroups.isEmpty { w.list("securityGroupSet", d.securityGroups) { w, g in w.appendEscaped(g) } }
        if let c = d.cpuCredits { w.element("creditSpecification") { $0.element("cpuCredits", c) } }
        if let m = d.metadata {
            w.element("metadataOptions") { w in
                w.element("httpTokens", m.httpTokens)
                w.element("httpPutResponseHopLimit", m.httpPutResponseHopLimit)
                w.element("httpEndpoint", m.httpEndpoint)
                w.element("httpProtocolIpv6", m.httpProtocolIpv6)
                w.element("instanceMetadataTags", m.instanceMetadataTags)
            }
        }
        w.element("disableApiStop", d.disableApiStop)
        w.close("launchTemplateData")
    }
}
