import AWSWire
import Foundation

/// CloudWatch Logs as the stack engine calls it (the Logs API lives with the sandbox's log store).
public protocol LogsBackend: Sendable {
    /// One awsJson1.1 request (`Logs_20140328.<Operation>`): the HTTP status and the JSON body.
    func handle(target: String, body: [UInt8]) -> (status: Int, body: [UInt8])
}

/// AWS::Logs::LogGroup: CreateLogGroup and its retention; `Ref` is the name, `Arn` ends in `:*` as AWS's does.
struct LogsLogGroupProvider: ResourceProvider {
    let type = "AWS::Logs::LogGroup"
    let replacementProperties: Set<String> = ["LogGroupName", "KmsKeyId", "LogGroupClass"]

    func call(_ operation: String, _ input: [String: Any], _ c: ProviderContext) throws {
        guard let logs = c.backends.logs else { throw ResourceFailure("CloudWatch Logs is not available") }
        let body = Array((try? JSONSerialization.data(withJSONObject: input)) ?? Data())
        let (status, out) = logs.handle(target: "Logs_20140328." + operation, body: body)
        guard status >= 300 else { return }
        let error = (try? JSONSerialization.jsonObject(with: Data(out))) as? [String: Any] ?? [:]
        let code = (error["__type"] as? String ?? "").split(separator: "#").last.map(String.init) ?? ""
        let message = error["message"] as? String ?? error["Message"] as? String ?? code
        throw ProviderContext.failure(AWSError(code: code, message: message, httpStatus: status), service: "CloudWatchLogs",
                                      requestID: c.context().requestID)
    }

    func create(_ p: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned {
        let name = p.string("LogGroupName") ?? PhysicalNames.generate(c, maxLength: 512)
        var input: [String: Any] = ["logGroupName": name]
        if let tags = p["Tags"]?.listValue, !tags.isEmpty {
            var t: [String: String] = [:]
            for tag in tags { if let k = tag["Key"]?.scalarText { t[k] = tag["Value"]?.scalarText ?? "" } }
            input["tags"] = t
        }
        try call("CreateLogGroup", input, c)
        try retention(name, p, c)
        return Provisioned(name, attributes: ["Arn": .string("arn:aws:logs:\(c.region):\(c.accountId):log-group:\(name):*")])
    }

    func retention(_ name: String, _ p: ResourceProperties, _ c: ProviderContext) throws {
        if let days = p.string("RetentionInDays").flatMap(Int.init) {
            try call("PutRetentionPolicy", ["logGroupName": name, "retentionInDays": days], c)
        } else {
            try call("DeleteRetentionPolicy", ["logGroupName": name], c)
        }
    }

    func update(_ id: String, old: ResourceProperties, new: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned? {
        try retention(id, new, c)
        return Provisioned(id, attributes: ["Arn": .string("arn:aws:logs:\(c.region):\(c.accountId):log-group:\(id):*")])
    }

    func delete(_ id: String, _ p: ResourceProperties, _ c: ProviderContext) async throws -> Bool {
        do { try call("DeleteLogGroup", ["logGroupName": id], c) } catch let f as ResourceFailure where f.reason.contains("NotFound") {}
        return true
    }
}
