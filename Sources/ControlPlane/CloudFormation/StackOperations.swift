import AWSWire
import CloudFormationTemplate
import CloudModel
import Foundation

/// CreateStack, UpdateStack, DeleteStack and the other stack-level operations.
extension CloudFormationService {
    func createStack(_ p: QueryParameters, _ ctx: RequestContext) async throws -> String {
        let name = try Self.checkStackName(p["StackName"])
        if let existing = stack(name, in: store.snapshot()) { throw CloudFormationErrors.alreadyExists(existing.name) }
        let body = try templateText(p, ctx)!
        let prepared = try await prepare(body, parameters: givenParameters(p), ctx)
        let original = try? Template(body: body)
        var caps = try Self.checkCapabilities(prepared.template, p)
        if original?.transforms.isEmpty == false, !caps.contains("CAPABILITY_AUTO_EXPAND") {
            throw CloudFormationErrors.insufficientCapabilities(["CAPABILITY_AUTO_EXPAND"])
        }
        caps = Array(Set(caps)).sorted()
        let params = try resolveParameters(p, template: prepared.template, previous: [])
        let id = newStackId(name)
        try store.write { tx in
            if let existing = stack(name, in: tx.state) { throw CloudFormationErrors.alreadyExists(existing.name) }
            var s = CloudFormationStack(stackId: id, name: name, status: .createInProgress, creationTime: tx.now,
                                        current: StackDeploymentTarget(templateBody: body, processedTemplate: prepared.processedJSON,
                                                                       parameters: params, description: prepared.template.description),
                                        callerArn: ctx.principal.arn)
            s.setCaller(ctx.principal)
            s.capabilities = caps
            s.tags = Self.tags(p)
            s.notificationARNs = p.list("NotificationARNs.member")
            s.roleARN = p["RoleARN"]
            s.disableRollback = p["DisableRollback"] == "true" || p["OnFailure"] == "DO_NOTHING"
            s.timeoutInMinutes = p["TimeoutInMinutes"].flatMap { Int($0) }
            s.terminationProtection = p["EnableTerminationProtection"] == "true"
            StackEvents.stack(&tx, &s, StackStatus.createInProgress.rawValue, reason: "User Initiated")
            tx.put(s)
        }
        return "<StackId>\(id)</StackId>"
    }

    /// The plain `ParameterKey` → `ParameterValue` pairs of a request (what a transform reads).
    func givenParameters(_ p: QueryParameters) -> [String: String] {
        var out: [String: String] = [:]
        for m in p.structures("Parameters.member") { if let k = m["ParameterKey"], let v = m["ParameterValue"] { out[k] = v } }
        return out
    }

    func updateStack(_ p: QueryParameters, _ ctx: RequestContext) async throws -> String {
        let s = try requireStack(p["StackName"], in: store.snapshot())
        guard StackStatusMachine.acceptsUpdate(s.status) else { throw CloudFormationErrors.notUpdatable(s.stackId, s.status.rawValue) }
        let body = p["UsePreviousTemplate"] == "true" ? s.current.templateBody : try templateText(p, ctx)!
        let prepared = try await prepare(body, parameters: givenParameters(p), ctx)
        let caps = try Self.checkCapabilities(prepared.template, p)
        let params = try resolveParameters(p, template: prepared.template, previous: s.current.parameters)
        let target = StackDeploymentTarget(templateBody: body, processedTemplate: prepared.processedJSON, parameters: params,
                                           description: prepared.template.description)
        let tags = p.has(prefix: "Tags") ? Self.tags(p) : s.tags
        if target.processedTemplate == s.current.processedTemplate && target.parameters == s.current.parameters && tags == s.tags {
            throw CloudFormationErrors.noUpdates
        }
        try store.write { tx in
            guard var s = tx.get(CloudFormationStack.self, s.stackId), let next = StackStatusMachine.next(s.status, .update) else {
                throw CloudFormationErrors.notUpdatable(s.stackId, s.status.rawValue)
            }
            Self.beginUpdate(&s, target: target, next: next, now: tx.now, caller: ctx.principal)
            s.capabilities = caps
            s.tags = tags
            s.changeSetId = nil
            StackEvents.stack(&tx, &s, next.rawValue, reason: "User Initiated")
            tx.put(s)
        }
        return "<StackId>\(s.stackId)</StackId>"
    }

