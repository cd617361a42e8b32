import AWSWire
import CloudModel
import Foundation

/// An HTTP request to a function URL as Lambda's payload format 2.0 event, the function's answer back as an HTTP
/// response, and the URL's CORS headers. Pure: no state, no clock of its own.
enum FunctionUrlHTTP {
    /// Where the request came in: the URL's id, the path after it, and the domain to report.
    struct Target {
        var urlId: String
        /// `/` and what follows the URL's root, still percent-encoded.
        var rawPath: String
        /// `<id>.lambda-url.<region>.on.aws`, or the Host the client used for the URL.
        var domainName: String
    }

    /// The caller an AWS_IAM URL saw (nil for NONE: `accountId` is `anonymous`, as Lambda reports it).
    struct IAMCaller {
        var accessKey: String
        var accountId: String
        var callerId: String
        var userArn: String
    }

    /// Content types whose body Lambda hands over as text; any other body is base64 with `isBase64Encoded`.
    static func isText(_ contentType: String?) -> Bool {
        guard let t = contentType?.lowercased() else { return false }
        return t.hasPrefix("text/") || t.contains("json") || t.contains("xml") || t.contains("javascript")
            || t.hasPrefix("application/x-www-form-urlencoded")
    }

    static func event(_ r: WireRequest, _ target: Target, requestId: String, accountId: String, caller: IAMCaller?,
                      now: Date) -> [UInt8] {
        var w = JSONWriter(capacity: 1024 + r.body.count * 4 / 3)
        w.beginObject()
        w.member("version", "2.0")
        w.member("routeKey", "$default")
        w.member("rawPath", target.rawPath)
        w.member("rawQueryString", r.rawQuery)
        // Repeated headers are joined with commas; cookies travel apart, in `cookies`.
        var headers: [(String, String)] = []
        var cookies: [String] = []
        for (name, value) in r.headers {
            if name == "cookie" {
                cookies += value.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                continue
            }
            if let i = headers.firstIndex(where: { $0.0 == name }) { headers[i].1 += "," + value } else { headers.append((name, value)) }
        }
        if !cookies.isEmpty { w.member("cookies", strings: cookies) }
        w.key("headers"); w.beginObject()
        for (k, v) in headers { w.member(k, v) }
        w.endObject()
        var query: [(String, String)] = []
        for (k, v) in r.queryItems {
            if let i = query.firstIndex(where: { $0.0 == k }) { query[i].1 += "," + v } else { query.append((k, v)) }
        }
        if !query.isEmpty {
            w.key("queryStringParameters"); w.beginObject()
            for (k, v) in query { w.member(k, v) }
            w.endObject()
        }
        let method = r.method
        let path = target.rawPath.removingPercentEncoding ?? target.rawPath
        let epochMs = Int64((now.timeIntervalSince1970 * 1000).rounded(.down))
        w.key("requestContext"); w.beginObject()
        w.member("accountId", caller?.accountId ?? "anonymous")
        w.member("apiId", target.urlId)
        if let caller {
            w.key("authorizer"); w.beginObject()
            w.key("iam"); w.beginObject()
            w.member("accessKey", caller.accessKey)
            w.member("accountId", caller.accountId)
            w.member("callerId", caller.callerId)
            w.member("userArn", caller.userArn)
            w.endObject()
            w.endObject()
        }
        w.member("domainName", target.domainName)
        w.member("domainPrefix", target.urlId)
        w.key("http"); w.beginObject()
        w.member("method", method)
        w.member("path", path)
        w.member("protocol", "HTTP/1.1")
        w.member("sourceIp", r.sourceIP)
        w.member("userAgent", r.header("user-agent") ?? "")
        w.endObject()
        w.member("requestId", requestId)
        w.member("routeKey", "$default")
        w.member("stage", "$default")
        w.member("time", clfTime(epochMs))
        w.key("timeEpoch"); w.int(Int(epochMs))
        w.endObject()
        if !r.body.isEmpty {
            if isText(r.header("content-type")), let text = String(validating: r.body, as: UTF8.self) {
                w.member("body", text)
                w.member("isBase64Encoded", false)
            } else {
                w.member("body", Data(r.body).base64EncodedString())
                w.member("isBase64Encoded", true)
            }
        } else {
            w.member("isBase64Encoded", false)
        }
        w.endObject()
        return w.bytes
    }

