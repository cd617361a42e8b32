/// Which resources each resource needs first, from `Ref`, `Fn::GetAtt`, `Fn::Sub` and `DependsOn`; pure.
public struct DependencyGraph: Sendable, Equatable {
    /// Logical id → the resources it depends on.
    public var dependencies: [String: Set<String>]

    /// Builds the graph and checks it: unknown names and cycles are CloudFormation's validation errors.
    public init(_ template: Template) throws(TemplateError) {
        let names = Set(template.resources.keys)
        let known = names.union(template.parameters.keys)
        var deps: [String: Set<String>] = [:]
        var unresolved: Set<String> = []
        for (id, r) in template.resources {
            var d: Set<String> = []
            var refs: [String] = []
            var atts: [String] = []
            Self.collect(r.properties, refs: &refs, atts: &atts)
            for name in refs where !name.hasPrefix("AWS::") {
                if names.contains(name) { d.insert(name) } else if !known.contains(name) { unresolved.insert(name) }
            }
            for name in atts {
                guard names.contains(name) else { throw .template("instance of Fn::GetAtt references undefined resource \(name)") }
                d.insert(name)
            }
            for name in r.dependsOn {
                guard names.contains(name) else { throw .format("Unresolved resource dependencies [\(name)] in the Resources block of the template") }
                d.insert(name)
            }
            deps[id] = d
        }
        if !unresolved.isEmpty {
            throw .format("Unresolved resource dependencies [\(unresolved.sorted().joined(separator: ", "))] in the Resources block of the template")
        }
        for (name, o) in template.outputs {
            var refs: [String] = [], atts: [String] = []
            Self.collect(o.value, refs: &refs, atts: &atts)
            if let e = o.exportName { Self.collect(e, refs: &refs, atts: &atts) }
            for r in refs where !r.hasPrefix("AWS::") && !known.contains(r) {
                throw .format("Unresolved resource dependencies [\(r)] in the Outputs block of the template")
            }
            for a in atts where !names.contains(a) {
                _ = name
                throw .template("instance of Fn::GetAtt references undefined resource \(a)")
            }
        }
        dependencies = deps
        if let cycle = Self.cycle(deps) {
            throw TemplateError("Circular dependency between resources: [\(cycle.joined(separator: ", "))]")
        }
    }

    /// Names used by `Ref`, `Fn::GetAtt` and the `${…}` of `Fn::Sub` anywhere inside a value.
    static func collect(_ v: TemplateValue, refs: inout [String], atts: inout [String]) {
        switch v {
        case .object(let o):
            if o.count == 1, let (k, arg) = o.first {
                switch k {
                case "Ref": if let s = arg.stringValue { refs.append(s) }; return
                case "Fn::GetAtt":
                    if case .list(let l) = arg, let r = l.first?.stringValue { atts.append(r) }
                    else if let s = arg.stringValue, let dot = s.firstIndex(of: ".") { atts.append(String(s[..<dot])) }
                    return
                case "Fn::Sub":
                    var text: String?
                    var vars: Set<String> = []
                    if let s = arg.stringValue { text = s }
                    if case .list(let l) = arg, l.count == 2 {
                        text = l[0].stringValue
                        vars = Set(l[1].objectValue?.keys.map { $0 } ?? [])
                        collect(l[1], refs: &refs, atts: &atts)
                    }
                    for name in subVariables(text ?? "") where !vars.contains(name) {
                        if let dot = name.firstIndex(of: ".") { atts.append(String(name[..<dot])) } else { refs.append(name) }
                    }
                    return
                default: break
                }
            }
            for item in o.values { collect(item, refs: &refs, atts: &atts) }
        case .list(let l): for item in l { collect(item, refs: &refs, atts: &atts) }
        default: break
        }
    }

