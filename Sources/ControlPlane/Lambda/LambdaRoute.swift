import AWSWire

/// The Lambda operations this server answers, recognised from method and path as botocore's model maps them.
enum LambdaRoute: Equatable {
    case createFunction, listFunctions, accountSettings
    case getFunction(String), deleteFunction(String), invoke(String)
    case getConfiguration(String), updateConfiguration(String), updateCode(String)
    case publishVersion(String), listVersions(String)
    case createAlias(String), listAliases(String)
    case getAlias(String, String), updateAlias(String, String), deleteAlias(String, String)
    case tagResource(String), untagResource(String), listTags(String)
    case putConcurrency(String), getConcurrency(String), deleteConcurrency(String)
    case putEventInvokeConfig(String), getEventInvokeConfig(String), updateEventInvokeConfig(String)
    case deleteEventInvokeConfig(String)

    /// Path segments are percent-decoded one by one, so an encoded ARN (`arn%3Aaws%3A…`) stays one segment.
    static func match(method: String, rawPath: String) -> LambdaRoute? {
        var segs = rawPath.split(separator: "/", omittingEmptySubsequences: true).map {
            // Foundation's decoder only when there is something to decode (every Invoke passes here).
            $0.contains("%") ? String($0).removingPercentEncoding ?? String($0) : String($0)
        }
        if rawPath.hasSuffix("/") && segs.count > 0 && segs.count != 2 { segs.append("") }
        switch (method, segs.count) {
        case ("GET", 2) where segs == ["2016-08-19", "account-settings"]: return .accountSettings
        default: break
        }
        if segs.count == 3, segs[0] == "2017-03-31", segs[1] == "tags" {
            switch method {
            case "POST": return .tagResource(segs[2])
            case "DELETE": return .untagResource(segs[2])
            case "GET": return .listTags(segs[2])
            default: return nil
            }
        }
        if segs.count == 4, segs[1] == "functions", segs[3] == "concurrency" {
            switch (method, segs[0]) {
            case ("PUT", "2017-10-31"): return .putConcurrency(segs[2])
            case ("DELETE", "2017-10-31"): return .deleteConcurrency(segs[2])
            case ("GET", "2019-09-30"): return .getConcurrency(segs[2])
            default: return nil
            }
        }
        if segs.count == 4, segs[0] == "2019-09-25", segs[1] == "functions", segs[3] == "event-invoke-config" {
            switch method {
            case "PUT": return .putEventInvokeConfig(segs[2])
            case "GET": return .getEventInvokeConfig(segs[2])
            case "POST": return .updateEventInvokeConfig(segs[2])
            case "DELETE": return .deleteEventInvokeConfig(segs[2])
            default: return nil
            }
        }
        guard segs.count >= 2, segs[0] == "2015-03-31", segs[1] == "functions" else { return nil }
        switch (method, segs.count) {
        case ("POST", 2): return .createFunction
        case ("GET", 2): return .listFunctions
        case ("GET", 3): return .getFunction(segs[2])
        case ("DELETE", 3): return .deleteFunction(segs[2])
        default: break
        }
        guard segs.count >= 4 else { return nil }
        let name = segs[2]
        switch (method, segs[3], segs.count) {
        case ("POST", "invocations", 4): return .invoke(name)
        case ("GET", "configuration", 4): return .getConfiguration(name)
        case ("PUT", "configuration", 4): return .updateConfiguration(name)
        case ("PUT", "code", 4): return .updateCode(name)
        case ("POST", "versions", 4): return .publishVersion(name)
        case ("GET", "versions", 4): return .listVersions(name)
        case ("POST", "aliases", 4): return .createAlias(name)
        case ("GET", "aliases", 4): return .listAliases(name)
        case ("GET", "aliases", 5): return .getAlias(name, segs[4])
        case ("PUT", "aliases", 5): return .updateAlias(name, segs[4])
        case ("DELETE", "aliases", 5): return .deleteAlias(name, segs[4])
        default: return nil
        }
    }
}
