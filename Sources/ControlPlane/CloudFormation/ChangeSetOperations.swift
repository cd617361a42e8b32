import AWSWire
import CloudFormationTemplate
import CloudModel
import Foundation

/// Change sets: a deployment proposed, described, then executed (what `aws cloudformation deploy` runs).
extension CloudFormationService {
    func changeSet(_ nameOrId: String, stackName: String?, in state: CloudState) throws -> CloudFormationChangeSet {
        if nameOrId.hasPrefix("arn:") {
            guard let cs = state.cloudFormationChangeSets[nameOrId] else { throw CloudFormationErrors.changeSetNotFound(nameOrId) }
            return cs
        }
        guard let stackName, !stackName.isEmpty else {
            throw CloudFormationErrors.validation("StackName must be specified if ChangeSetName is not specified as an ARN.")
        }
        let s = try requireStack(stackName, in: state)
        guard let cs = state.cloudFormationChangeSets.values.first(where: { $0.stackId == s.stackId && $0.name == nameOrId }) else {
            throw CloudFormationErrors.changeSetNotFound(nameOrId)
        }
        return cs
    }

    func createChangeSet(_ p: QueryParameters, _ ctx: RequestContext) async throws -> String {
        let stackName = try Self.checkStackName(p["StackName"])
        guard let csName = p["ChangeSetName"], !csName.isEmpty else { throw CloudFormationErrors.missing("changeSetName") }
        guard csName.count <= 128, csName.first!.isLetter, csName.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
            throw CloudFormationErrors.validation("1 validation error detected: Value '\(csName)' at 'changeSetName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*")
        }
        try backends.roleSessions?.validate(p["RoleARN"])
        let type = p["ChangeSetType"] ?? "UPDATE"
        guard type == "CREATE" || type == "UPDATE" else {
            throw CloudFormationErrors.validation("ChangeSetType \(type) is not supported; use CREATE or UPDATE")
        }
        let existing = stack(stackName, in: store.snapshot())
        if type == "CREATE", let existing, existing.status != .reviewInProgress {
            throw CloudFormationErrors.validation("Stack [\(stackName)] already exists and cannot be created again with the changeSet [\(csName)].")
        }
        if type == "UPDATE" {
            guard let existing, existing.status != .reviewInProgress else { throw CloudFormationErrors.validation("Stack [\(stackName)] does not exist") }
            guard StackStatusMachine.acceptsUpdate(existing.status) else {
                throw CloudFormationErrors.notUpdatable(existing.stackId, existing.status.rawValue)
            }
        }
        let body: String
        if p["UsePreviousTemplate"] == "true", let existing, type == "UPDATE" { body = existing.current.templateBody } else { body = try templateText(p, ctx)! }
        let prepared = try await prepare(body, parameters: givenParameters(p), ctx)
        let caps = try Self.checkCapabilities(prepared.template, p)
        let params = try resolveParameters(p, template: prepared.template, previous: type == "UPDATE" ? existing?.current.parameters ?? [] : [])
        let target = StackDeploymentTarget(templateBody: body, processedTemplate: prepared.processedJSON, parameters: params,
                                           description: prepared.template.description)
        let csId = "arn:aws:cloudformation:\(region):\(accountId):changeSet/\(csName)/\(UUID().uuidString.lowercased())"
        let stackId = try store.write { tx -> String in
            var s: CloudFormationStack
            if let found = stack(stackName, in: tx.state) {
                s = found
            } else {
                s = CloudFormationStack(stackId: newStackId(stackName), name: stackName, status: .reviewInProgress, creationTime: tx.now,
                                        current: StackDeploymentTarget(templateBody: "", processedTemplate: "", parameters: [], description: nil),
                                        callerArn: ctx.principal.arn)
                s.setCaller(ctx.principal)
                StackEvents.stack(&tx, &s, StackStatus.reviewInProgress.rawValue, reason: "User Initiated")
                tx.put(s)
            }
            for same in tx.all(CloudFormationChangeSet.self) where same.stackId == s.stackId && same.name == csName {
                // An executed change set is gone once its deployment ended, as AWS removes a stack's change sets after
                // an execution: its name is free again (`deploy` names change sets by the second).
                guard same.executionStatus == "EXECUTE_COMPLETE" || same.executionStatus == "EXECUTE_FAILED" else {
                    throw CloudFormationErrors.changeSetAlreadyExists(csName)
                }
                tx.delete(CloudFormationChangeSet.self, same.id)
            }
            var cs = CloudFormationChangeSet(changeSetId: csId, name: csName, stackId: s.stackId, stackName: s.name, type: type,
                                             creationTime: tx.now, target: target)
            cs.description = p["Description"]
            cs.capabilities = caps
            cs.tags = p.has(prefix: "Tags") ? Self.tags(p) : s.tags
            cs.notificationARNs = p.list("NotificationARNs.member")
            cs.roleARN = p["RoleARN"]
            let active = (try? DeploymentView(s, target, region: region, accountId: accountId))?.active
            cs.changes = ChangeSetPlanner.changes(from: s, to: prepared.template, active: active ?? Set(prepared.template.resources.keys),
                                                  parameters: params, isCreate: type == "CREATE")
            if type == "UPDATE", cs.changes.isEmpty, params == s.current.parameters, cs.tags == s.tags {
                cs.status = "FAILED"
                cs.statusReason = CloudFormationErrors.noChanges
                cs.executionStatus = "UNAVAILABLE"
            }
            tx.put(cs)
            return s.stackId
        }
        return "<Id>\(csId)</Id><StackId>\(stackId)</StackId>"
    }

    func describeChangeSet(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        guard let name = p["ChangeSetName"] else { throw CloudFormationErrors.missing("changeSetName") }
        let cs = try changeSet(name, stackName: p["StackName"], in: store.snapshot())
        var w = XMLWriter(declaration: false)
        w.element("ChangeSetName", cs.name)
        w.element("ChangeSetId", cs.changeSetId)
        w.element("StackId", cs.stackId)
        w.element("StackName", cs.stackName)
        w.element("Description", cs.description)
        w.list("Parameters", cs.target.parameters, member: "member") { w, p in
            w.element("ParameterKey", p.key)
            w.element("ParameterValue", p.value)
            w.element("ResolvedValue", p.resolvedValue)
        }
        w.element("CreationTime", CloudFormationXML.time(cs.creationTime))
        w.element("ExecutionStatus", cs.executionStatus)
        w.element("Status", cs.status)
        w.element("StatusReason", cs.statusReason)
        w.list("NotificationARNs", cs.notificationARNs, member: "member") { w, a in w.appendEscaped(a) }
        w.element("RollbackConfiguration") { _ in }
        w.list("Capabilities", cs.capabilities, member: "member") { w, c in w.appendEscaped(c) }
        w.list("Tags", cs.tags, member: "member") { w, t in w.element("Key", t.key); w.element("Value", t.value) }
        w.list("Changes", cs.changes, member: "member") { w, c in CloudFormationXML.change(&w, c) }
        w.element("IncludeNestedStacks", false)
        return w.text
    }

    func executeChangeSet(_ p: QueryParameters, _ ctx: RequestContext) async throws -> String {
        guard let name = p["ChangeSetName"] else { throw CloudFormationErrors.missing("changeSetName") }
        let stackId = try store.write { tx -> String in
            var cs = try changeSet(name, stackName: p["StackName"], in: tx.state)
            guard cs.executionStatus == "AVAILABLE" else {
                throw CloudFormationErrors.invalidChangeSetStatus("ChangeSet [\(cs.changeSetId)] cannot be executed in its current status of [\(cs.status)]")
            }
            guard var s = tx.get(CloudFormationStack.self, cs.stackId) else { throw CloudFormationErrors.stackNotFound(cs.stackName) }
            let event: StackStatusMachine.Event = s.status == .reviewInProgress ? .create : .update
            guard let next = StackStatusMachine.next(s.status, event) else {
                throw CloudFormationErrors.invalidChangeSetStatus("ChangeSet [\(cs.changeSetId)] cannot be executed in its current status of [\(cs.status)]")
            }
            if event == .create {
                s.current = cs.target
                s.status = next
                s.setCaller(ctx.principal)
                s.disableRollback = p["DisableRollback"] == "true"
            } else {
                Self.beginUpdate(&s, target: cs.target, next: next, now: tx.now, caller: ctx.principal)
            }
            s.capabilities = cs.capabilities
            s.tags = cs.tags
            s.notificationARNs = cs.notificationARNs
            s.roleARN = cs.roleARN ?? s.roleARN
            s.changeSetId = cs.changeSetId
            StackEvents.stack(&tx, &s, next.rawValue, reason: "User Initiated")
            tx.put(s)
            cs.executionStatus = "EXECUTE_IN_PROGRESS"
            tx.put(cs)
            for other in tx.all(CloudFormationChangeSet.self) where other.stackId == s.stackId && other.id != cs.id {
                tx.delete(CloudFormationChangeSet.self, other.id)
            }
            return s.stackId
        }
        await settle(stackId, within: Self.executeSettleTime)
        return ""
    }

    /// How long ExecuteChangeSet waits for the deployment to settle before answering. AWS answers at once, but the
    /// CLI's `deploy` then polls DescribeStacks every 30 s: a deployment that takes this server a fraction of a second
    /// would cost 30 s of waiting. Waiting here changes no state and no status anyone can see.
    static let executeSettleTime: TimeInterval = 5

    /// Returns once the stack is no longer in progress, or after `within` seconds.
    func settle(_ stackId: String, within: TimeInterval) async {
        let deadline = Date().addingTimeInterval(within)
        while Date() < deadline {
            guard let s = store.snapshot().cloudFormationStacks[stackId], StackStatusMachine.isInProgress(s.status) else { return }
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
    }

    func deleteChangeSet(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        guard let name = p["ChangeSetName"] else { throw CloudFormationErrors.missing("changeSetName") }
        try store.write { tx in
            let cs = try changeSet(name, stackName: p["StackName"], in: tx.state)
            if cs.executionStatus == "EXECUTE_IN_PROGRESS" {
                throw CloudFormationErrors.invalidChangeSetStatus("Cannot delete ChangeSet in status EXECUTE_IN_PROGRESS")
            }
            tx.delete(CloudFormationChangeSet.self, cs.id)
        }
        return ""
    }

    func listChangeSets(_ p: QueryParameters, _ ctx: RequestContext) throws -> String {
        let state = store.snapshot()
        let s = try requireStack(p["StackName"], in: state)
        let sets = state.cloudFormationChangeSets.values.filter { $0.stackId == s.stackId }.sorted { $0.creationTime < $1.creationTime }
        var w = XMLWriter(declaration: false)
        w.list("Summaries", sets, member: "member") { w, cs in
            w.element("StackId", cs.stackId)
            w.element("StackName", cs.stackName)
            w.element("ChangeSetId", cs.changeSetId)
            w.element("ChangeSetName", cs.name)
            w.element("ExecutionStatus", cs.executionStatus)
            w.element("Status", cs.status)
            w.element("StatusReason", cs.statusReason)
            w.element("CreationTime", CloudFormationXML.time(cs.creationTime))
            w.element("Description", cs.description)
            w.element("IncludeNestedStacks", false)
        }
        return w.text
    }
}