    /// The `${Name}` variables of a `Fn::Sub` string (`${!Literal}` is not one).
    static func subVariables(_ s: String) -> [String] {
        var out: [String] = []
        var rest = Substring(s)
        while let open = rest.range(of: "${"), let close = rest[open.upperBound...].firstIndex(of: "}") {
            let name = rest[open.upperBound..<close]
            if !name.hasPrefix("!") { out.append(String(name)) }
            rest = rest[rest.index(after: close)...]
        }
        return out
    }

    /// The members of a cycle (sorted), if the graph has one: Tarjan's strongly connected components.
    static func cycle(_ deps: [String: Set<String>]) -> [String]? {
        var index = 0
        var indices: [String: Int] = [:], low: [String: Int] = [:]
        var stack: [String] = [], onStack: Set<String> = []
        var found: [String]?
        func connect(_ v: String) {
            indices[v] = index; low[v] = index; index += 1
            stack.append(v); onStack.insert(v)
            for w in (deps[v] ?? []).sorted() {
                if indices[w] == nil { connect(w); low[v] = min(low[v]!, low[w]!) }
                else if onStack.contains(w) { low[v] = min(low[v]!, indices[w]!) }
            }
            if low[v] == indices[v] {
                var component: [String] = []
                while let w = stack.popLast() { onStack.remove(w); component.append(w); if w == v { break } }
                if found == nil, component.count > 1 || deps[v]?.contains(v) == true { found = component.sorted() }
            }
        }
        for v in deps.keys.sorted() where indices[v] == nil { connect(v) }
        return found
    }

    /// Resources whose dependencies are all in `done` and that are not themselves done.
    public func ready(among ids: Set<String>, done: Set<String>) -> [String] {
        ids.filter { !done.contains($0) && (dependencies[$0] ?? []).subtracting(done).intersection(ids).isEmpty }.sorted()
    }

    /// Resources that depend on `id`.
    public func dependents(of id: String) -> [String] {
        dependencies.filter { $0.value.contains(id) }.map(\.key).sorted()
    }

    /// A creation order (dependencies first); deletion runs it backwards.
    public var order: [String] {
        var done: Set<String> = [], out: [String] = []
        let all = Set(dependencies.keys)
        while out.count < all.count {
            let next = ready(among: all, done: done)
            if next.isEmpty { break }
            out += next
            done.formUnion(next)
        }
        return out
    }
}

/// The capabilities a template needs acknowledged before it may create its resources.
public enum RequiredCapabilities {
    static let iamTypes: [String: String?] = [
        "AWS::IAM::Role": "RoleName", "AWS::IAM::ManagedPolicy": "ManagedPolicyName", "AWS::IAM::User": "UserName",
        "AWS::IAM::Group": "GroupName", "AWS::IAM::InstanceProfile": "InstanceProfileName", "AWS::IAM::Policy": nil,
        "AWS::IAM::AccessKey": nil, "AWS::IAM::UserToGroupAddition": nil,
    ]

    /// `CAPABILITY_NAMED_IAM` when an IAM resource is given a name, else `CAPABILITY_IAM` when there is one,
    /// plus `CAPABILITY_AUTO_EXPAND` for macros; with the resources that need it (ValidateTemplate's reason).
    public static func of(_ template: Template) -> (capabilities: [String], resources: [String]) {
        var named: [String] = [], iam: [String] = []
        for (id, r) in template.resources {
            guard let nameProperty = iamTypes[r.type] else { continue }
            if let p = nameProperty, r.properties[p] != nil { named.append(id) } else { iam.append(id) }
        }
        var caps: [String] = []
        if !named.isEmpty { caps.append("CAPABILITY_NAMED_IAM") } else if !iam.isEmpty { caps.append("CAPABILITY_IAM") }
        return (caps, (named + iam).sorted())
    }

    /// Whether what was acknowledged covers what is needed (NAMED_IAM covers IAM).
    public static func missing(needed: [String], acknowledged: [String]) -> [String] {
        needed.filter { cap in
            if acknowledged.contains(cap) { return false }
            if cap == "CAPABILITY_IAM", acknowledged.contains("CAPABILITY_NAMED_IAM") { return false }
            return true
        }
    }
}