    /// `12/Mar/2020:19:03:58 +0000`, the request time as API Gateway and function URLs write it.
    static func clfTime(_ epochMs: Int64) -> String {
        let secs = epochMs / 1000
        let days = secs / 86400
        let rem = Int(secs - days * 86400)
        let (y, m, d) = CivilTime.date(fromDays: days)
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func p2(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(p2(d))/\(months[m - 1])/\(y):\(p2(rem / 3600)):\(p2(rem / 60 % 60)):\(p2(rem % 60)) +0000"
    }

    /// The function's result as HTTP: an object with `statusCode` is a response description (headers, cookies,
    /// body, isBase64Encoded); any other JSON is a 200 whose body is that JSON. Nil: not JSON at all.
    static func response(_ payload: [UInt8]) -> WireResponse? {
        guard let value = try? JSONSerialization.jsonObject(with: Data(payload), options: [.fragmentsAllowed]) else { return nil }
        guard let o = value as? [String: Any], let code = o["statusCode"] else {
            return WireResponse(status: 200, headers: [("Content-Type", "application/json")], body: payload)
        }
        guard let status = (code as? NSNumber)?.intValue ?? (code as? String).flatMap(Int.init), (100...599).contains(status) else {
            return nil
        }
        var headers: [(String, String)] = []
        if let h = o["headers"] as? [String: Any] {
            for (k, v) in h.sorted(by: { $0.key < $1.key }) { headers.append((k, scalar(v))) }
        }
        if !headers.contains(where: { $0.0.lowercased() == "content-type" }) { headers.append(("Content-Type", "application/json")) }
        if let cookies = o["cookies"] as? [Any] {
            for c in cookies { headers.append(("Set-Cookie", scalar(c))) }
        }
        var body: [UInt8] = []
        if let b = o["body"] {
            let text = b is NSNull ? "" : scalar(b)
            if (o["isBase64Encoded"] as? Bool) == true {
                guard let data = Data(base64Encoded: text) else { return nil }
                body = Array(data)
            } else {
                body = Array(text.utf8)
            }
        }
        return WireResponse(status: status, headers: headers, body: body)
    }

    private static func scalar(_ v: Any) -> String {
        if let s = v as? String { return s }
        if let n = v as? NSNumber { return JSONBody.isBool(n) ? (n.boolValue ? "true" : "false") : n.stringValue }
        if let data = try? JSONSerialization.data(withJSONObject: v, options: [.fragmentsAllowed]) {
            return String(decoding: data, as: UTF8.self)
        }
        return ""
    }

    /// The allowed origin to send back for `origin` (`*` when every origin is allowed and credentials are not).
    static func allowedOrigin(_ cors: LambdaUrlCors, _ origin: String) -> String? {
        let origins = cors.allowOrigins ?? []
        if origins.contains("*") { return cors.allowCredentials == true ? origin : "*" }
        return origins.contains { $0.caseInsensitiveCompare(origin) == .orderedSame } ? origin : nil
    }

    /// The CORS headers of an actual (non-preflight) response; they replace any `Access-Control-*` the function set.
    static func applyCors(_ cors: LambdaUrlCors, origin: String?, to response: inout WireResponse) {
        response.headers.removeAll { $0.0.lowercased().hasPrefix("access-control-") }
        guard let origin, let allowed = allowedOrigin(cors, origin) else { return }
        response.headers.append(("Access-Control-Allow-Origin", allowed))
        if cors.allowCredentials == true { response.headers.append(("Access-Control-Allow-Credentials", "true")) }
        if let e = cors.exposeHeaders, !e.isEmpty { response.headers.append(("Access-Control-Expose-Headers", e.joined(separator: ","))) }
        response.headers.append(("Vary", "Origin"))
    }

    /// A preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`) answered from the configuration,
    /// without running the function.
    static func preflight(_ cors: LambdaUrlCors, origin: String, requestId: String) -> WireResponse {
        var headers: [(String, String)] = [("x-amzn-RequestId", requestId), ("Vary", "Origin")]
        if let allowed = allowedOrigin(cors, origin) {
            headers.append(("Access-Control-Allow-Origin", allowed))
            if let m = cors.allowMethods, !m.isEmpty { headers.append(("Access-Control-Allow-Methods", m.joined(separator: ","))) }
            if let h = cors.allowHeaders, !h.isEmpty { headers.append(("Access-Control-Allow-Headers", h.joined(separator: ","))) }
            if cors.allowCredentials == true { headers.append(("Access-Control-Allow-Credentials", "true")) }
            if let age = cors.maxAge { headers.append(("Access-Control-Max-Age", String(age))) }
        }
        return WireResponse(status: 200, headers: headers)
    }

    /// `{"Message":"..."}` as function URLs answer their own errors.
    static func message(_ status: Int, _ text: String?, requestId: String) -> WireResponse {
        var w = JSONWriter(capacity: 64)
        w.beginObject()
        w.key("Message")
        if let text { w.string(text) } else { w.raw(Array("null".utf8)) }
        w.endObject()
        return .json(status, w.bytes, requestID: requestId)
    }
}
