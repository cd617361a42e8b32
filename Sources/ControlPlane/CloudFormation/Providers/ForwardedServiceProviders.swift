import AWSWire
import CloudFormationTemplate
import CloudModel
import Foundation

/// The services this server forwards to its backend (DynamoDB, SQS, SNS, Secrets Manager, …), as the stack engine
/// calls them: the server supplies the implementation (`ServiceBackend`), which signs and sends.
public protocol ForwardedServices: Sendable {
    /// One awsJson request (`X-Amz-Target`) to the service of signing name `service`: the HTTP status and body.
    func json(service: String, target: String, body: [UInt8], region: String) async throws -> (status: Int, body: [UInt8])
    /// One Query request (a form) to the service of signing name `service`: the HTTP status and XML body.
    func query(service: String, form: [String: String], region: String) async throws -> (status: Int, body: [UInt8])
}

/// Calls to a forwarded service with the service's error as a resource failure.
enum Forwarded {
    static func json(_ service: String, _ target: String, _ input: [String: Any], _ c: ProviderContext,
                     contentType: String = "1.0") async throws -> [String: Any] {
        guard let f = c.backends.forwarded else { throw ResourceFailure("\(service) is not available on this server") }
        let body = Array((try? JSONSerialization.data(withJSONObject: input)) ?? Data())
        let (status, out) = try await f.json(service: service, target: target, body: body, region: c.region)
        let decoded = (try? JSONSerialization.jsonObject(with: Data(out))) as? [String: Any] ?? [:]
        guard status < 300 else {
            let code = (decoded["__type"] as? String ?? "").split(separator: "#").last.map(String.init) ?? "InternalFailure"
            let message = decoded["message"] as? String ?? decoded["Message"] as? String ?? code
            throw ProviderContext.failure(AWSError(code: code, message: message, httpStatus: status), service: service.capitalized,
                                          requestID: c.context().requestID)
        }
        return decoded
    }

    static func query(_ service: String, _ action: String, _ form: [String: String], _ c: ProviderContext) async throws -> XMLElement {
        guard let f = c.backends.forwarded else { throw ResourceFailure("\(service) is not available on this server") }
        var all = form
        all["Action"] = action
        let (status, out) = try await f.query(service: service, form: all, region: c.region)
        let root = XMLElement.parse(out)
        guard status < 300, let root else {
            let code = root?.find("Code") ?? "InternalFailure"
            throw ProviderContext.failure(AWSError(code: code, message: root?.find("Message") ?? code, httpStatus: status),
                                          service: service.capitalized, requestID: c.context().requestID)
        }
        return root
    }
}

/// AWS::DynamoDB::Table (forwarded): CreateTable, complete once ACTIVE; `Ref` is the table's name.
struct DynamoDBTableProvider: ResourceProvider {
    let type = "AWS::DynamoDB::Table"
    let replacementProperties: Set<String> = ["TableName", "KeySchema", "LocalSecondaryIndexes"]
    static let members = ["KeySchema", "AttributeDefinitions", "BillingMode", "ProvisionedThroughput", "GlobalSecondaryIndexes",
                          "LocalSecondaryIndexes", "StreamSpecification", "SSESpecification", "TableClass"]

