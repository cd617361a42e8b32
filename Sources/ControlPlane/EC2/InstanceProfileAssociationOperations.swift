import AWSWire
import CloudModel

/// An instance's IAM instance profile after launch: Associate, Describe, Replace and Disassociate. An instance has at
/// most one association (`iip-assoc-…`); what IMDS hands the instance follows it at once.
extension EC2Service {
    func associateIamInstanceProfile(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let instanceId = try required(p, "InstanceId")
        try checkID(instanceId, "i")
        let arn = p["IamInstanceProfile.Arn"], name = p["IamInstanceProfile.Name"]
        if arn == nil && name == nil { throw EC2Errors.missingParameter("iamInstanceProfile") }
        let instance = try mutate(p) { tx -> Instance in
            let s = tx.state
            guard var i = s.instances[instanceId], i.state != .terminated, i.state != .shuttingDown else {
                throw EC2Errors.instanceNotFound([instanceId])
            }
            if i.iamInstanceProfileAssociationId != nil { throw Self.existingAssociation(instanceId) }
            let iam = iamStore.snapshot()
            let profile = try Self.instanceProfile(arn: arn, name: name, in: iam)
            try Self.authorizePassRole(of: profile, in: iam, accountId: accountId, ctx)
            i.iamInstanceProfileArn = profile?.arn
            i.iamInstanceProfileId = profile?.instanceProfileId
            i.iamInstanceProfileAssociationId = ResourceID.make("iip-assoc")
            tx.put(i)
            return i
        }
        return EC2XML.response("AssociateIamInstanceProfile", requestID: ctx.requestID) { w in
            w.element("iamInstanceProfileAssociation") { Self.association(&$0, instance, state: "associating") }
        }
    }

    func describeIamInstanceProfileAssociations(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let s = store.snapshot()
        let filter = try EC2Filters.compile(p, tags: nil) {
            ["instance-id": { (i: Instance) in [i.id] }, "state": { _ in ["associated"] }]
        }
        var associated = s.instances.values.filter { $0.iamInstanceProfileAssociationId != nil && $0.state != .terminated }
        let ids = p.list("AssociationId")
        if !ids.isEmpty {
            for id in ids where !associated.contains(where: { $0.iamInstanceProfileAssociationId == id }) {
                throw Self.associationNotFound(id)
            }
            associated = associated.filter { ids.contains($0.iamInstanceProfileAssociationId!) }
        }
        let list = associated.filter(filter.matches).sorted { $0.id < $1.id }
        return EC2XML.response("DescribeIamInstanceProfileAssociations", requestID: ctx.requestID) { w in
            w.list("iamInstanceProfileAssociationSet", list) { w, i in Self.association(&w, i, state: "associated") }
        }
    }

    func disassociateIamInstanceProfile(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let associationId = try required(p, "AssociationId")
        let before = try mutate(p) { tx -> Instance in
            guard var i = tx.state.instances.values.first(where: { $0.iamInstanceProfileAssociationId == associationId }) else {
                throw Self.associationNotFound(associationId)
            }
            let before = i
            i.iamInstanceProfileArn = nil
            i.iamInstanceProfileId = nil
            i.iamInstanceProfileAssociationId = nil
            tx.put(i)
            return before
        }
        return EC2XML.response("DisassociateIamInstanceProfile", requestID: ctx.requestID) { w in
            w.element("iamInstanceProfileAssociation") { Self.association(&$0, before, state: "disassociating") }
        }
    }

    func replaceIamInstanceProfileAssociation(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let associationId = try required(p, "AssociationId")
        let arn = p["IamInstanceProfile.Arn"], name = p["IamInstanceProfile.Name"]
        if arn == nil && name == nil { throw EC2Errors.missingParameter("iamInstanceProfile") }
        let instance = try mutate(p) { tx -> Instance in
            let s = tx.state
            guard var i = s.instances.values.first(where: { $0.iamInstanceProfileAssociationId == associationId }) else {
                throw Self.associationNotFound(associationId)
            }
            let iam = iamStore.snapshot()
            let profile = try Self.instanceProfile(arn: arn, name: name, in: iam)
            try Self.authorizePassRole(of: profile, in: iam, accountId: accountId, ctx)
            i.iamInstanceProfileArn = profile?.arn
            i.iamInstanceProfileId = profile?.instanceProfileId
            i.iamInstanceProfileAssociationId = ResourceID.make("iip-assoc")
            tx.put(i)
            return i
        }
        return EC2XML.response("ReplaceIamInstanceProfileAssociation", requestID: ctx.requestID) { w in
            w.element("iamInstanceProfileAssociation") { Self.association(&$0, instance, state: "associating") }
        }
    }

    static func association(_ w: inout XMLWriter, _ i: Instance, state: String) {
        w.element("associationId", i.iamInstanceProfileAssociationId)
        w.element("instanceId", i.id)
        w.element("iamInstanceProfile") { w in
            w.element("arn", i.iamInstanceProfileArn)
            w.element("id", i.iamInstanceProfileId)
        }
        w.element("state", state)
    }

    /// (unconfirmed wording)
    static func existingAssociation(_ instanceId: String) -> AWSError {
        AWSError(code: "IncorrectState", message: "There is an existing association for instance \(instanceId)")
    }

    /// (unconfirmed wording)
    static func associationNotFound(_ id: String) -> AWSError {
        AWSError(code: "InvalidAssociationID.NotFound", message: "An association with ID \(id) does not exist.")
    }
}