    static func beginUpdate(_ s: inout CloudFormationStack, target: StackDeploymentTarget, next: StackStatus, now: Date, caller: Principal) {
        s.previous = s.current
        s.current = target
        s.status = next
        s.statusReason = nil
        s.generation += 1
        s.lastUpdatedTime = now
        s.setCaller(caller)
    }

    func deleteStack(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        guard let nameOrId = p["StackName"], !nameOrId.isEmpty else { throw CloudFormationErrors.missing("stackName") }
        try store.write { tx in
            guard var s = stack(nameOrId, in: tx.state) else { return }
            if s.terminationProtection {
                throw CloudFormationErrors.validation("Stack [\(s.name)] cannot be deleted while TerminationProtection is enabled")
            }
            guard let next = StackStatusMachine.next(s.status, .delete) else { return }
            s.status = next
            s.statusReason = nil
            s.setCaller(ctx.principal)
            StackEvents.stack(&tx, &s, next.rawValue, reason: "User Initiated")
            tx.put(s)
            // A stack still under review has no resources: its change sets go with it.
            for cs in tx.all(CloudFormationChangeSet.self) where cs.stackId == s.stackId { tx.delete(CloudFormationChangeSet.self, cs.id) }
        }
        return ""
    }

    /// The parameters a template declares `NoEcho` for, whose values DescribeStacks masks.
    func noEchoParameters(_ s: CloudFormationStack) -> Set<String> {
        guard let t = try? Template(body: s.current.processedTemplate) else { return [] }
        return Set(t.parameters.values.filter(\.noEcho).map(\.name))
    }

    func describeStacks(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let state = store.snapshot()
        let stacks: [CloudFormationStack]
        if let name = p["StackName"], !name.isEmpty {
            stacks = [try requireStack(name, in: state)]
        } else {
            stacks = state.cloudFormationStacks.values.filter { $0.status != .deleteComplete }.sorted { $0.creationTime > $1.creationTime }
        }
        var w = XMLWriter(declaration: false)
        w.list("Stacks", stacks, member: "member") { w, s in CloudFormationXML.stack(&w, s, noEcho: noEchoParameters(s)) }
        return w.text
    }

    func listStacks(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let filter = Set(p.list("StackStatusFilter.member"))
        let stacks = store.snapshot().cloudFormationStacks.values
            .filter { filter.isEmpty || filter.contains($0.status.rawValue) }
            .sorted { $0.creationTime > $1.creationTime }
        var w = XMLWriter(declaration: false)
        w.list("StackSummaries", stacks, member: "member") { w, s in
            w.element("StackId", s.stackId)
            w.element("StackName", s.name)
            w.element("TemplateDescription", s.current.description)
            w.element("CreationTime", CloudFormationXML.time(s.creationTime))
            w.element("LastUpdatedTime", s.lastUpdatedTime.map(CloudFormationXML.time))
            w.element("DeletionTime", s.deletionTime.map(CloudFormationXML.time))
            w.element("StackStatus", s.status.rawValue)
            w.element("StackStatusReason", s.statusReason)
            w.element("DriftInformation") { w in w.element("StackDriftStatus", "NOT_CHECKED") }
        }
        return w.text
    }

    func describeStackEvents(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let state = store.snapshot()
        let s = try requireStack(p["StackName"], in: state)
        let events = state.cloudFormationEvents.values.filter { $0.stackId == s.stackId }.sorted { $0.sequence > $1.sequence }
        var w = XMLWriter(declaration: false)
        w.list("StackEvents", events, member: "member") { w, e in CloudFormationXML.event(&w, e) }
        return w.text
    }

    /// A stack's resources, in the template's creation order, without those already deleted by an update.
    func liveResources(_ s: CloudFormationStack) -> [StackResourceState] {
        s.resources.values.filter { $0.status != "DELETE_COMPLETE" || s.status == .deleteComplete || s.status == .rollbackComplete }
            .sorted { $0.logicalId < $1.logicalId }
    }

