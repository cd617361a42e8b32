import CloudFormationTemplate
import CloudModel
import Foundation

/// A stack's target template read for the engine: parameters and conditions evaluated, the resources that exist
/// under its conditions, and their dependency graph; plus the intrinsic context from what is deployed so far.
struct DeploymentView {
    var template: Template
    var graph: DependencyGraph
    var parameters: [String: TemplateValue]
    var conditions: [String: Bool]
    /// Resources whose `Condition` holds.
    var active: Set<String>

    init(_ s: CloudFormationStack, _ target: StackDeploymentTarget, region: String, accountId: String) throws(TemplateError) {
        template = try Template(body: target.processedTemplate)
        graph = try DependencyGraph(template)
        var values: [String: TemplateValue] = [:]
        for p in target.parameters {
            guard let decl = template.parameters[p.key] else { continue }
            let raw = p.resolvedValue ?? p.value
            values[p.key] = decl.isSSMValue
                ? (decl.isList ? .list(raw.split(separator: ",").map { .string(String($0)) }) : .string(raw))
                : try decl.check(raw)
        }
        parameters = values
        let base = EvaluationContext(parameters: values, pseudo: Self.pseudo(s, region: region, accountId: accountId), mappings: template.mappings)
        conditions = try Evaluator.conditions(of: template, context: base)
        let conds = conditions
        active = Set(template.resources.values.filter { r in r.condition.map { conds[$0] == true } ?? true }.map(\.logicalId))
    }

    static func pseudo(_ s: CloudFormationStack, region: String, accountId: String) -> PseudoParameters {
        PseudoParameters(accountId: accountId, region: region, stackId: s.stackId, stackName: s.name, notificationARNs: s.notificationARNs)
    }

    /// The context intrinsic functions evaluate in, given what the stack has deployed so far.
    func context(_ s: CloudFormationStack, region: String, accountId: String, zones: [String],
                 exports: @escaping @Sendable (String) -> String?) -> EvaluationContext {
        var refs: [String: String] = [:], attrs: [String: [String: TemplateValue]] = [:]
        for (id, r) in s.resources where r.physicalId != nil && !r.status.hasPrefix("DELETE") {
            refs[id] = r.ref ?? r.physicalId
            attrs[id] = r.attributes.mapValues { v in
                switch v {
                case .string(let s): return .string(s)
                case .list(let l): return .list(l.map { .string($0) })
                }
            }
        }
        return EvaluationContext(parameters: parameters, pseudo: Self.pseudo(s, region: region, accountId: accountId),
                                 mappings: template.mappings, conditions: conditions, resourceRefs: refs,
                                 resourceAttributes: attrs, declaredResources: Set(template.resources.keys),
                                 availabilityZones: { _ in zones }, exports: exports)
    }

    /// Every `Fn::ImportValue` name the template's active parts use.
    func imports(_ evaluator: Evaluator) -> [String] {
        var names: Set<String> = []
        func scan(_ v: TemplateValue) {
            switch v {
            case .object(let o):
                if o.count == 1, let arg = o["Fn::ImportValue"] {
                    if let s = arg.stringValue { names.insert(s) } else if let s = (try? evaluator.evaluate(arg))??.scalarText { names.insert(s) }
                    return
                }
                o.values.forEach(scan)
            case .list(let l): l.forEach(scan)
            default: break
            }
        }
        for id in active { scan(template.resources[id]!.properties) }
        for o in template.outputs.values { scan(o.value) }
        return names.sorted()
    }
}
