import CloudFormationTemplate
import CloudModel
import Foundation

/// The engine's three phases: apply the target template, delete everything (rollback of a create, DeleteStack),
/// and clean up after an update (what it replaced or removed).
extension StackEngine {
    // MARK: Apply

    static func reason(_ e: any Error) -> String { (e as? TemplateError)?.message ?? "\(e)" }

    func apply(_ s: CloudFormationStack) async {
        let view: DeploymentView
        do { view = try DeploymentView(s, s.current, region: service.region, accountId: service.accountId) } catch {
            failDeployment(s, reason: Self.reason(error), failed: [])
            return
        }
        let gen = s.generation
        var done: Set<String> = [], failed: [String] = [], steps: [Step] = [], busy: Set<String> = []
        for id in view.active {
            guard let r = s.resources[id], r.generation == gen else { continue }
            if r.status.hasSuffix("_COMPLETE") && !r.status.hasPrefix("DELETE") { done.insert(id) }
            else if r.status.hasSuffix("_FAILED") { failed.append(id) }
            else if r.stabilizing, let pid = r.physicalId {
                busy.insert(id)
                steps.append(Step(logicalId: id, type: r.type, properties: Self.properties(r.propertiesJSON), kind: .stabilize(physicalId: pid),
                                  verb: String(r.status.prefix { $0 != "_" })))
            }
        }
        if !failed.isEmpty {
            // A failure cancels what is still waiting, then the deployment rolls back.
            cancelWaiting(s.stackId, busy)
            failDeployment(s, reason: nil, failed: failed.sorted())
            return
        }
        let evaluator = Evaluator(view.context(s, region: service.region, accountId: service.accountId, zones: zones(), exports: exportLookup()))
        let planned = view.graph.ready(among: view.active, done: done).filter { !busy.contains($0) }.map { id in
            var step = plan(id, view, evaluator, s)
            step.deletionPolicy = view.template.resources[id]?.deletionPolicy
            return step
        }
        let unchanged = planned.filter { $0.verb.isEmpty }
        let real = steps + planned.filter { !$0.verb.isEmpty }
        if real.isEmpty && unchanged.isEmpty && done.count == view.active.count {
            complete(s, view, evaluator)
            return
        }
        if !unchanged.isEmpty { markUnchanged(unchanged.map(\.logicalId), s.stackId) }
        begin(real, s.stackId)
        finish(await runAll(real, s), s.stackId)
    }

    /// What one ready resource needs: create, update, replace, nothing (verb ""), or a refusal.
    func plan(_ id: String, _ view: DeploymentView, _ evaluator: Evaluator, _ s: CloudFormationStack) -> Step {
        let decl = view.template.resources[id]!
        let existing = s.resources[id].flatMap { $0.physicalId != nil && !$0.status.hasPrefix("DELETE") ? $0 : nil }
        let verb = existing == nil ? "CREATE" : "UPDATE"
        let props: ResourceProperties
        do { props = ResourceProperties((try evaluator.evaluate(decl.properties))?.objectValue ?? [:]) } catch {
            return Step(logicalId: id, type: decl.type, properties: ResourceProperties([:]), kind: .refuse(Self.reason(error)), verb: verb)
        }
        guard ResourceProviders.byType[decl.type] != nil else {
            return Step(logicalId: id, type: decl.type, properties: props, kind: .refuse("Unsupported resource type: \(decl.type)"), verb: verb)
        }
        guard let existing, let pid = existing.physicalId else {
            return Step(logicalId: id, type: decl.type, properties: props, kind: .create, verb: "CREATE")
        }
        if existing.type != decl.type {
            return Step(logicalId: id, type: decl.type, properties: props,
                        kind: .refuse("Update of resource type is not permitted. The new template modifies resource type of the following resources: [\(id)]"),
                        verb: "UPDATE")
        }
        let old = Self.properties(existing.propertiesJSON)
        if old == props { return Step(logicalId: id, type: decl.type, properties: props, kind: .create, verb: "") }
        let changed = Set(old.values.keys).union(props.values.keys).filter { old[$0] != props[$0] }
        if !changed.isDisjoint(with: ResourceProviders.replacementProperties(decl.type)) {
            return Step(logicalId: id, type: decl.type, properties: props, kind: .replace(old: old), verb: "UPDATE")
        }
        return Step(logicalId: id, type: decl.type, properties: props, kind: .update(physicalId: pid, old: old), verb: "UPDATE")
    }

    func markUnchanged(_ ids: [String], _ stackId: String) {
        try? store.write { tx in
            guard var s = tx.get(CloudFormationStack.self, stackId) else { return }
            for id in ids { s.resources[id]?.generation = s.generation }
            tx.put(s)
        }
    }

