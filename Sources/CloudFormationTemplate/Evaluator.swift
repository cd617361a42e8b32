import Foundation

/// The pseudo parameters of one stack.
public struct PseudoParameters: Sendable, Equatable {
    public var accountId: String
    public var region: String
    public var stackId: String
    public var stackName: String
    public var notificationARNs: [String]

    public init(accountId: String, region: String, stackId: String, stackName: String, notificationARNs: [String] = []) {
        self.accountId = accountId
        self.region = region
        self.stackId = stackId
        self.stackName = stackName
        self.notificationARNs = notificationARNs
    }

    public var partition: String {
        region.hasPrefix("cn-") ? "aws-cn" : region.hasPrefix("us-gov-") ? "aws-us-gov" : "aws"
    }
    public var urlSuffix: String { region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com" }

    /// `Ref` of a pseudo parameter; `.some(nil)` is `AWS::NoValue`, nil an unknown name.
    func value(_ name: String) -> TemplateValue?? {
        switch name {
        case "AWS::AccountId": return .some(.string(accountId))
        case "AWS::Region": return .some(.string(region))
        case "AWS::StackId": return .some(.string(stackId))
        case "AWS::StackName": return .some(.string(stackName))
        case "AWS::Partition": return .some(.string(partition))
        case "AWS::URLSuffix": return .some(.string(urlSuffix))
        case "AWS::NotificationARNs": return .some(.list(notificationARNs.map { .string($0) }))
        case "AWS::NoValue": return .some(nil)
        default: return nil
        }
    }
}

/// What intrinsic functions read: parameters, pseudo parameters, conditions, and what the deployment knows so far.
public struct EvaluationContext: Sendable {
    public var parameters: [String: TemplateValue]
    public var pseudo: PseudoParameters
    public var mappings: [String: TemplateValue]
    /// Evaluated conditions by name.
    public var conditions: [String: Bool]
    /// `Ref` of each resource created so far (its physical id, or what its type returns).
    public var resourceRefs: [String: String]
    /// `Fn::GetAtt` attributes of each resource created so far.
    public var resourceAttributes: [String: [String: TemplateValue]]
    /// Logical ids the template declares (a `Ref` to one not yet created is an engine error, not a template one).
    public var declaredResources: Set<String>
    /// The region's Availability Zones, for `Fn::GetAZs`.
    public var availabilityZones: @Sendable (String) -> [String]
    /// The value of an export in the region, for `Fn::ImportValue`.
    public var exports: @Sendable (String) -> String?

    public init(parameters: [String: TemplateValue], pseudo: PseudoParameters, mappings: [String: TemplateValue] = [:],
                conditions: [String: Bool] = [:], resourceRefs: [String: String] = [:],
                resourceAttributes: [String: [String: TemplateValue]] = [:], declaredResources: Set<String> = [],
                availabilityZones: @escaping @Sendable (String) -> [String] = { _ in [] },
                exports: @escaping @Sendable (String) -> String? = { _ in nil }) {
        self.parameters = parameters
        self.pseudo = pseudo
        self.mappings = mappings
        self.conditions = conditions
        self.resourceRefs = resourceRefs
        self.resourceAttributes = resourceAttributes
        self.declaredResources = declaredResources
        self.availabilityZones = availabilityZones
        self.exports = exports
    }
}

/// Evaluates intrinsic functions and pseudo parameters; pure.
public struct Evaluator: Sendable {
    public var context: EvaluationContext

    public init(_ context: EvaluationContext) { self.context = context }

    /// The value with every intrinsic applied and `AWS::NoValue` members removed (nil: the whole value is NoValue).
    public func evaluate(_ v: TemplateValue) throws(TemplateError) -> TemplateValue? {
        if let (name, arg) = v.intrinsic { return try call(name, arg) }
        switch v {
        case .list(let l):
            var out: [TemplateValue] = []
            for item in l { if let e = try evaluate(item) { out.append(e) } }
            return .list(out)
        case .object(let o):
            var out: [String: TemplateValue] = [:]
            for (k, item) in o { if let e = try evaluate(item) { out[k] = e } }
            return .object(out)
        default: return v
        }
    }

    /// Evaluates and requires a value (NoValue is not allowed here).
    func value(_ v: TemplateValue, in fn: String) throws(TemplateError) -> TemplateValue {
        guard let e = try evaluate(v) else { throw .template("every \(fn) object requires a value") }
        return e
    }

    func string(_ v: TemplateValue, in fn: String) throws(TemplateError) -> String {
        guard let s = try value(v, in: fn).scalarText else { throw .template("every \(fn) object requires a string parameter.") }
        return s
    }

    func list(_ v: TemplateValue, in fn: String) throws(TemplateError) -> [TemplateValue] {
        guard case .list(let l) = try value(v, in: fn) else { throw .template("every \(fn) object requires a list parameter.") }
        return l
    }

