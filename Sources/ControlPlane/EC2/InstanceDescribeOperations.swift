import AWSWire
import CloudModel
import Foundation

extension EC2Service {
    func describeInstances(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let s = store.snapshot()
        if p["MaxResults"] != nil && !p.list("InstanceId").isEmpty {
            throw EC2Errors.parameterCombination("instanceIds", "maxResults")
        }
        let region = self.region
        let filter = try EC2Filters.compile(p, tags: { (i: Instance) in i.tags }) {
            [
                "instance-id": { [$0.id] },
                "instance-state-name": { [$0.state.rawValue] },
                "instance-state-code": { [String($0.state.code)] },
                "subnet-id": { [$0.subnetId] },
                "vpc-id": { [$0.vpcId] },
                "private-ip-address": { [$0.privateIpAddress.description] },
                "private-dns-name": { [EC2XML.privateDnsName($0.privateIpAddress, region: region)] },
                "ip-address": { i in i.networkInterfaceId.flatMap { s.address(onInterface: $0) }.map { [$0.publicIp.description] } ?? [] },
                "image-id": { [$0.imageId] },
                "instance-type": { [$0.instanceType] },
                "reservation-id": { [$0.reservationId] },
                "availability-zone": { [$0.availabilityZone] },
                "key-name": { $0.keyName.map { [$0] } ?? [] },
                "owner-id": { [$0.ownerId] },
                "group-id": { $0.groupIds },
                "instance.group-id": { $0.groupIds },
                "instance.group-name": { i in i.groupIds.compactMap { s.securityGroups[$0]?.name } },
                "network-interface.network-interface-id": { i in s.interfaces(attachedTo: i.id).map(\.id) },
                "network-interface.subnet-id": { i in i.networkInterfaceId == nil ? [] : [i.subnetId] },
                "client-token": { $0.clientToken.map { [$0] } ?? [] },
            ]
        }
        var instances: [Instance]
        if p.list("InstanceId").isEmpty {
            instances = Array(s.instances.values)
        } else {
            instances = try namedInstances(p, in: s)
        }
        if !filter.isEmpty { instances = instances.filter(filter.matches) }
        instances.sort { $0.id < $1.id }
        let page = try EC2Pagination.page(instances, key: \.id, p)
        // One reservation item per launch, in the order their first instance appears on the page.
        var order: [String] = []
        var byReservation: [String: [Instance]] = [:]
        for i in page.items {
            if byReservation[i.reservationId] == nil { order.append(i.reservationId) }
            byReservation[i.reservationId, default: []].append(i)
        }
        return EC2XML.response("DescribeInstances", requestID: ctx.requestID) { w in
            w.list("reservationSet", order) { w, r in
                EC2XML.reservation(&w, byReservation[r]!.sorted { $0.amiLaunchIndex < $1.amiLaunchIndex }, state: s,
                                   region: region, zones: self.zones)
            }
            w.element("nextToken", page.nextToken)
        }
    }

    func describeInstanceStatus(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let s = store.snapshot()
        let includeAll = p["IncludeAllInstances"]?.lowercased() == "true"
        let filter = try EC2Filters.compile(p, tags: nil) { () -> EC2Filters.Fields<Instance> in
            [
                "instance-state-name": { [$0.state.rawValue] },
                "instance-state-code": { [String($0.state.code)] },
                "availability-zone": { [$0.availabilityZone] },
                "instance-status.status": { $0.state == .running ? ["ok"] : ["not-applicable"] },
                "system-status.status": { $0.state == .running ? ["ok"] : ["not-applicable"] },
            ]
        }
        var instances = try p.list("InstanceId").isEmpty ? Array(s.instances.values) : namedInstances(p, in: s)
        if !includeAll { instances = instances.filter { $0.state == .running } }
        if !filter.isEmpty { instances = instances.filter(filter.matches) }
        instances.sort { $0.id < $1.id }
        let page = try EC2Pagination.page(instances, key: \.id, p)
        return EC2XML.response("DescribeInstanceStatus", requestID: ctx.requestID) { w in
            w.list("instanceStatusSet", Array(page.items)) { w, i in
                w.element("instanceId", i.id)
                w.element("availabilityZone", i.availabilityZone)
                w.element("availabilityZoneId", self.zones.zoneId(ofName: i.availabilityZone))
                w.element("instanceState") { EC2XML.instanceState(&$0, i.state) }
                let status = i.state == .running ? "ok" : "not-applicable"
                for name in ["systemStatus", "instanceStatus"] {
                    w.element(name) { w in
                        w.element("status", status)
                        w.list("details", i.state == .running ? [0] : []) { w, _ in
                            w.element("name", "reachability"); w.element("status", "passed")
                        }
                    }
                }
                w.open("eventsSet"); w.close("eventsSet")
            }
            w.element("nextToken", page.nextToken)
        }
    }
}