    func cancelWaiting(_ stackId: String, _ ids: Set<String>) {
        guard !ids.isEmpty else { return }
        try? store.write { tx in
            guard var s = tx.get(CloudFormationStack.self, stackId) else { return }
            for id in ids.sorted() {
                guard var r = s.resources[id] else { continue }
                r.stabilizing = false
                r.status = String(r.status.prefix { $0 != "_" }) + "_FAILED"
                r.statusReason = "Resource creation cancelled"
                r.lastUpdated = tx.now
                s.resources[id] = r
                StackEvents.resource(&tx, &s, r)
            }
            tx.put(s)
        }
    }

    /// The deployment failed: roll back (a create deletes everything, an update applies the previous template).
    func failDeployment(_ s: CloudFormationStack, reason: String?, failed: [String]) {
        let updating = s.status != .createInProgress
        let why = reason ?? "The following resource(s) failed to \(updating ? "update" : "create"): [\(failed.joined(separator: ", "))]. "
            + (s.status == .createInProgress && !s.disableRollback ? "Rollback requested by user." : "")
        transition(s.stackId, .failed(rollback: !s.disableRollback), reason: why) { st, _ in
            st.generation += 1
            if st.status == .updateRollbackInProgress { CloudFormationService.startRollback(&st) }
        }
    }

    /// Every resource reached the target: evaluate the outputs, check the exports, finish the step.
    func complete(_ s: CloudFormationStack, _ view: DeploymentView, _ evaluator: Evaluator) {
        var outputs: [StackOutput] = []
        do {
            for name in view.template.outputs.keys.sorted() {
                let o = view.template.outputs[name]!
                if let c = o.condition, view.conditions[c] != true { continue }
                guard let v = try evaluator.evaluate(o.value) else { continue }
                let text = v.scalarText ?? v.listValue?.compactMap(\.scalarText).joined(separator: ",") ?? v.jsonText()
                let export = try o.exportName.flatMap { try evaluator.evaluate($0)?.scalarText }
                outputs.append(StackOutput(key: name, value: text, description: o.description, exportName: export))
            }
        } catch {
            failDeployment(s, reason: Self.reason(error), failed: [])
            return
        }
        let others = service.exports(in: store.snapshot()).filter { $0.stackId != s.stackId }
        for o in outputs {
            if let e = o.exportName, let clash = others.first(where: { $0.name == e }) {
                let owner = store.snapshot().cloudFormationStacks[clash.stackId]?.name ?? clash.stackId
                failDeployment(s, reason: "Export with name \(e) is already exported by stack \(owner)", failed: [])
                return
            }
        }
        if let reason = exportChangeInUse(s, outputs) {
            failDeployment(s, reason: reason, failed: [])
            return
        }
        let imports = view.imports(evaluator)
        transition(s.stackId, .applied, reason: nil) { st, _ in
            st.outputs = outputs
            st.imports = imports
        }
    }

    /// An update may not change or remove an export another stack imports.
    func exportChangeInUse(_ s: CloudFormationStack, _ outputs: [StackOutput]) -> String? {
        let importers = store.snapshot().cloudFormationStacks.values.filter { $0.stackId != s.stackId && $0.status != .deleteComplete }
        let after = Dictionary(outputs.compactMap { o in o.exportName.map { ($0, o.value) } }) { a, _ in a }
        for o in s.outputs {
            guard let e = o.exportName, after[e] != o.value else { continue }
            let users = importers.filter { $0.imports.contains(e) }.map(\.name).sorted()
            guard !users.isEmpty else { continue }
            return after[e] == nil ? "Cannot delete export \(e) as it is in use by \(users.joined(separator: ", "))"
                : "Cannot update export \(e) as it is in use by \(users.joined(separator: ", "))"
        }
        return nil
    }

    // MARK: Delete

    /// Dependencies for deleting: the current and the previous template's graphs together.
    func deletionGraph(_ s: CloudFormationStack) -> [String: Set<String>] {
        var deps: [String: Set<String>] = [:]
        for body in [s.current.processedTemplate, s.previous?.processedTemplate ?? ""] where !body.isEmpty {
            guard let t = try? Template(body: body), let g = try? DependencyGraph(t) else { continue }
            deps.merge(g.dependencies) { a, b in a.union(b) }
        }
        return deps
    }