    func call(_ name: String, _ arg: TemplateValue) throws(TemplateError) -> TemplateValue? {
        switch name {
        case "Ref":
            guard let target = arg.stringValue else { throw .template("every Ref object requires a single string parameter.") }
            return try ref(target)
        case "Condition":
            guard let c = arg.stringValue, let b = context.conditions[c] else { throw .template("unresolved condition dependency \(arg.scalarText ?? "") in Fn::If") }
            return .bool(b)
        case "Fn::GetAtt":
            var parts: [String]
            if case .list(let l) = arg, l.count == 2 {
                parts = [try string(l[0], in: name), try string(l[1], in: name)]
            } else if let s = arg.stringValue, let dot = s.firstIndex(of: ".") {
                parts = [String(s[..<dot]), String(s[s.index(after: dot)...])]
            } else { throw .template("every Fn::GetAtt object requires two non-empty parameters.") }
            return try getAtt(parts[0], parts[1])
        case "Fn::Join":
            guard case .list(let a) = arg, a.count == 2 else { throw .template("every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined or a function that returns a list of strings (such as Fn::GetAZs) to be joined.") }
            let delimiter = try string(a[0], in: name)
            let items = try list(a[1], in: name)
            var texts: [String] = []
            for i in items {
                guard let t = i.scalarText else { throw .template("every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined or a function that returns a list of strings (such as Fn::GetAZs) to be joined.") }
                texts.append(t)
            }
            return .string(texts.joined(separator: delimiter))
        case "Fn::Select":
            guard case .list(let a) = arg, a.count == 2 else { throw .template("Fn::Select requires a list argument with two elements: an integer index and a list") }
            let indexText = try string(a[0], in: name)
            guard let index = Int(indexText) else { throw .template("Fn::Select requires a list argument with two elements: an integer index and a list") }
            let items = try list(a[1], in: name)
            guard index >= 0, index < items.count else { throw .template("Fn::Select cannot select nonexistent value at index \(index)") }
            return items[index]
        case "Fn::Split":
            guard case .list(let a) = arg, a.count == 2 else { throw .template("every Fn::Split object requires two parameters, (1) a string delimiter and (2) a string to be split or a function that returns a string to be split.") }
            let d = try string(a[0], in: name), s = try string(a[1], in: name)
            return .list(s.components(separatedBy: d).map { .string($0) })
        case "Fn::GetAZs":
            var region = (try evaluate(arg))?.scalarText ?? ""
            if region.isEmpty { region = context.pseudo.region }
            return .list(context.availabilityZones(region).map { .string($0) })
        case "Fn::FindInMap":
            guard case .list(let a) = arg, a.count == 3 || a.count == 4 else { throw .template("every Fn::FindInMap object requires three parameters, the map name, map key and the attribute for return value") }
            let m = try string(a[0], in: name), k1 = try string(a[1], in: name), k2 = try string(a[2], in: name)
            if let found = context.mappings[m]?[k1]?[k2] { return found }
            if a.count == 4, let d = a[3]["DefaultValue"] { return try evaluate(d) }
            throw .template("Unable to get mapping for \(m)::\(k1)::\(k2)")
        case "Fn::If":
            guard case .list(let a) = arg, a.count == 3, let c = a[0].stringValue else { throw .template("every Fn::If object requires three parameters.") }
            guard let b = context.conditions[c] else { throw .template("unresolved condition dependency \(c) in Fn::If") }
            return try evaluate(b ? a[1] : a[2])
        case "Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not":
            return .bool(try condition(.object([name: arg])))
        case "Fn::Base64":
            return .string(Data(try string(arg, in: name).utf8).base64EncodedString())
        case "Fn::Cidr":
            guard case .list(let a) = arg, a.count == 3 else { throw .template("Fn::Cidr requires three parameters: ipBlock, count and cidrBits") }
            let block = try string(a[0], in: name)
            guard let count = Int(try string(a[1], in: name)), let bits = Int(try string(a[2], in: name)) else {
                throw .template("Fn::Cidr requires three parameters: ipBlock, count and cidrBits")
            }
            return .list(try Cidr.subnets(block, count: count, hostBits: bits).map { .string($0) })
        case "Fn::ImportValue":
            let export = try string(arg, in: name)
            guard let v = context.exports(export) else { throw TemplateError("No export named \(export) found.") }
            return .string(v)
        case "Fn::Sub":
            return .string(try sub(arg))
        case "Fn::Length":
            return .number(String(try list(arg, in: name).count))
        case "Fn::ToJsonString":
            return .string(try value(arg, in: name).jsonText())
        default:
            throw .template("Unrecognized intrinsic function \(name)")
        }
    }

    func ref(_ target: String) throws(TemplateError) -> TemplateValue? {
        if let p = context.parameters[target] { return p }
        if let pseudo = context.pseudo.value(target) { return pseudo }
        if let r = context.resourceRefs[target] { return .string(r) }
        if context.declaredResources.contains(target) { throw TemplateError("Resource \(target) is not yet available") }
        throw .format("Unresolved resource dependencies [\(target)] in the Resources block of the template")
    }

