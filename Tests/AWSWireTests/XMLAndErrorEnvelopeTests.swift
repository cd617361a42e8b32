@testable import AWSWire
import Foundation
import Testing

@Suite struct XMLWriterTests {
    @Test func escapesMarkupCharacters() {
        var w = XMLWriter(declaration: false)
        w.element("Description", #"a<b>&"c" 'd'"# + "\r\n")
        #expect(w.text == "<Description>a&lt;b&gt;&amp;&quot;c&quot; &apos;d&apos;&#xD;\n</Description>")
    }

    @Test func keepsUnicodeAsIs() {
        var w = XMLWriter(declaration: false)
        w.element("Value", "héllo ሴ 🚀")
        #expect(w.text == "<Value>héllo ሴ 🚀</Value>")
    }

    @Test func declarationNilOmissionAndScalars() {
        var w = XMLWriter()
        w.open("DescribeVpcsResponse", xmlns: "http://ec2.amazonaws.com/doc/2016-11-15/")
        w.element("nextToken", nil as String?)
        w.element("count", 3)
        w.element("isDefault", false)
        w.element("missingInt", nil as Int?)
        w.close("DescribeVpcsResponse")
        #expect(w.text == "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<DescribeVpcsResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><count>3</count><isDefault>false</isDefault>"
            + "</DescribeVpcsResponse>")
    }

    @Test func listsAndNestedElements() {
        var w = XMLWriter(declaration: false)
        w.list("tagSet", [("Name", "web"), ("env", "a&b")]) { w, tag in
            w.element("key", tag.0)
            w.element("value", tag.1)
        }
        w.list("Users", ["alice"], member: "member") { w, name in w.element("UserName", name) }
        w.list("empty", [Int]()) { _, _ in }
        w.element("outer") { w in w.element("inner", "x") }
        #expect(w.text == "<tagSet><item><key>Name</key><value>web</value></item><item><key>env</key><value>a&amp;b</value></item></tagSet>"
            + "<Users><member><UserName>alice</UserName></member></Users><empty></empty><outer><inner>x</inner></outer>")
    }
}

@Suite struct ErrorEnvelopeTests {
    static let notFound = AWSError(code: "InvalidVpcID.NotFound", message: "The vpc ID 'vpc-1' does not exist")

    static func header(_ r: WireResponse, _ name: String) -> String? {
        r.headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    @Test func ec2XML() {
        let r = ErrorEnvelope.ec2(Self.notFound, requestID: "req-1")
        #expect(r.status == 400)
        #expect(Self.header(r, "Content-Type") == "text/xml;charset=UTF-8")
        #expect(Self.header(r, "x-amzn-RequestId") == "req-1")
        #expect(String(decoding: r.body, as: UTF8.self) == "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<Response><Errors><Error><Code>InvalidVpcID.NotFound</Code><Message>The vpc ID &apos;vpc-1&apos; does not exist</Message>"
            + "</Error></Errors><RequestID>req-1</RequestID></Response>")
    }

    @Test func iamXMLWithSenderAndReceiverFaults() {
        let e = AWSError(code: "NoSuchEntity", message: "The user with name bob cannot be found.", httpStatus: 404)
        let r = ErrorEnvelope.query(e, xmlns: "https://iam.amazonaws.com/doc/2010-05-08/", requestID: "req-2")
        #expect(r.status == 404)
        #expect(String(decoding: r.body, as: UTF8.self) == "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error><Type>Sender</Type><Code>NoSuchEntity</Code>"
            + "<Message>The user with name bob cannot be found.</Message></Error><RequestId>req-2</RequestId></ErrorResponse>")
        let internalError = AWSError(code: "ServiceFailure", message: "x", httpStatus: 500, senderFault: false)
        let body = String(decoding: ErrorEnvelope.query(internalError, xmlns: "n", requestID: "r").body, as: UTF8.self)
        #expect(body.contains("<Type>Receiver</Type>"))
    }

    @Test func lambdaJSONHeaderAndBody() throws {
        let e = AWSError(code: "ResourceNotFoundException",
                         message: "Function not found: arn:aws:lambda:us-east-1:123456789012:function:my-fn/x",
                         httpStatus: 404, lambdaType: "User", lambdaMessageKey: "Message")
        let r = ErrorEnvelope.restJSON(e, requestID: "req-3")
        #expect(r.status == 404)
        #expect(Self.header(r, "x-amzn-ErrorType") == "ResourceNotFoundException")
        #expect(Self.header(r, "Content-Type") == "application/json")
        #expect(Self.header(r, "x-amzn-RequestId") == "req-3")
        #expect(String(decoding: r.body, as: UTF8.self)
                == #"{"Message":"Function not found: arn:aws:lambda:us-east-1:123456789012:function:my-fn/x","Type":"User"}"#)
    }

    @Test func lambdaValidationErrorHasNoTypeAndKeepsExtraFields() throws {
        let e = AWSError(code: "TooManyRequestsException", message: "Rate exceeded", httpStatus: 429, lambdaType: nil,
                         extraFields: ["Reason": "CallerRateLimitExceeded"])
        let object = try JSONSerialization.jsonObject(with: Data(ErrorEnvelope.restJSON(e, requestID: "r").body)) as? [String: String]
        #expect(object == ["message": "Rate exceeded", "Reason": "CallerRateLimitExceeded"])
    }
}