    /// Deletes `candidates` (logical ids) in reverse dependency order, one wave per pass; true when none is left.
    func deleteWave(_ s: CloudFormationStack, candidates: Set<String>) async -> (finished: Bool, failed: [String]) {
        let gen = s.generation
        let deps = deletionGraph(s)
        var remaining: Set<String> = [], failed: [String] = [], steps: [Step] = [], retained: [String] = []
        for id in candidates {
            guard let r = s.resources[id], r.physicalId != nil else { continue }
            if r.status == "DELETE_COMPLETE" || r.status == "DELETE_SKIPPED" { continue }
            if r.status == "DELETE_FAILED" && r.generation == gen { failed.append(id); remaining.insert(id); continue }
            remaining.insert(id)
        }
        for id in remaining where !failed.contains(id) {
            let r = s.resources[id]!
            if r.status == "DELETE_IN_PROGRESS" && r.stabilizing {
                steps.append(Step(logicalId: id, type: r.type, properties: Self.properties(r.propertiesJSON), kind: .pollDelete(physicalId: r.physicalId!), verb: "DELETE"))
                continue
            }
            let blocked = remaining.contains { other in other != id && deps[other]?.contains(id) == true }
            if blocked { continue }
            if r.deletionPolicy == "Retain" { retained.append(id); continue }
            steps.append(Step(logicalId: id, type: r.type, properties: Self.properties(r.propertiesJSON), kind: .delete(physicalId: r.physicalId!), verb: "DELETE"))
        }
        if !retained.isEmpty {
            try? store.write { tx in
                guard var st = tx.get(CloudFormationStack.self, s.stackId) else { return }
                for id in retained {
                    st.resources[id]?.status = "DELETE_SKIPPED"
                    if let r = st.resources[id] { StackEvents.resource(&tx, &st, r) }
                }
                tx.put(st)
            }
            return (false, failed)
        }
        // Nothing left to start or wait for: what remains is failed, or blocked behind a failure.
        if steps.isEmpty { return (true, failed.isEmpty ? remaining.sorted() : failed) }
        begin(steps.filter { if case .delete = $0.kind { return true }; return false }, s.stackId)
        finish(await runAll(steps, s), s.stackId)
        return (false, failed)
    }

    func deleteAll(_ s: CloudFormationStack) async {
        if s.status == .deleteInProgress, let reason = exportInUse(s) {
            transition(s.stackId, .cleanedUp(failed: true), reason: reason)
            return
        }
        let (finished, failed) = await deleteWave(s, candidates: Set(s.resources.keys))
        guard finished else { return }
        let reason = failed.isEmpty ? nil : "The following resource(s) failed to delete: [\(failed.sorted().joined(separator: ", "))]. "
        transition(s.stackId, .cleanedUp(failed: !failed.isEmpty), reason: reason) { st, tx in
            if failed.isEmpty {
                st.outputs = []
                st.imports = []
                if st.status == .deleteComplete { st.deletionTime = tx.now }
                for cs in tx.all(CloudFormationChangeSet.self) where cs.stackId == st.stackId { tx.delete(CloudFormationChangeSet.self, cs.id) }
            }
            st.generation += 1
        }
    }

    /// "Export X cannot be deleted as it is in use by Y", when another stack imports one of this stack's exports.
    func exportInUse(_ s: CloudFormationStack) -> String? {
        let stacks = store.snapshot().cloudFormationStacks.values.filter { $0.stackId != s.stackId && $0.status != .deleteComplete }
        for o in s.outputs {
            guard let e = o.exportName else { continue }
            let users = stacks.filter { $0.imports.contains(e) }.map(\.name).sorted()
            if !users.isEmpty { return "Export \(e) cannot be deleted as it is in use by \(users.joined(separator: " and "))" }
        }
        return nil
    }

    // MARK: Cleanup after an update

    func cleanup(_ s: CloudFormationStack) async {
        let active = (try? DeploymentView(s, s.current, region: service.region, accountId: service.accountId))?.active ?? Set(s.resources.keys)
        // Replaced physical resources go first: nothing in the template refers to them any more.
        let replaced = s.resources.values.filter { !$0.replaced.isEmpty }
        if !replaced.isEmpty {
            for r in replaced {
                for old in r.replaced {
                    let step = Step(logicalId: r.logicalId, type: r.type, properties: Self.properties(old.propertiesJSON),
                                    kind: .delete(physicalId: old.physicalId), verb: "DELETE")
                    _ = await run(step, s)
                }
            }
            try? store.write { tx in
                guard var st = tx.get(CloudFormationStack.self, s.stackId) else { return }
                for r in replaced {
                    for old in r.replaced {
                        var shown = r
                        shown.physicalId = old.physicalId
                        shown.status = "DELETE_COMPLETE"
                        StackEvents.resource(&tx, &st, shown)
                    }
                    st.resources[r.logicalId]?.replaced = []
                }
                tx.put(st)
            }
            return
        }
        let removed = Set(s.resources.keys).subtracting(active)
        let (finished, _) = await deleteWave(s, candidates: removed)
        guard finished else { return }
        transition(s.stackId, .cleanedUp(failed: false), reason: nil) { st, _ in
            for id in removed where st.resources[id]?.status != "DELETE_FAILED" { st.resources[id] = nil }
            st.previous = nil
        }
    }
}