/// What a change set would do, from the stack's current template to the proposed one; pure.
enum ChangeSetPlanner {
    static func changes(from s: CloudFormationStack, to t: Template, active: Set<String>, parameters: [StackParameterValue],
                        isCreate: Bool) -> [ChangeSetResourceChange] {
        let old = isCreate ? nil : try? Template(body: s.current.processedTemplate)
        var out: [ChangeSetResourceChange] = []
        let before = Dictionary(s.current.parameters.map { ($0.key, $0.resolvedValue ?? $0.value) }) { a, _ in a }
        let changedParameters = parameters.filter { before[$0.key] != ($0.resolvedValue ?? $0.value) }.map(\.key)
        /// Whether a resource's properties read a parameter whose value changes.
        func readsChangedParameter(_ v: TemplateValue) -> Bool {
            let text = v.jsonText()
            return changedParameters.contains { text.contains("{\"Ref\":\"\($0)\"}") || text.contains("${\($0)}") }
        }
        for id in active.sorted() {
            let r = t.resources[id]!
            guard let before = old?.resources[id], let existing = s.resources[id], existing.physicalId != nil else {
                out.append(ChangeSetResourceChange(action: "Add", logicalResourceId: id, physicalResourceId: nil, resourceType: r.type,
                                                   replacement: nil, changedProperties: []))
                continue
            }
            let a = before.properties.objectValue ?? [:], b = r.properties.objectValue ?? [:]
            var changed = Set(a.keys).union(b.keys).filter { a[$0] != b[$0] }
            if changed.isEmpty { changed = Set(b.keys.filter { readsChangedParameter(b[$0]!) }) }
            if changed.isEmpty && before.type == r.type { continue }
            let replaces = before.type != r.type || !changed.isDisjoint(with: ResourceProviders.replacementProperties(r.type))
            out.append(ChangeSetResourceChange(action: "Modify", logicalResourceId: id, physicalResourceId: existing.physicalId,
                                               resourceType: r.type, replacement: replaces ? "True" : "False",
                                               changedProperties: changed.sorted()))
        }
        for (id, r) in (old?.resources ?? [:]) where !active.contains(id) && s.resources[id]?.physicalId != nil {
            out.append(ChangeSetResourceChange(action: "Remove", logicalResourceId: id, physicalResourceId: s.resources[id]?.physicalId,
                                               resourceType: r.type, replacement: nil, changedProperties: []))
        }
        return out.sorted { $0.logicalResourceId < $1.logicalResourceId }
    }
}