    func getAtt(_ resource: String, _ attribute: String) throws(TemplateError) -> TemplateValue {
        guard let attrs = context.resourceAttributes[resource] else {
            if context.declaredResources.contains(resource) { throw TemplateError("Resource \(resource) is not yet available") }
            throw .template("instance of Fn::GetAtt references undefined resource \(resource)")
        }
        guard let v = attrs[attribute] else {
            throw .template("resource \(resource) does not support attribute type \(attribute) in Fn::GetAtt")
        }
        return v
    }

    /// `Fn::Sub`: `${Name}`, `${Resource.Attribute}`, `${!Literal}`, with the optional variable map.
    func sub(_ arg: TemplateValue) throws(TemplateError) -> String {
        let text: String
        var vars: [String: TemplateValue] = [:]
        switch arg {
        case .string(let s): text = s
        case .list(let a) where a.count == 2:
            text = try string(a[0], in: "Fn::Sub")
            guard case .object(let m) = a[1] else { throw .template("One or more Fn::Sub intrinsic functions don't specify expected arguments. Specify a string as first argument, and an optional second argument to specify a mapping of values to replace in the string") }
            for (k, v) in m { vars[k] = try value(v, in: "Fn::Sub") }
        default:
            throw .template("One or more Fn::Sub intrinsic functions don't specify expected arguments. Specify a string as first argument, and an optional second argument to specify a mapping of values to replace in the string")
        }
        var out = ""
        var rest = Substring(text)
        while let open = rest.range(of: "${") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].firstIndex(of: "}") else { out += rest[open.lowerBound...]; rest = ""; break }
            let name = String(rest[open.upperBound..<close])
            rest = rest[rest.index(after: close)...]
            if name.hasPrefix("!") { out += "${" + name.dropFirst() + "}"; continue }
            let value: TemplateValue?
            if let v = vars[name] { value = v }
            else if let dot = name.firstIndex(of: "."), context.parameters[name] == nil {
                value = try getAtt(String(name[..<dot]), String(name[name.index(after: dot)...]))
            } else { value = try ref(name) }
            guard let t = value?.scalarText else {
                throw .template("One or more Fn::Sub intrinsic functions don't specify expected arguments. Specify a string as first argument, and an optional second argument to specify a mapping of values to replace in the string")
            }
            out += t
        }
        out += rest
        return out
    }

    /// A condition expression: `Fn::Equals`, `Fn::And`, `Fn::Or`, `Fn::Not`, `{"Condition": name}`.
    public func condition(_ v: TemplateValue) throws(TemplateError) -> Bool {
        guard let (name, arg) = v.intrinsic else {
            if case .bool(let b) = v { return b }
            if let s = v.scalarText?.lowercased(), s == "true" || s == "false" { return s == "true" }
            throw .template("Conditions can only be boolean operations on parameters and other conditions")
        }
        switch name {
        case "Fn::Equals":
            guard case .list(let a) = arg, a.count == 2 else { throw .template("Fn::Equals requires a list argument with two elements") }
            let l = try evaluate(a[0]), r = try evaluate(a[1])
            if let ls = l?.scalarText, let rs = r?.scalarText { return ls == rs }
            return l == r
        case "Fn::And", "Fn::Or":
            guard case .list(let a) = arg, (2...10).contains(a.count) else { throw .template("\(name) requires a list argument with between 2 and 10 elements") }
            var results: [Bool] = []
            for c in a { results.append(try condition(c)) }
            return name == "Fn::And" ? !results.contains(false) : results.contains(true)
        case "Fn::Not":
            guard case .list(let a) = arg, a.count == 1 else { throw .template("Fn::Not requires a list argument with one element") }
            return !(try condition(a[0]))
        case "Condition":
            guard let c = arg.stringValue, let b = context.conditions[c] else { throw .template("unresolved condition dependency \(arg.scalarText ?? "")") }
            return b
        default:
            if let e = try evaluate(v), case .bool(let b) = e { return b }
            throw .template("Conditions can only be boolean operations on parameters and other conditions")
        }
    }

    /// Evaluates every condition of a template (a condition may name others; a cycle is an error).
    public static func conditions(of template: Template, context: EvaluationContext) throws(TemplateError) -> [String: Bool] {
        var done: [String: Bool] = [:]
        var visiting: Set<String> = []
        func eval(_ name: String) throws(TemplateError) -> Bool {
            if let b = done[name] { return b }
            guard let expr = template.conditions[name] else { throw .template("unresolved condition dependency \(name)") }
            guard visiting.insert(name).inserted else { throw .format("Circular dependency between conditions: [\(visiting.sorted().joined(separator: ", "))]") }
            for dep in Self.conditionNames(in: expr) where done[dep] == nil { _ = try eval(dep) }
            var ctx = context
            ctx.conditions = done
            let b = try Evaluator(ctx).condition(expr)
            visiting.remove(name)
            done[name] = b
            return b
        }
        for name in template.conditions.keys.sorted() { _ = try eval(name) }
        return done
    }

    static func conditionNames(in v: TemplateValue) -> [String] {
        switch v {
        case .object(let o):
            if o.count == 1, let c = o["Condition"]?.stringValue { return [c] }
            return o.values.flatMap(conditionNames)
        case .list(let l): return l.flatMap(conditionNames)
        default: return []
        }
    }
}