    func describeStackResource(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let s = try requireStack(p["StackName"], in: store.snapshot())
        guard let id = p["LogicalResourceId"] else { throw CloudFormationErrors.missing("logicalResourceId") }
        guard let r = s.resources[id] else { throw CloudFormationErrors.validation("Resource \(id) does not exist for stack \(s.name)") }
        var w = XMLWriter(declaration: false)
        w.element("StackResourceDetail") { w in
            CloudFormationXML.resource(&w, r, stack: s, timeMember: "LastUpdatedTimestamp")
            w.element("Metadata", "{}")
        }
        return w.text
    }

    func describeStackResources(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let state = store.snapshot()
        let s: CloudFormationStack
        if let name = p["StackName"] { s = try requireStack(name, in: state) } else if let physical = p["PhysicalResourceId"] {
            guard let found = state.cloudFormationStacks.values.first(where: { st in st.resources.values.contains { $0.physicalId == physical } }) else {
                throw CloudFormationErrors.validation("Stack for \(physical) does not exist")
            }
            s = found
        } else { throw CloudFormationErrors.validation("Either StackName or PhysicalResourceId must be specified.") }
        var rs = liveResources(s)
        if let logical = p["LogicalResourceId"] { rs = rs.filter { $0.logicalId == logical } }
        var w = XMLWriter(declaration: false)
        w.list("StackResources", rs, member: "member") { w, r in CloudFormationXML.resource(&w, r, stack: s, timeMember: "Timestamp") }
        return w.text
    }

    func listStackResources(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let s = try requireStack(p["StackName"], in: store.snapshot())
        var w = XMLWriter(declaration: false)
        w.list("StackResourceSummaries", liveResources(s), member: "member") { w, r in
            CloudFormationXML.resource(&w, r, stack: nil, timeMember: "LastUpdatedTimestamp")
        }
        return w.text
    }

    func getTemplate(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let state = store.snapshot()
        let target: StackDeploymentTarget
        if let cs = p["ChangeSetName"] {
            target = try changeSet(cs, stackName: p["StackName"], in: state).target
        } else {
            target = try requireStack(p["StackName"], in: state).current
        }
        let processed = p["TemplateStage"] == "Processed"
        var w = XMLWriter(declaration: false)
        w.element("TemplateBody", processed ? target.processedTemplate : target.templateBody)
        w.list("StagesAvailable", ["Original", "Processed"], member: "member") { w, s in w.appendEscaped(s) }
        return w.text
    }

    /// The template of a request: `TemplateBody`, `TemplateURL` or the stack's (`StackName`).
    func requestTemplate(_ p: QueryParameters, _ ctx: RequestContext) async throws -> Template {
        let body: String
        if let text = try templateText(p, ctx, required: p["StackName"] == nil) { body = text } else {
            body = try requireStack(p["StackName"], in: store.snapshot()).current.templateBody
        }
        do { return try Template(body: body) } catch { throw CloudFormationErrors.validation(error.message) }
    }

    func getTemplateSummary(_ p: QueryParameters, _ ctx: RequestContext) async throws -> String {
        let t = try await requestTemplate(p, ctx)
        let (caps, needing) = RequiredCapabilities.of(t)
        var w = XMLWriter(declaration: false)
        w.list("Parameters", t.parameterOrder.compactMap { t.parameters[$0] }, member: "member") { w, d in
            w.element("ParameterKey", d.name)
            w.element("DefaultValue", d.defaultValue)
            w.element("ParameterType", d.type)
            w.element("NoEcho", d.noEcho)
            w.element("Description", d.description)
            w.element("ParameterConstraints") { w in
                if let a = d.allowedValues { w.list("AllowedValues", a, member: "member") { w, v in w.appendEscaped(v) } }
            }
        }
        w.element("Description", t.description)
        w.list("Capabilities", caps, member: "member") { w, c in w.appendEscaped(c) }
        if !caps.isEmpty { w.element("CapabilitiesReason", "The following resource(s) require capabilities: [\(Set(needing.compactMap { t.resources[$0]?.type }).sorted().joined(separator: ", "))]") }
        w.list("ResourceTypes", Array(Set(t.resources.values.map(\.type))).sorted(), member: "member") { w, v in w.appendEscaped(v) }
        w.element("Version", t.formatVersion)
        w.list("DeclaredTransforms", t.transforms, member: "member") { w, v in w.appendEscaped(v) }
        return w.text
    }