    func create(_ p: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned {
        let name = p.string("TableName") ?? PhysicalNames.generate(c, maxLength: 255)
        var input: [String: Any] = ["TableName": name]
        for k in Self.members { if let v = p[k] { input[k] = LambdaFunctionProvider.json(v) } }
        if input["BillingMode"] == nil && input["ProvisionedThroughput"] == nil { input["BillingMode"] = "PROVISIONED" }
        if let tags = p["Tags"]?.listValue { input["Tags"] = tags.map { LambdaFunctionProvider.json($0) } }
        let out = try await Forwarded.json("dynamodb", "DynamoDB_20120810.CreateTable", input, c)
        let table = out["TableDescription"] as? [String: Any] ?? [:]
        return Provisioned(name, attributes: Self.attributes(table), pending: true)
    }

    static func attributes(_ t: [String: Any]) -> [String: StackAttributeValue] {
        var a: [String: StackAttributeValue] = [:]
        if let arn = t["TableArn"] as? String { a["Arn"] = .string(arn) }
        if let s = t["LatestStreamArn"] as? String { a["StreamArn"] = .string(s) }
        return a
    }

    func stabilize(_ id: String, _ p: ResourceProperties, _ c: ProviderContext) async throws -> Stabilization {
        let t = try await Forwarded.json("dynamodb", "DynamoDB_20120810.DescribeTable", ["TableName": id], c)["Table"] as? [String: Any] ?? [:]
        return t["TableStatus"] as? String == "ACTIVE" ? .ready(Self.attributes(t)) : .waiting
    }

    func update(_ id: String, old: ResourceProperties, new: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned? {
        var input: [String: Any] = ["TableName": id]
        for k in ["BillingMode", "ProvisionedThroughput", "AttributeDefinitions", "StreamSpecification"] where old[k] != new[k] {
            if let v = new[k] { input[k] = LambdaFunctionProvider.json(v) }
        }
        if input.count > 1 { _ = try await Forwarded.json("dynamodb", "DynamoDB_20120810.UpdateTable", input, c) }
        return Provisioned(id, pending: true)
    }

    func delete(_ id: String, _ p: ResourceProperties, _ c: ProviderContext) async throws -> Bool {
        do { _ = try await Forwarded.json("dynamodb", "DynamoDB_20120810.DeleteTable", ["TableName": id], c) }
        catch let f as ResourceFailure where f.code == "ResourceNotFoundException" {}
        return true
    }
}

/// AWS::SQS::Queue (forwarded): `Ref` is the queue's URL.
struct SQSQueueProvider: ResourceProvider {
    let type = "AWS::SQS::Queue"
    let replacementProperties: Set<String> = ["QueueName", "FifoQueue"]
    static let attributeNames = ["DelaySeconds", "MaximumMessageSize", "MessageRetentionPeriod", "ReceiveMessageWaitTimeSeconds",
                                 "VisibilityTimeout", "FifoQueue", "ContentBasedDeduplication", "KmsMasterKeyId", "SqsManagedSseEnabled",
                                 "DeduplicationScope", "FifoThroughputLimit", "RedrivePolicy", "RedriveAllowPolicy"]

    func attributes(_ p: ResourceProperties) -> [String: String] {
        var a: [String: String] = [:]
        for k in Self.attributeNames {
            guard let v = p[k] else { continue }
            a[k] = v.scalarText ?? v.jsonText()
        }
        return a
    }

    func create(_ p: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned {
        var name = p.string("QueueName") ?? PhysicalNames.generate(c, maxLength: p.bool("FifoQueue") == true ? 75 : 80)
        if p.bool("FifoQueue") == true && !name.hasSuffix(".fifo") { name += ".fifo" }
        var input: [String: Any] = ["QueueName": name, "Attributes": attributes(p)]
        if let tags = p["Tags"]?.listValue {
            var t: [String: String] = [:]
            for tag in tags { if let k = tag["Key"]?.scalarText { t[k] = tag["Value"]?.scalarText ?? "" } }
            input["tags"] = t
        }
        let out = try await Forwarded.json("sqs", "AmazonSQS.CreateQueue", input, c)
        guard let url = out["QueueUrl"] as? String else { throw ResourceFailure("Internal Failure") }
        return Provisioned(url, attributes: ["QueueUrl": .string(url), "QueueName": .string(name),
                                             "Arn": .string("arn:aws:sqs:\(c.region):\(c.accountId):\(name)")])
    }

    func update(_ id: String, old: ResourceProperties, new: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned? {
        let a = attributes(new)
        if !a.isEmpty { _ = try await Forwarded.json("sqs", "AmazonSQS.SetQueueAttributes", ["QueueUrl": id, "Attributes": a], c) }
        let name = String(id.split(separator: "/").last ?? "")
        return Provisioned(id, attributes: ["QueueUrl": .string(id), "QueueName": .string(name),
                                            "Arn": .string("arn:aws:sqs:\(c.region):\(c.accountId):\(name)")])
    }

    func delete(_ id: String, _ p: ResourceProperties, _ c: ProviderContext) async throws -> Bool {
        do { _ = try await Forwarded.json("sqs", "AmazonSQS.DeleteQueue", ["QueueUrl": id], c) }
        catch let f as ResourceFailure where f.code?.contains("NonExistentQueue") == true {}
        return true
    }
}

/// AWS::SNS::Topic (forwarded, Query protocol): `Ref` is the topic's ARN.
struct SNSTopicProvider: ResourceProvider {
    let type = "AWS::SNS::Topic"
    let replacementProperties: Set<String> = ["TopicName", "FifoTopic"]

    func create(_ p: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned {
        var name = p.string("TopicName") ?? PhysicalNames.generate(c, maxLength: 251)
        if p.bool("FifoTopic") == true && !name.hasSuffix(".fifo") { name += ".fifo" }
        var form = ["Name": name]
        var i = 1
        for k in ["DisplayName", "FifoTopic", "ContentBasedDeduplication", "KmsMasterKeyId"] {
            guard let v = p.string(k) else { continue }
            form["Attributes.entry.\(i).key"] = k
            form["Attributes.entry.\(i).value"] = v
            i += 1
        }
        for (j, t) in p.tags.enumerated() { form["Tags.member.\(j + 1).Key"] = t.key; form["Tags.member.\(j + 1).Value"] = t.value }
        guard let arn = try await Forwarded.query("sns", "CreateTopic", form, c).find("TopicArn") else { throw ResourceFailure("Internal Failure") }
        for s in p["Subscription"]?.listValue ?? [] {
            guard let proto = s["Protocol"]?.scalarText, let endpoint = s["Endpoint"]?.scalarText else { continue }
            _ = try await Forwarded.query("sns", "Subscribe", ["TopicArn": arn, "Protocol": proto, "Endpoint": endpoint], c)
        }
        return Provisioned(arn, attributes: ["TopicArn": .string(arn), "TopicName": .string(name)])
    }

    func delete(_ id: String, _ p: ResourceProperties, _ c: ProviderContext) async throws -> Bool {
        _ = try await Forwarded.query("sns", "DeleteTopic", ["TopicArn": id], c)
        return true
    }
}

/// AWS::SecretsManager::Secret (forwarded): the value given, or one generated by `GenerateSecretString`; `Ref` is its ARN.
struct SecretsManagerSecretProvider: ResourceProvider {
    let type = "AWS::SecretsManager::Secret"
    let replacementProperties: Set<String> = ["Name"]

    func value(_ p: ResourceProperties, _ c: ProviderContext) async throws -> String {
        if let s = p.string("SecretString") { return s }
        guard let g = p["GenerateSecretString"]?.objectValue else { return "" }
        var input: [String: Any] = [:]
        for k in ["PasswordLength", "ExcludeCharacters", "ExcludeNumbers", "ExcludePunctuation", "ExcludeUppercase",
                  "ExcludeLowercase", "IncludeSpace", "RequireEachIncludedType"] {
            if let v = g[k] { input[k] = LambdaFunctionProvider.json(v) }
        }
        let password = try await Forwarded.json("secretsmanager", "secretsmanager.GetRandomPassword", input, c)["RandomPassword"] as? String ?? ""
        guard let template = g["SecretStringTemplate"]?.scalarText, let key = g["GenerateStringKey"]?.scalarText,
              var object = (try? JSONSerialization.jsonObject(with: Data(template.utf8))) as? [String: Any] else { return password }
        object[key] = password
        return String(decoding: (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data(), as: UTF8.self)
    }

    func create(_ p: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned {
        let name = p.string("Name") ?? PhysicalNames.generate(c, maxLength: 512)
        var input: [String: Any] = ["Name": name, "SecretString": try await value(p, c)]
        input["Description"] = p.string("Description")
        input["KmsKeyId"] = p.string("KmsKeyId")
        if let tags = p["Tags"]?.listValue { input["Tags"] = tags.map { LambdaFunctionProvider.json($0) } }
        let out = try await Forwarded.json("secretsmanager", "secretsmanager.CreateSecret", input, c)
        guard let arn = out["ARN"] as? String else { throw ResourceFailure("Internal Failure") }
        return Provisioned(arn, attributes: ["Id": .string(arn)])
    }

    func update(_ id: String, old: ResourceProperties, new: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned? {
        var input: [String: Any] = ["SecretId": id]
        input["Description"] = new.string("Description")
        if old["SecretString"] != new["SecretString"] || old["GenerateSecretString"] != new["GenerateSecretString"] {
            input["SecretString"] = try await value(new, c)
        }
        _ = try await Forwarded.json("secretsmanager", "secretsmanager.UpdateSecret", input, c)
        return Provisioned(id, attributes: ["Id": .string(id)])
    }

    func delete(_ id: String, _ p: ResourceProperties, _ c: ProviderContext) async throws -> Bool {
        do {
            _ = try await Forwarded.json("secretsmanager", "secretsmanager.DeleteSecret", ["SecretId": id, "ForceDeleteWithoutRecovery": true], c)
        } catch let f as ResourceFailure where f.code == "ResourceNotFoundException" {}
        return true
    }
}
