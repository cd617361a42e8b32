import AWSWire
import CloudModel

/// The configuration members shared by CreateFunction and UpdateFunctionConfiguration, read from the body and
/// checked against the model's constraints (collected into one ValidationException, in the shape's member order).
struct FunctionSettings {
    var runtime: String?
    var role: String?
    var handler: String?
    var description: String?
    var timeout: Int?
    var memorySize: Int?
    /// Set when the body has an `Environment` member; its Variables (empty when none given).
    var environment: [String: String]?
    var architectures: [String]?
    var ephemeralStorageSize: Int?
    /// Set when the body has a `VpcConfig` member (an update without it keeps the VPC).
    var vpc: (subnetIds: [String], securityGroupIds: [String])?
    var revisionId: String?

    static let rolePattern = "arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+"
    /// Variables Lambda sets itself and refuses to take from the user.
    static let reservedVariables: Set<String> = [
        "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_REGION", "AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
    ]

    /// Reads the members; appends model-constraint problems to `problems`; throws only for unparsable members.
    static func read(_ b: JSONBody, problems p: inout [String]) throws(AWSError) -> FunctionSettings {
        var s = FunctionSettings()
        s.runtime = try b.string("Runtime")
        s.role = try b.string("Role")
        if let r = s.role, !matchesRole(r) {
            p.append("Value '\(r)' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern: \(rolePattern)")
        }
        s.handler = try b.string("Handler")
        if let h = s.handler {
            if h.count > 128 {
                p.append("Value '\(h)' at 'handler' failed to satisfy constraint: Member must have length less than or equal to 128")
            } else if h.isEmpty || h.contains(where: \.isWhitespace) {
                p.append("Value '\(h)' at 'handler' failed to satisfy constraint: Member must satisfy regular expression pattern: [^\\s]+")
            }
        }
        s.description = try b.string("Description")
        if let d = s.description, d.count > 256 {
            p.append("Value '\(d)' at 'description' failed to satisfy constraint: Member must have length less than or equal to 256")
        }
        s.timeout = try b.int("Timeout")
        if let t = s.timeout {
            if t < 1 { p.append("Value '\(t)' at 'timeout' failed to satisfy constraint: Member must have value greater than or equal to 1") }
            if t > 900 { p.append("Value '\(t)' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to 900") }
        }
        s.memorySize = try b.int("MemorySize")
        if let m = s.memorySize {
            if m < 128 { p.append("Value '\(m)' at 'memorySize' failed to satisfy constraint: Member must have value greater than or equal to 128") }
            if m > 10240 { p.append("Value '\(m)' at 'memorySize' failed to satisfy constraint: Member must have value less than or equal to 10240") }
        }
        if let v = try b.object("VpcConfig") {
            let subnets = try v.stringList("SubnetIds") ?? []
            let groups = try v.stringList("SecurityGroupIds") ?? []
            p.append(contentsOf: VpcConfigValidator.formatProblems(subnetIds: subnets, securityGroupIds: groups))
            s.vpc = (subnets, groups)
        }
        if let env = try b.object("Environment") {
            let vars = try env.stringMap("Variables") ?? [:]
            let bad = vars.keys.sorted().filter { !validVariableName($0) }
            if !bad.isEmpty {
                p.append("Value '{\(bad.joined(separator: ", "))}' at 'environment.variables' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]")
            }
            s.environment = vars
        }
        if let arch = try b.stringList("Architectures") {
            if arch.count != 1 {
                p.append("Value '[\(arch.joined(separator: ", "))]' at 'architectures' failed to satisfy constraint: Member must have length \(arch.isEmpty ? "greater than or equal to 1" : "less than or equal to 1")")
            } else if !["x86_64", "arm64"].contains(arch[0]) {
                p.append("Value '[\(arch[0])]' at 'architectures' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64]]")
            }
            s.architectures = arch
        }
        if let e = try b.object("EphemeralStorage") {
            let size = try e.int("Size")
            if let size {
                if size < 512 { p.append("Value '\(size)' at 'ephemeralStorage.size' failed to satisfy constraint: Member must have value greater than or equal to 512") }
                if size > 10240 { p.append("Value '\(size)' at 'ephemeralStorage.size' failed to satisfy constraint: Member must have value less than or equal to 10240") }
            }
            s.ephemeralStorageSize = size
        }
        s.revisionId = try b.string("RevisionId")
        return s
    }

    /// The checks Lambda answers with InvalidParameterValueException, after the model's.
    func checkParameters() throws(AWSError) {
        if let r = runtime, let refusal = LambdaRuntimes.refusal(r) { throw refusal }
        if let env = environment {
            let reserved = env.keys.filter { Self.reservedVariables.contains($0) }.sorted()
            if !reserved.isEmpty { throw LambdaErrors.reservedEnvironmentKeys(reserved) }
            // Lambda measures the variables as their JSON text.
            var w = JSONWriter()
            w.beginObject(); for k in env.keys.sorted() { w.key(k); w.string(env[k]!) }; w.endObject()
            if w.bytes.count > 4096 { throw LambdaErrors.environmentTooLarge(w.bytes.count) }
        }
    }

    static func matchesRole(_ r: String) -> Bool {
        // arn:aws[...]:iam::<12 digits>:role/<name chars>
        let parts = r.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", parts[1].hasPrefix("aws"), parts[2] == "iam", parts[3].isEmpty,
              parts[4].count == 12, parts[4].allSatisfy({ $0.isASCII && $0.isNumber }), parts[5].hasPrefix("role") else { return false }
        var rest = parts[5].dropFirst(4)
        if rest.first == "/" { rest = rest.dropFirst() }
        return !rest.isEmpty && rest.allSatisfy { c in c.isASCII && (c.isLetter || c.isNumber || "+=,.@-_/".contains(c)) }
    }

    static func validVariableName(_ k: String) -> Bool {
        guard k.count >= 2, let f = k.first, f.isASCII, f.isLetter else { return false }
        return k.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
    }
}
