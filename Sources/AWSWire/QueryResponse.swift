/// The envelope every Query-protocol answer shares (IAM, STS, RDS, ElastiCache, CloudFormation):
/// `<XResponse xmlns=…><XResult>…</XResult><ResponseMetadata><RequestId>…</RequestId></ResponseMetadata></XResponse>`.
public enum QueryResponse {
    /// With `body` nil the result element is left out (operations whose output shape is empty).
    public static func envelope(_ action: String, xmlns: String, requestID: String, declaration: Bool = false,
                                _ body: ((inout XMLWriter) -> Void)?) -> String {
        var w = XMLWriter(declaration: declaration)
        w.open(action + "Response", xmlns: xmlns)
        if let body {
            w.open(action + "Result")
            body(&w)
            w.close(action + "Result")
        }
        w.open("ResponseMetadata")
        w.element("RequestId", requestID)
        w.close("ResponseMetadata")
        w.close(action + "Response")
        return w.text
    }
}
