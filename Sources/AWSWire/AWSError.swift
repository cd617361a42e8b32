import Foundation

/// An error a service operation answers with; each protocol envelope renders it its own way.
public struct AWSError: Error, Sendable, Equatable {
    public var code: String
    public var message: String
    public var httpStatus: Int
    /// Lambda bodies: `"Type":"User"` or `"Service"`; nil leaves the member out (ValidationException).
    public var lambdaType: String?
    /// Lambda error shapes differ in the case of their message member (`message` vs `Message`).
    public var lambdaMessageKey: String
    /// Extra members of the Lambda error body, e.g. `Reason` on TooManyRequestsException.
    public var extraFields: [String: String]
    /// Query-protocol error `Type`: Sender (client fault) or Receiver.
    public var senderFault: Bool

    public init(code: String, message: String, httpStatus: Int = 400, lambdaType: String? = "User",
                lambdaMessageKey: String = "message", extraFields: [String: String] = [:], senderFault: Bool = true) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
        self.lambdaType = lambdaType
        self.lambdaMessageKey = lambdaMessageKey
        self.extraFields = extraFields
        self.senderFault = senderFault
    }
}

/// Renders errors in the envelope of each wire protocol.
public enum ErrorEnvelope {
    /// EC2: `<Response><Errors><Error>..</Error></Errors><RequestID>..</RequestID></Response>`.
    public static func ec2(_ e: AWSError, requestID: String) -> WireResponse {
        var w = XMLWriter()
        w.open("Response")
        w.open("Errors"); w.open("Error")
        w.element("Code", e.code); w.element("Message", e.message)
        w.close("Error"); w.close("Errors")
        w.element("RequestID", requestID)
        w.close("Response")
        return .xml(e.httpStatus, w.text, requestID: requestID)
    }

    /// IAM and STS (awsQuery): `<ErrorResponse xmlns=..><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`.
    public static func query(_ e: AWSError, xmlns: String, requestID: String) -> WireResponse {
        var w = XMLWriter()
        w.open("ErrorResponse", xmlns: xmlns)
        w.open("Error")
        w.element("Type", e.senderFault ? "Sender" : "Receiver")
        w.element("Code", e.code); w.element("Message", e.message)
        w.close("Error")
        w.element("RequestId", requestID)
        w.close("ErrorResponse")
        return .xml(e.httpStatus, w.text, requestID: requestID)
    }

    /// Lambda (restJson): `x-amzn-ErrorType` header and a JSON body.
    public static func restJSON(_ e: AWSError, requestID: String) -> WireResponse {
        var obj: [String: String] = e.extraFields
        if let t = e.lambdaType { obj["Type"] = t }
        obj[e.lambdaMessageKey] = e.message
        let data = (try? JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return .json(e.httpStatus, Array(data), requestID: requestID, extraHeaders: [("x-amzn-ErrorType", e.code)])
    }

    /// awsJson 1.0 and 1.1 (CloudWatch Logs, SSM, DynamoDB, ...): `{"__type": CODE, "message": ...}`.
    public static func awsJSON(_ e: AWSError, version: String = "1.1", requestID: String) -> WireResponse {
        let data = (try? JSONSerialization.data(withJSONObject: ["__type": e.code, "message": e.message], options: [.sortedKeys]))
            ?? Data("{}".utf8)
        return WireResponse(status: e.httpStatus,
                            headers: [("Content-Type", "application/x-amz-json-\(version)"), ("x-amzn-RequestId", requestID)],
                            body: Array(data))
    }

    /// REST-XML (S3 and the services like it): `<Error><Code>…</Code><Message>…</Message><RequestId>…</RequestId></Error>`.
    public static func restXML(_ e: AWSError, requestID: String) -> WireResponse {
        var xml = XMLWriter()
        xml.element("Error") { w in w.element("Code", e.code); w.element("Message", e.message); w.element("RequestId", requestID) }
        return WireResponse(status: e.httpStatus, headers: [("Content-Type", "application/xml"), ("x-amz-request-id", requestID)],
                            body: Array(xml.text.utf8))
    }
}