extension EC2XML {
    public static func instanceState(_ w: inout XMLWriter, _ st: InstanceState) {
        w.element("code", st.code)
        w.element("name", st.rawValue)
    }

    /// `2024-01-02 03:04:05 GMT`, the time format of EC2's state transition reasons.
    public static func reasonTime(_ d: Date) -> String {
        let t = timestamp(d)
        return String(t.prefix(10)) + " " + String(t.dropFirst(11).prefix(8)) + " GMT"
    }

    /// One reservation: the members of RunInstances' answer, or one `reservationSet` item.
    static func reservation(_ w: inout XMLWriter, _ instances: [Instance], state s: CloudState, region: String,
                            zones: AvailabilityZones) {
        w.element("reservationId", instances.first?.reservationId)
        w.element("ownerId", instances.first?.ownerId)
        w.open("groupSet"); w.close("groupSet")
        w.list("instancesSet", instances) { w, i in instance(&w, i, state: s, region: region, zones: zones) }
    }

    static func groups(_ w: inout XMLWriter, _ ids: [String], _ s: CloudState) {
        w.list("groupSet", ids) { w, g in
            w.element("groupId", g)
            w.element("groupName", s.securityGroups[g]?.name)
        }
    }

    static func instance(_ w: inout XMLWriter, _ i: Instance, state s: CloudState, region: String, zones: AvailabilityZones) {
        let eni = i.networkInterfaceId.flatMap { s.networkInterfaces[$0] }
        let publicAddress = eni.flatMap { s.address(onInterface: $0.id) }
        let dns = privateDnsName(i.privateIpAddress, region: region)
        w.element("instanceId", i.id)
        w.element("imageId", i.imageId)
        w.element("instanceState") { instanceState(&$0, i.state) }
        w.element("privateDnsName", i.state == .terminated ? "" : dns)
        w.element("dnsName", "")
        w.element("reason", i.stateTransitionReason)
        w.element("keyName", i.keyName)
        w.element("amiLaunchIndex", i.amiLaunchIndex)
        w.open("productCodes"); w.close("productCodes")
        w.element("instanceType", i.instanceType)
        w.element("launchTime", timestamp(i.launchTime))
        w.element("placement") { w in
            w.element("availabilityZoneId", zones.zoneId(ofName: i.availabilityZone))
            w.element("availabilityZone", i.availabilityZone)
            w.element("groupName", "")
            w.element("tenancy", "default")
        }
        w.element("monitoring") { $0.element("state", "disabled") }
        if i.state != .terminated {
            w.element("subnetId", i.subnetId)
            w.element("vpcId", i.vpcId)
            w.element("privateIpAddress", i.privateIpAddress.description)
        }
        w.element("ipAddress", publicAddress?.publicIp.description)
        w.element("sourceDestCheck", true)
        groups(&w, i.state == .terminated ? [] : i.groupIds, s)
        if let code = i.stateReasonCode {
            w.element("stateReason") { w in
                w.element("code", code)
                w.element("message", code == "Client.UserInitiatedShutdown"
                          ? "Client.UserInitiatedShutdown: User initiated shutdown" : "\(code): Internal error on launch")
            }
        }
        w.element("architecture", "x86_64")
        w.element("rootDeviceType", "ebs")
        w.element("rootDeviceName", "/dev/xvda")
        w.open("blockDeviceMapping"); w.close("blockDeviceMapping")
        w.element("virtualizationType", "hvm")
        w.element("clientToken", i.clientToken ?? "")
        if let arn = i.iamInstanceProfileArn {
            w.element("iamInstanceProfile") { w in
                w.element("arn", arn)
                w.element("id", i.iamInstanceProfileId)
            }
        }
        tagSet(&w, i.tags)
        w.element("hypervisor", "xen")
        // Every attached interface in device-index order: the primary, then those AttachNetworkInterface added.
        let attached = i.state == .terminated ? [] : s.interfaces(attachedTo: i.id)
        w.list("networkInterfaceSet", attached) { w, n in
            let publicAddress = s.address(onInterface: n.id)
            let dns = privateDnsName(n.privateIpAddress, region: region)
            w.element("networkInterfaceId", n.id)
            w.element("subnetId", n.subnetId)
            w.element("vpcId", n.vpcId)
            w.element("description", n.description)
            w.element("ownerId", n.ownerId)
            w.element("status", n.status)
            w.element("macAddress", n.macAddress)
            w.element("privateIpAddress", n.privateIpAddress.description)
            w.element("privateDnsName", dns)
            w.element("sourceDestCheck", n.sourceDestCheck)
            groups(&w, n.groupIds, s)
            if let a = n.attachment {
                w.element("attachment") { w in
                    w.element("attachmentId", a.id)
                    w.element("deviceIndex", a.deviceIndex)
                    w.element("status", a.status)
                    w.element("attachTime", timestamp(a.attachTime))
                    w.element("deleteOnTermination", a.deleteOnTermination)
                    w.element("networkCardIndex", 0)
                }
            }
            if let publicAddress { instanceAssociation(&w, publicAddress) }
            w.list("privateIpAddressesSet", [n.privateIpAddress]) { w, ip in
                w.element("privateIpAddress", ip.description)
                w.element("privateDnsName", dns)
                w.element("primary", true)
                if let publicAddress { instanceAssociation(&w, publicAddress) }
            }
            w.open("ipv6AddressesSet"); w.close("ipv6AddressesSet")
            w.element("interfaceType", n.interfaceType)
        }
        w.element("ebsOptimized", false)
        w.element("enaSupport", true)
        w.element("cpuOptions") { w in w.element("coreCount", 1); w.element("threadsPerCore", 2) }
        w.element("hibernationOptions") { $0.element("configured", false) }
        w.element("metadataOptions") { w in
            w.element("state", "applied")
            w.element("httpTokens", "required")
            w.element("httpPutResponseHopLimit", 2)
            w.element("httpEndpoint", "enabled")
            w.element("httpProtocolIpv6", "disabled")
            w.element("instanceMetadataTags", "disabled")
        }
        w.element("enclaveOptions") { $0.element("enabled", false) }
        w.element("platformDetails", "Linux/UNIX")
        w.element("usageOperation", "RunInstances")
        w.element("usageOperationUpdateTime", timestamp(i.launchTime))
        w.element("privateDnsNameOptions") { w in
            w.element("hostnameType", "ip-name")
            w.element("enableResourceNameDnsARecord", false)
            w.element("enableResourceNameDnsAAAARecord", false)
        }
        w.element("maintenanceOptions") { $0.element("autoRecovery", "default") }
        w.element("currentInstanceBootMode", "legacy-bios")
    }

    static func instanceAssociation(_ w: inout XMLWriter, _ a: ElasticAddress) {
        w.element("association") { w in
            w.element("publicIp", a.publicIp.description)
            w.element("publicDnsName", "")
            w.element("ipOwnerId", a.ownerId)
        }
    }
}
