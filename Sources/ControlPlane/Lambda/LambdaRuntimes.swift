import AWSWire

/// The runtimes Lambda accepts today, the deprecated ones it refuses on create and update (with the runtime it
/// recommends instead), and the model's whole enum for the constraint error of anything else.
enum LambdaRuntimes {
    static let supported = [
        "python3.9", "python3.10", "python3.11", "python3.12", "python3.13", "python3.14",
        "nodejs18.x", "nodejs20.x", "nodejs22.x", "nodejs24.x",
        "java11", "java17", "java21", "java25",
        "ruby3.2", "ruby3.3", "ruby3.4",
        "dotnet8", "dotnet10",
        "provided.al2", "provided.al2023",
    ]

    /// Deprecated runtime → the newest of its family, which Lambda's refusal recommends.
    static let deprecated: [String: String] = {
        let successors = ["python": "python3.14", "nodejs": "nodejs24.x", "java": "java25", "ruby": "ruby3.4",
                          "dotnet": "dotnet10", "go": "provided.al2023", "provided": "provided.al2023"]
        let old = ["python2.7", "python3.6", "python3.7", "python3.8", "nodejs", "nodejs4.3", "nodejs4.3-edge", "nodejs6.10",
                   "nodejs8.10", "nodejs10.x", "nodejs12.x", "nodejs14.x", "nodejs16.x", "java8", "java8.al2",
                   "dotnetcore1.0", "dotnetcore2.0", "dotnetcore2.1", "dotnetcore3.1", "dotnet6", "go1.x", "ruby2.5",
                   "ruby2.7", "provided"]
        var out: [String: String] = [:]
        for r in old {
            let family = successors.keys.sorted { $0.count > $1.count }.first { r.hasPrefix($0) } ?? "provided"
            out[r] = successors[family]
        }
        return out
    }()

    /// botocore's `Runtime` enum, as the constraint error lists it.
    static let modelEnum = [
        "nodejs", "nodejs4.3", "nodejs6.10", "nodejs8.10", "nodejs10.x", "nodejs12.x", "nodejs14.x", "nodejs16.x", "java8",
        "java8.al2", "java11", "python2.7", "python3.6", "python3.7", "python3.8", "python3.9", "dotnetcore1.0",
        "dotnetcore2.0", "dotnetcore2.1", "dotnetcore3.1", "dotnet6", "dotnet8", "nodejs4.3-edge", "go1.x", "ruby2.5",
        "ruby2.7", "provided", "provided.al2", "nodejs18.x", "python3.10", "java17", "ruby3.2", "ruby3.3", "ruby3.4",
        "python3.11", "nodejs20.x", "provided.al2023", "python3.12", "java21", "python3.13", "nodejs22.x", "nodejs24.x",
        "python3.14", "java25", "dotnet10", "ruby4.0",
    ]

    /// nil when Lambda takes the runtime on CreateFunction/UpdateFunctionConfiguration.
    static func refusal(_ runtime: String) -> AWSError? {
        if supported.contains(runtime) { return nil }
        if let successor = deprecated[runtime] { return LambdaErrors.deprecatedRuntime(runtime, recommended: successor) }
        return LambdaErrors.unsupportedRuntime(runtime, supported: modelEnum)
    }
}
