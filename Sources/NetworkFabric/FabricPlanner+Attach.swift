extension FabricPlanner {
    /// The plan after attaching `a`, derived from `base` (the plan of the same model without it) instead of planning
    /// every namespace again: an attachment only adds a port to its ENI namespace and the environment's own plan.
    /// Nil when the target namespace is not in `base` (it must be planned, and maybe created, in full).
    /// Equal to `plan(model, attachments: previous + [a])`; a test holds the two together.
    func plan(_ base: FabricPlan, attaching a: EnvironmentAttachment) -> FabricPlan? {
        let target: String
        switch a.target {
        case .interface(let id): target = names.interfaceNamespace(id)
        case .lambdaNetwork: return nil
        }
        guard var p = base.namespaces[target], base.namespaces[a.environmentNamespace] == nil else { return nil }
        var plan = base
        addEnvironmentPorts(&p, [a])
        plan.namespaces[target] = p
        plan.namespaces[a.environmentNamespace] = environmentPlan(a, targetNamespace: target)
        return plan
    }
}
