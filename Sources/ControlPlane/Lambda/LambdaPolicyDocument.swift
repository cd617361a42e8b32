import CloudModel
import Foundation

/// A function's resource-based policy as Lambda renders it (GetPolicy's `Policy`, AddPermission's `Statement`), and
/// AddPermission's checks of its fields. Pure: the same text is shown to clients and evaluated under `--enforce-iam`.
enum LambdaPolicyDocument {
    /// `{"Version":"2012-10-17","Id":"default","Statement":[...]}` with each statement on `resource`.
    static func policy(_ statements: [LambdaPermissionStatement], resource: String) -> String {
        var w = JSONWriter(capacity: 256 * max(1, statements.count))
        w.beginObject()
        w.member("Version", "2012-10-17")
        w.member("Id", "default")
        w.key("Statement"); w.beginArray()
        for s in statements { write(&w, s, resource: resource) }
        w.endArray()
        w.endObject()
        return String(decoding: w.bytes, as: UTF8.self)
    }

    /// One statement, as AddPermission returns it.
    static func statement(_ s: LambdaPermissionStatement, resource: String) -> String {
        var w = JSONWriter(capacity: 256)
        write(&w, s, resource: resource)
        return String(decoding: w.bytes, as: UTF8.self)
    }

    private static func write(_ w: inout JSONWriter, _ s: LambdaPermissionStatement, resource: String) {
        w.beginObject()
        w.member("Sid", s.sid)
        w.member("Effect", "Allow")
        w.key("Principal")
        switch principalKind(s.principal) {
        case .everyone, .invalid: w.string(s.principal)
        case .account: w.beginObject(); w.member("AWS", "arn:aws:iam::\(s.principal):root"); w.endObject()
        case .arn: w.beginObject(); w.member("AWS", s.principal); w.endObject()
        case .service: w.beginObject(); w.member("Service", s.principal); w.endObject()
        }
        w.member("Action", s.action)
        w.member("Resource", resource)
        var equals: [(String, String)] = []
        if let a = s.sourceAccount { equals.append(("AWS:SourceAccount", a)) }
        if let o = s.principalOrgID { equals.append(("aws:PrincipalOrgID", o)) }
        if let t = s.functionUrlAuthType { equals.append(("lambda:FunctionUrlAuthType", t)) }
        if let e = s.eventSourceToken { equals.append(("lambda:EventSourceToken", e)) }
        if !equals.isEmpty || s.sourceArn != nil {
            w.key("Condition"); w.beginObject()
            if !equals.isEmpty {
                w.key("StringEquals"); w.beginObject()
                for (k, v) in equals { w.member(k, v) }
                w.endObject()
            }
            if let arn = s.sourceArn {
                w.key("ArnLike"); w.beginObject(); w.member("AWS:SourceArn", arn); w.endObject()
            }
            w.endObject()
        }
        w.endObject()
    }

    /// How a Principal given to AddPermission is written in the policy.
    enum PrincipalKind: Equatable {
        /// `*`
        case everyone
        /// A 12-digit account id: `{"AWS":"arn:aws:iam::ID:root"}`.
        case account
        /// An IAM ARN: `{"AWS": ARN}`.
        case arn
        /// `s3.amazonaws.com` and the like: `{"Service": NAME}`.
        case service
        /// Not a principal Lambda accepts.
        case invalid
    }

    static func principalKind(_ p: String) -> PrincipalKind {
        if p == "*" { return .everyone }
        if p.utf8.count == 12 && p.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) { return .account }
        if p.hasPrefix("arn:") {
            let parts = p.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
            guard parts.count == 6, parts[1].hasPrefix("aws"), parts[2] == "iam" || parts[2] == "sts", parts[3].isEmpty,
                  parts[4].utf8.count == 12, parts[4].utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), !parts[5].isEmpty else {
                return .invalid
            }
            return .arn
        }
        // A service principal is a DNS name: `events.amazonaws.com`, `alexa-appkit.amazon.com`.
        let labels = p.split(separator: ".", omittingEmptySubsequences: false)
        let dnsLabel: (Substring) -> Bool = { l in
            !l.isEmpty && l.utf8.allSatisfy { b in
                (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x2D || (b >= 0x41 && b <= 0x5A)
            }
        }
        return labels.count >= 2 && labels.allSatisfy(dnsLabel) ? .service : .invalid
    }
}
