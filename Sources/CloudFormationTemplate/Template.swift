/// A parsed template's sections, checked for the structure CloudFormation requires.
public struct Template: Sendable, Equatable {
    public var formatVersion: String?
    public var description: String?
    /// The transforms named by `Transform` (a string or a list).
    public var transforms: [String]
    public var parameters: [String: ParameterDeclaration]
    /// Parameter names in the order written (JSON object order is lost, so sorted then).
    public var parameterOrder: [String]
    public var mappings: [String: TemplateValue]
    public var conditions: [String: TemplateValue]
    public var resources: [String: ResourceDeclaration]
    public var outputs: [String: OutputDeclaration]
    public var metadata: TemplateValue?
    /// The whole document, as parsed.
    public var document: TemplateValue

    static let sections: Set<String> = ["AWSTemplateFormatVersion", "Description", "Metadata", "Parameters", "Rules",
                                        "Mappings", "Conditions", "Transform", "Resources", "Outputs", "Hooks"]

    /// Parses and checks a template body.
    public init(body: String) throws(TemplateError) {
        try self.init(document: TemplateParser.parse(body))
    }

    public init(document: TemplateValue) throws(TemplateError) {
        guard case .object(let top) = document else { throw .format("not a valid template") }
        self.document = document
        for k in top.keys.sorted() where !Self.sections.contains(k) {
            throw .format("Invalid template property or properties [\(k)]")
        }
        if let v = top["AWSTemplateFormatVersion"] {
            guard let s = v.scalarText, s == "2010-09-09" else {
                throw .format("Unsupported template format version \(v.scalarText ?? ""). Only version 2010-09-09 is supported.")
            }
            formatVersion = s
        }
        if let d = top["Description"] {
            guard let s = d.scalarText else { throw .format("Every Description member must be a string.") }
            description = s
        }
        switch top["Transform"] {
        case .string(let s)?: transforms = [s]
        case .list(let l)?: transforms = l.compactMap { $0.stringValue }
        default: transforms = []
        }
        metadata = top["Metadata"]
        parameters = [:]
        if let p = top["Parameters"] {
            guard case .object(let ps) = p else { throw .format("Parameters must be an object") }
            for (name, decl) in ps { parameters[name] = try ParameterDeclaration(name: name, decl) }
        }
        parameterOrder = parameters.keys.sorted()
        mappings = [:]
        if let m = top["Mappings"] {
            guard case .object(let ms) = m else { throw .format("Mappings must be an object") }
            for (name, v) in ms {
                guard case .object = v else { throw .format("Every Mappings member \(name) must be a map") }
                mappings[name] = v
            }
        }
        conditions = top["Conditions"]?.objectValue ?? [:]
        guard case .object(let rs)? = top["Resources"], !rs.isEmpty else {
            throw .format("At least one Resources member must be defined.")
        }
        resources = [:]
        for (id, r) in rs {
            guard id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
                throw .format("Resource name \(id) is non alphanumeric.")
            }
            resources[id] = try ResourceDeclaration(logicalId: id, r)
        }
        outputs = [:]
        if let o = top["Outputs"] {
            guard case .object(let os) = o else { throw .format("Outputs must be an object") }
            for (name, v) in os { outputs[name] = try OutputDeclaration(name: name, v) }
        }
        for (name, r) in resources {
            if let c = r.condition, conditions[c] == nil {
                _ = name
                throw .format("Unresolved dependencies [\(c)]. Cannot reference resources in the Conditions block of the template")
            }
        }
    }
}

/// One member of `Resources`.
public struct ResourceDeclaration: Sendable, Equatable {
    public var logicalId: String
    public var type: String
    public var properties: TemplateValue
    public var dependsOn: [String]
    public var condition: String?
    public var deletionPolicy: String?
    public var updateReplacePolicy: String?
    public var metadata: TemplateValue?

    static let attributes: Set<String> = ["Type", "Properties", "DependsOn", "Condition", "DeletionPolicy", "UpdateReplacePolicy",
                                          "Metadata", "CreationPolicy", "UpdatePolicy", "Version", "Description"]

    init(logicalId: String, _ v: TemplateValue) throws(TemplateError) {
        guard case .object(let o) = v else { throw .format("[/Resources/\(logicalId)] Every Resources object must contain a Type member.") }
        for k in o.keys.sorted() where !Self.attributes.contains(k) {
            throw .format("Invalid template resource property '\(k)'")
        }
        guard let t = o["Type"]?.stringValue, !t.isEmpty else {
            throw .format("[/Resources/\(logicalId)] Every Resources object must contain a Type member.")
        }
        self.logicalId = logicalId
        type = t
        properties = o["Properties"] ?? .object([:])
        if case .object = properties {} else if properties != .null {
            throw .format("[/Resources/\(logicalId)/Properties] Every Properties member must be an object")
        } else { properties = .object([:]) }
        switch o["DependsOn"] {
        case .string(let s)?: dependsOn = [s]
        case .list(let l)?: dependsOn = l.compactMap { $0.stringValue }
        case nil: dependsOn = []
        default: throw .format("DependsOn must be a string or list of strings.")
        }
        condition = o["Condition"]?.stringValue
        deletionPolicy = o["DeletionPolicy"]?.stringValue
        updateReplacePolicy = o["UpdateReplacePolicy"]?.stringValue
        for p in [deletionPolicy, updateReplacePolicy].compactMap({ $0 }) where !["Delete", "Retain", "Snapshot", "RetainExceptOnCreate"].contains(p) {
            throw .format("Unrecognized DeletionPolicy \(p) for resource \(logicalId)")
        }
        metadata = o["Metadata"]
    }
}

/// One member of `Outputs`.
public struct OutputDeclaration: Sendable, Equatable {
    public var name: String
    public var value: TemplateValue
    public var description: String?
    public var exportName: TemplateValue?
    public var condition: String?

    init(name: String, _ v: TemplateValue) throws(TemplateError) {
        guard case .object(let o) = v, let value = o["Value"] else {
            throw .format("Every Outputs member must contain a Value object, the Outputs member \(name) is missing Value")
        }
        self.name = name
        self.value = value
        description = o["Description"]?.scalarText
        exportName = o["Export"]?["Name"]
        condition = o["Condition"]?.stringValue
    }
}
