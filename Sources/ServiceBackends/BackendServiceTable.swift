import AWSWire
import Foundation

/// The services lambda-vpc does not implement itself but forwards to a backend, one row each: how their requests name
/// the operation (awsJson `X-Amz-Target`, Query `Action`, REST) and the resource it acts on, so the server authorizes
/// `prefix:Operation` on the right ARN before anything is forwarded, and renders its own refusals in the service's format.
public struct BackendService: Sendable {
    /// How requests and errors of the service look on the wire.
    public enum Wire: Sendable { case awsJSON(version: String), query, restXML, restJSON }

    /// The SigV4 service name (the credential scope's), which is also the endpoint prefix.
    public var signingName: String
    /// The IAM action prefix (`dynamodb`, `sqs`, ...).
    public var actionPrefix: String
    public var wire: Wire
    /// The resource ARN an operation acts on, from its input (`*` when the input names none).
    public var resource: @Sendable (_ input: BackendInput, _ region: String, _ account: String) -> String

    /// The `X-Amz-Target` prefix of an awsJson service (tells an unsigned request's service).
    public var targetPrefix: String? = nil

    /// The IAM action of a request, when it is not `prefix:Operation` (REST services name no operation on the wire).
    public var action: (@Sendable (BackendInput) -> String)? = nil

    /// The IAM action this request needs.
    public func iamAction(_ input: BackendInput) -> String { action?(input) ?? actionPrefix + ":" + input.operation }
}

/// What the table reads from a request: its operation and its parameters, whichever protocol carried them.
public struct BackendInput: Sendable {
    public var operation: String
    /// Top-level string parameters (JSON members or Query parameters).
    public var strings: [String: String]
    public var path: String

    public init(operation: String, strings: [String: String], path: String) {
        self.operation = operation; self.strings = strings; self.path = path
    }

    /// Reads the operation and parameters of a request to a service of the given wire.
    public static func read(_ r: WireRequest, wire: BackendService.Wire) -> BackendInput {
        if let target = r.header("x-amz-target"), let dot = target.lastIndex(of: ".") {
            var strings: [String: String] = [:]
            if let object = try? JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any] {
                for (k, v) in object { if let s = v as? String { strings[k] = s } }
            }
            return BackendInput(operation: String(target[target.index(after: dot)...]), strings: strings, path: r.path)
        }
        if case .restXML = wire { return BackendInput(operation: r.method, strings: [:], path: r.path) }
        if case .restJSON = wire { return BackendInput(operation: r.method, strings: [:], path: r.path) }
        var strings = Dictionary(FormDecoding.pairs(r.rawQuery, plusIsSpace: true), uniquingKeysWith: { a, _ in a })
        if r.header("content-type")?.hasPrefix("application/x-www-form-urlencoded") == true {
            for (k, v) in FormDecoding.pairs(String(decoding: r.body, as: UTF8.self), plusIsSpace: true) { strings[k] = v }
        }
        return BackendInput(operation: strings["Action"] ?? "", strings: strings, path: r.path)
    }
}

/// The forwarded services.
public enum BackendServiceTable {
    static func arn(_ service: String, _ region: String, _ account: String, _ rest: String) -> String {
        "arn:aws:\(service):\(region):\(account):\(rest)"
    }

    /// A name or an ARN given as the identifier: the ARN as is, else `build(name)`.
    static func arnOrName(_ value: String?, _ build: (String) -> String) -> String {
        guard let value, !value.isEmpty else { return "*" }
        return value.hasPrefix("arn:") ? value : build(value)
    }

    public static let services: [String: BackendService] = {
        let rows = [
            BackendService(signingName: "dynamodb", actionPrefix: "dynamodb", wire: .awsJSON(version: "1.0"), resource: { input, r, a in
                arnOrName(input.strings["TableName"]) { arn("dynamodb", r, a, "table/\($0)") }
            }, targetPrefix: "DynamoDB_"),
            // Current SDKs speak awsJson to SQS, older ones Query; both read the same way.
            BackendService(signingName: "sqs", actionPrefix: "sqs", wire: .awsJSON(version: "1.0"), resource: { input, r, a in
                if let url = input.strings["QueueUrl"], let name = url.split(separator: "/").last { return arn("sqs", r, a, String(name)) }
                if let name = input.strings["QueueName"] { return arn("sqs", r, a, name) }
                return "*"
            }, targetPrefix: "AmazonSQS."),
            BackendService(signingName: "sns", actionPrefix: "sns", wire: .query) { input, _, _ in
                input.strings["TopicArn"] ?? input.strings["TargetArn"] ?? input.strings["ResourceArn"] ?? "*"
            },
            BackendService(signingName: "secretsmanager", actionPrefix: "secretsmanager", wire: .awsJSON(version: "1.1"), resource: { input, r, a in
                arnOrName(input.strings["SecretId"] ?? input.strings["Name"]) { arn("secretsmanager", r, a, "secret:\($0)") }
            }, targetPrefix: "secretsmanager."),
            BackendService(signingName: "kms", actionPrefix: "kms", wire: .awsJSON(version: "1.1"), resource: { input, r, a in
                arnOrName(input.strings["KeyId"]) { $0.hasPrefix("alias/") ? arn("kms", r, a, $0) : arn("kms", r, a, "key/\($0)") }
            }, targetPrefix: "TrentService."),
            BackendService(signingName: "events", actionPrefix: "events", wire: .awsJSON(version: "1.1")) { input, r, a in
                input.strings["Name"].map { arn("events", r, a, "rule/\($0)") } ?? "*"
            },
            BackendService(signingName: "kinesis", actionPrefix: "kinesis", wire: .awsJSON(version: "1.1")) { input, r, a in
                input.strings["StreamARN"] ?? input.strings["StreamName"].map { arn("kinesis", r, a, "stream/\($0)") } ?? "*"
            },
            BackendService(signingName: "states", actionPrefix: "states", wire: .awsJSON(version: "1.0")) { input, _, _ in
                input.strings["stateMachineArn"] ?? "*"
            },
            BackendService(signingName: "monitoring", actionPrefix: "cloudwatch", wire: .query) { _, _, _ in "*" },
        ]
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.signingName, $0) })
    }()

    /// The awsJson service an `X-Amz-Target` belongs to.
    public static func service(forTarget target: String) -> BackendService? {
        services.values.first { $0.targetPrefix.map(target.hasPrefix) ?? false }
    }
}
