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
    /// Layer version ARNs in order; an empty list removes every layer.
    var layers: [String]?
    var logging: LoggingSettings?
    var tracingMode: String?
    /// DeadLetterConfig.TargetArn; "" removes it.
    var deadLetterTargetArn: String?

    /// LoggingConfig's members as given (an update changes only those present).
    struct LoggingSettings {
        var logFormat: String?
        var applicationLogLevel: String?
        var systemLogLevel: String?
        var logGroup: String?

        /// The stored configuration after applying these members to `current`.
        func applied(to current: LambdaLoggingConfig?) throws(AWSError) -> LambdaLoggingConfig {
            var c = current ?? LambdaLoggingConfig(logFormat: "Text", applicationLogLevel: nil, systemLogLevel: nil, logGroup: nil)
            if let f = logFormat { c.logFormat = f }
            if let a = applicationLogLevel { c.applicationLogLevel = a }
            if let l = systemLogLevel { c.systemLogLevel = l }
            if let g = logGroup { c.logGroup = g }
            if c.logFormat == "JSON" {
                // Lambda fills in its defaults for JSON logs.
                c.applicationLogLevel = c.applicationLogLevel ?? "INFO"
                c.systemLogLevel = c.systemLogLevel ?? "INFO"
            } else {
                if applicationLogLevel != nil || systemLogLevel != nil { throw LambdaErrors.logLevelsNeedJSON }
                c.applicationLogLevel = nil
                c.systemLogLevel = nil
            }
            return c
        }
    }

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
        if let layers = try b.stringList("Layers") {
            if let bad = layers.first(where: { $0.isEmpty || $0.count > 140 || LayerArns.parseVersionArn($0) == nil }) {
                p.append("Value '[\(bad)]' at 'layers' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 140, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: \(LayerArns.versionArnPattern), Member must not be null]")
            }
            s.layers = layers
        }
        if let l = try b.object("LoggingConfig") {
            var ls = LoggingSettings()
            ls.logFormat = try l.string("LogFormat")
            if let f = ls.logFormat, !["JSON", "Text"].contains(f) {
                p.append("Value '\(f)' at 'loggingConfig.logFormat' failed to satisfy constraint: Member must satisfy enum value set: [JSON, Text]")
            }
            ls.applicationLogLevel = try l.string("ApplicationLogLevel")
            if let a = ls.applicationLogLevel, !["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"].contains(a) {
                p.append("Value '\(a)' at 'loggingConfig.applicationLogLevel' failed to satisfy constraint: Member must satisfy enum value set: [TRACE, DEBUG, INFO, WARN, ERROR, FATAL]")
            }
            ls.systemLogLevel = try l.string("SystemLogLevel")
            if let v = ls.systemLogLevel, !["DEBUG", "INFO", "WARN"].contains(v) {
                p.append("Value '\(v)' at 'loggingConfig.systemLogLevel' failed to satisfy constraint: Member must satisfy enum value set: [DEBUG, INFO, WARN]")
            }
            ls.logGroup = try l.string("LogGroup")
            if let g = ls.logGroup {
                if g.isEmpty || g.count > 512 {
                    p.append("Value '\(g)' at 'loggingConfig.logGroup' failed to satisfy constraint: Member must have length \(g.isEmpty ? "greater than or equal to 1" : "less than or equal to 512")")
                } else if !g.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-/#".contains($0)) }) {
                    p.append("Value '\(g)' at 'loggingConfig.logGroup' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+")
                }
            }
            s.logging = ls
        }
        if let t = try b.object("TracingConfig") {
            let mode = try t.string("Mode")
            if let m = mode, !["Active", "PassThrough"].contains(m) {
                p.append("Value '\(m)' at 'tracingConfig.mode' failed to satisfy constraint: Member must satisfy enum value set: [Active, PassThrough]")
            }
            s.tracingMode = mode
        }
        if let d = try b.object("DeadLetterConfig") {
            let target = try d.string("TargetArn") ?? ""
            if !target.isEmpty && !(target.hasPrefix("arn:aws") && target.split(separator: ":", omittingEmptySubsequences: false).count >= 4) {
                p.append("Value '\(target)' at 'deadLetterConfig.targetArn' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:[a-z0-9-.]+:.*)|()")
            }
            s.deadLetterTargetArn = target
        }
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
