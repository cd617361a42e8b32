import AWSWire
import CloudModel
import Foundation
import IAMPolicy

/// Event notifications to Lambda functions (`LambdaFunctionConfigurations`, sent by botocore as
/// `CloudFunctionConfiguration`): checked against each function's resource policy when put, and on each object
/// created or removed, the matching functions get AWS's event shape through Lambda's asynchronous queue.
extension S3Service {
    struct FunctionTarget {
        var id: String
        var functionArn: String
        var events: [String]
        var prefix: String
        var suffix: String

        /// `s3:ObjectCreated:*` matches `ObjectCreated:Put`; an exact name matches itself.
        func matches(_ event: String, key: String) -> Bool {
            guard key.hasPrefix(prefix) && key.hasSuffix(suffix) else { return false }
            return events.contains { e in
                let name = e.hasPrefix("s3:") ? String(e.dropFirst(3)) : e
                return name == event || (name.hasSuffix(":*") && event.hasPrefix(String(name.dropLast(1))))
            }
        }
    }

    static func functionTargets(_ doc: XMLElement) -> [FunctionTarget] {
        (doc.all("CloudFunctionConfiguration") + doc.all("LambdaFunctionConfiguration")).map { c in
            var prefix = "", suffix = ""
            for rule in c.child("Filter")?.child("S3Key")?.all("FilterRule") ?? [] {
                switch rule.value("Name")?.lowercased() {
                case "prefix": prefix = rule.value("Value") ?? ""
                case "suffix": suffix = rule.value("Value") ?? ""
                default: break
                }
            }
            return FunctionTarget(id: c.value("Id") ?? UUID().uuidString, functionArn: c.value("CloudFunction") ?? c.value("LambdaFunctionArn") ?? "",
                                  events: c.all("Event").map { $0.text.trimmingCharacters(in: .whitespacesAndNewlines) },
                                  prefix: prefix, suffix: suffix)
        }
    }

    func putBucketNotification(_ c: S3Call) throws -> WireResponse {
        let bucket = try existingBucket(c)
        let doc = try document(c, root: "NotificationConfiguration")
        let targets = Self.functionTargets(doc)
        var refused: [(String, String)] = []
        for t in targets {
            guard !t.functionArn.isEmpty, !t.events.isEmpty else { throw S3Errors.malformedXML }
            if let why = events?.refusesEvents(functionArn: t.functionArn, service: "s3.amazonaws.com",
                                               sourceArn: "arn:aws:s3:::\(bucket.name)", sourceAccount: accountId) {
                refused.append((t.functionArn, why))
            } else if events == nil {
                refused.append((t.functionArn, "Lambda is not available"))
            }
        }
        if let (arn, why) = refused.first {
            throw S3Errors.invalidArgument("Unable to validate the following destination configurations", name: arn, value: why)
        }
        let text = String(decoding: try smallBody(c), as: UTF8.self)
        try store.updateBucket(bucket.name) { $0.notification = targets.isEmpty && doc.children.isEmpty ? nil : text }
        return WireResponse(status: 200)
    }

    /// Sends `event` (`ObjectCreated:Put`, `ObjectRemoved:Delete`, …) for `o` to every matching function.
    func notify(_ event: String, bucket: S3Bucket, object o: S3Object, _ ctx: RequestContext) {
        guard let text = bucket.notification, let events, let doc = XMLElement.parse(Array(text.utf8)) else { return }
        for t in Self.functionTargets(doc) where t.matches(event, key: o.key) {
            var object: [String: Any] = ["key": FormDecoding.encode(o.key, keepSlash: true),
                                         "sequencer": String(format: "%016llX", UInt64(o.lastModified * 1_000_000))]
            if !event.hasPrefix("ObjectRemoved") {
                object["size"] = o.size
                object["eTag"] = o.etag.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
            if o.versionId != "null" { object["versionId"] = o.versionId }
            let record: [String: Any] = [
                "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": bucket.region,
                "eventTime": S3Time.iso(o.lastModified), "eventName": event,
                "userIdentity": ["principalId": "AWS:" + ctx.principal.userId],
                "requestParameters": ["sourceIPAddress": ctx.sourceIP],
                "responseElements": ["x-amz-request-id": ctx.requestID, "x-amz-id-2": hostId],
                "s3": ["s3SchemaVersion": "1.0", "configurationId": t.id,
                       "bucket": ["name": bucket.name, "ownerIdentity": ["principalId": ownerId], "arn": "arn:aws:s3:::\(bucket.name)"],
                       "object": object] as [String: Any],
            ]
            guard let data = try? JSONSerialization.data(withJSONObject: ["Records": [record]], options: [.sortedKeys]) else { continue }
            try? events.enqueue(functionArn: t.functionArn, payload: Array(data))
        }
    }
}