    func validateTemplate(_ p: QueryParameters, _ ctx: RequestContext) async throws -> String {
        let t = try await requestTemplate(p, ctx)
        do { _ = try DependencyGraph(t) } catch { throw CloudFormationErrors.validation(error.message) }
        let (caps, needing) = RequiredCapabilities.of(t)
        var w = XMLWriter(declaration: false)
        w.list("Parameters", t.parameterOrder.compactMap { t.parameters[$0] }, member: "member") { w, d in
            w.element("ParameterKey", d.name)
            w.element("DefaultValue", d.defaultValue)
            w.element("NoEcho", d.noEcho)
            w.element("Description", d.description)
        }
        w.element("Description", t.description)
        w.list("Capabilities", caps, member: "member") { w, c in w.appendEscaped(c) }
        if !caps.isEmpty { w.element("CapabilitiesReason", "The following resource(s) require capabilities: [\(Set(needing.compactMap { t.resources[$0]?.type }).sorted().joined(separator: ", "))]") }
        w.list("DeclaredTransforms", t.transforms, member: "member") { w, v in w.appendEscaped(v) }
        return w.text
    }

    /// Every export of the region: (name, value, exporting stack).
    func exports(in state: CloudState) -> [(name: String, value: String, stackId: String)] {
        state.cloudFormationStacks.values.filter { $0.status != .deleteComplete }.flatMap { s in
            s.outputs.compactMap { o in o.exportName.map { ($0, o.value, s.stackId) } }
        }.sorted { $0.name < $1.name }
    }

    func listExports(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        var w = XMLWriter(declaration: false)
        w.list("Exports", exports(in: store.snapshot()), member: "member") { w, e in
            w.element("ExportingStackId", e.stackId)
            w.element("Name", e.name)
            w.element("Value", e.value)
        }
        return w.text
    }

    func listImports(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        guard let name = p["ExportName"] else { throw CloudFormationErrors.missing("exportName") }
        let importers = store.snapshot().cloudFormationStacks.values
            .filter { $0.status != .deleteComplete && $0.imports.contains(name) }.map(\.name).sorted()
        if importers.isEmpty { throw CloudFormationErrors.validation("Export '\(name)' is not imported by any stack.") }
        var w = XMLWriter(declaration: false)
        w.list("Imports", importers, member: "member") { w, n in w.appendEscaped(n) }
        return w.text
    }

    func cancelUpdateStack(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        try transition(p, .cancelUpdate, refusal: "CancelUpdateStack cannot be called from current stack status")
        return ""
    }

    func continueUpdateRollback(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        try transition(p, .continueRollback, refusal: "ContinueUpdateRollback cannot be called from current stack status")
        return ""
    }

    private func transition(_ p: QueryParameters, _ event: StackStatusMachine.Event, refusal: String) throws {
        try store.write { tx in
            var s = try requireStack(p["StackName"], in: tx.state)
            guard let next = StackStatusMachine.next(s.status, event) else { throw CloudFormationErrors.validation(refusal) }
            s.status = next
            s.statusReason = event == .cancelUpdate ? "User Initiated" : nil
            if event == .cancelUpdate { Self.startRollback(&s) }
            StackEvents.stack(&tx, &s, next.rawValue, reason: s.statusReason)
            tx.put(s)
        }
    }

    /// An update rollback applies the previous template again, as a new deployment.
    static func startRollback(_ s: inout CloudFormationStack) {
        if let previous = s.previous {
            let failed = s.current
            s.current = previous
            s.previous = failed
        }
        s.generation += 1
    }

    func updateTerminationProtection(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let on = p["EnableTerminationProtection"] == "true"
        let id = try store.write { tx in
            var s = try requireStack(p["StackName"], in: tx.state)
            s.terminationProtection = on
            tx.put(s)
            return s.stackId
        }
        return "<StackId>\(id)</StackId>"
    }
}
