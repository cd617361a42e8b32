import AWSWire
import CloudModel
import Foundation

/// AttachNetworkInterface, DetachNetworkInterface and ModifyNetworkInterfaceAttribute: the control plane records
/// an instance's secondary interfaces (device index ≥ 1); the primary (index 0) comes and goes with the instance.
extension EC2Service {
    func attachNetworkInterface(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let eniId = try required(p, "NetworkInterfaceId")
        let instanceId = try required(p, "InstanceId")
        let indexText = try required(p, "DeviceIndex")
        try checkID(eniId, "eni")
        try checkID(instanceId, "i")
        guard let deviceIndex = Int(indexText), deviceIndex >= 0 else { throw EC2Errors.invalidDeviceIndex(indexText) }
        // Every instance type here has one network card.
        if let card = p["NetworkCardIndex"], Int(card) != 0 { throw EC2Errors.invalidNetworkCardIndex(card) }
        let attachmentId = try mutate(p) { tx -> String in
            let s = tx.state
            guard let eni = s.networkInterfaces[eniId] else { throw EC2Errors.networkInterfaceNotFound(eniId) }
            guard let inst = s.instances[instanceId] else { throw EC2Errors.instanceNotFound([instanceId]) }
            if let a = eni.attachment, a.id.hasPrefix("ela-attach-") { throw EC2Errors.notAllowedElaAttachment() }
            if eni.attachment != nil || eni.status != "available" { throw EC2Errors.interfaceInUse(eniId) }
            // Lambda's and NAT gateways' interfaces belong to their service, even between attachments.
            if eni.requesterManaged { throw EC2Errors.notAllowedElaAttachment() }
            guard inst.state == .running || inst.state == .stopped else { throw EC2Errors.instanceStateForAttachment(instanceId) }
            if eni.availabilityZone != inst.availabilityZone { throw EC2Errors.interfaceInOtherZone() }
            let attached = s.interfaces(attachedTo: instanceId)
            if attached.contains(where: { $0.attachment?.deviceIndex == deviceIndex }) || deviceIndex == 0 {
                throw EC2Errors.deviceIndexTaken(instanceId, deviceIndex)
            }
            if let type = InstanceTypeInfo.all.first(where: { $0.name == inst.instanceType }), attached.count + 1 > type.maxInterfaces {
                throw EC2Errors.attachmentLimitExceeded(count: attached.count + 1, instanceType: type.name)
            }
            let id = ResourceID.make("eni-attach")
            let now = tx.now
            let owner = accountId
            tx.update(NetworkInterface.self, eniId) {
                $0.status = "in-use"
                $0.attachment = .init(id: id, attachTime: now, deleteOnTermination: false, deviceIndex: deviceIndex,
                                      instanceId: instanceId, instanceOwnerId: owner, status: "attached")
            }
            return id
        }
        return EC2XML.response("AttachNetworkInterface", requestID: ctx.requestID) { w in
            w.element("attachmentId", attachmentId)
            w.element("networkCardIndex", 0)
        }
    }

    func detachNetworkInterface(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let attachmentId = try required(p, "AttachmentId")
        // Force only matters to a real hypervisor; the detachment is the same either way.
        try mutate(p) { tx in
            guard let eni = tx.state.interface(withAttachment: attachmentId), let a = eni.attachment else {
                throw EC2Errors.attachmentNotFound(attachmentId)
            }
            if a.id.hasPrefix("ela-attach-") || eni.requesterManaged { throw EC2Errors.notAllowedElaAttachment() }
            if a.deviceIndex == 0 { throw EC2Errors.primaryInterfaceDetach() }
            tx.update(NetworkInterface.self, eni.id) {
                $0.attachment = nil
                $0.status = "available"
            }
        }
        return EC2XML.response("DetachNetworkInterface", requestID: ctx.requestID) { $0.element("return", true) }
    }

    /// One attribute per call, as EC2 takes it: the attachment's DeleteOnTermination, Description,
    /// SourceDestCheck or the security groups.
    func modifyNetworkInterfaceAttribute(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let eniId = try required(p, "NetworkInterfaceId")
        try checkID(eniId, "eni")
        let groups = p.list("SecurityGroupId")
        for g in groups { try checkID(g, "sg") }
        let description = p["Description.Value"]
        let sourceDestCheck = try p["SourceDestCheck.Value"].map { try Self.boolean($0, "sourceDestCheck") }
        let attachmentId = p["Attachment.AttachmentId"]
        let deleteOnTermination = try p["Attachment.DeleteOnTermination"].map { try Self.boolean($0, "deleteOnTermination") }
        let given = [description != nil, sourceDestCheck != nil, !groups.isEmpty, attachmentId != nil || deleteOnTermination != nil]
            .filter { $0 }.count
        if given == 0 { throw EC2Errors.missingParameter("attribute") }
        if given > 1 { throw EC2Errors.multipleInterfaceAttributes() }
        try mutate(p) { tx in
            guard let eni = tx.get(NetworkInterface.self, eniId) else { throw EC2Errors.networkInterfaceNotFound(eniId) }
            if attachmentId != nil || deleteOnTermination != nil {
                guard let attachmentId else { throw EC2Errors.missingParameter("attachment.attachmentId") }
                guard let deleteOnTermination else { throw EC2Errors.missingParameter("attachment.deleteOnTermination") }
                guard let a = eni.attachment, a.id == attachmentId else {
                    if tx.state.interface(withAttachment: attachmentId) == nil { throw EC2Errors.attachmentNotFound(attachmentId) }
                    throw EC2Errors.attachmentOfOtherInterface(attachmentId, eniId)
                }
                if a.id.hasPrefix("ela-attach-") || eni.requesterManaged { throw EC2Errors.notAllowedElaAttachment() }
                tx.update(NetworkInterface.self, eniId) { $0.attachment?.deleteOnTermination = deleteOnTermination }
            }
            if let description { tx.update(NetworkInterface.self, eniId) { $0.description = description } }
            if let sourceDestCheck { tx.update(NetworkInterface.self, eniId) { $0.sourceDestCheck = sourceDestCheck } }
            if !groups.isEmpty {
                var unique: [String] = []
                for g in groups where !unique.contains(g) {
                    guard let sg = tx.state.securityGroups[g] else { throw EC2Errors.groupNotFound(g) }
                    if sg.vpcId != eni.vpcId { throw EC2Errors.differentNetworks(g, eni.subnetId) }
                    unique.append(g)
                }
                tx.update(NetworkInterface.self, eniId) { $0.groupIds = unique }
            }
        }
        return EC2XML.response("ModifyNetworkInterfaceAttribute", requestID: ctx.requestID) { $0.element("return", true) }
    }

    static func boolean(_ text: String, _ name: String) throws -> Bool {
        switch text.lowercased() {
        case "true": return true
        case "false": return false
        default: throw EC2Errors.invalidParameterValue("Value (\(text)) for parameter \(name) is invalid. Expected a boolean.")
        }
    }
}
