import AWSWire
import CloudModel
import Foundation

/// AWS::S3::Bucket through S3's own handler (path-style requests as the caller); `Ref` is the bucket's name.
struct S3BucketProvider: ResourceProvider {
    let type = "AWS::S3::Bucket"
    let replacementProperties: Set<String> = ["BucketName", "ObjectLockEnabled"]

    func call(_ method: String, _ path: String, query: String = "", body: String = "", _ c: ProviderContext) throws {
        guard let s3 = c.backends.s3 else { throw ResourceFailure("S3 is not available") }
        let ctx = c.context { S3Service.accessDenied($0, action: $1, resource: $2, explicit: $3) }
        let request = WireRequest(method: method, rawPath: path, rawQuery: query,
                                  headers: [(name: "host", value: "s3.\(c.region).amazonaws.com")], body: Array(body.utf8))
        let response = s3.handle(request, context: ctx, signedRegion: c.region)
        guard response.status >= 300 else { return }
        let error = XMLElement.parse(response.body)
        let code = error?.value("Code") ?? "InternalError"
        throw ProviderContext.failure(AWSError(code: code, message: error?.value("Message") ?? code, httpStatus: response.status),
                                      service: "S3", requestID: ctx.requestID)
    }

    func attributes(_ name: String, _ c: ProviderContext) -> [String: StackAttributeValue] {
        ["Arn": .string("arn:aws:s3:::\(name)"), "DomainName": .string("\(name).s3.amazonaws.com"),
         "RegionalDomainName": .string("\(name).s3.\(c.region).amazonaws.com"),
         "WebsiteURL": .string("http://\(name).s3-website-\(c.region).amazonaws.com"),
         "DualStackDomainName": .string("\(name).s3.dualstack.\(c.region).amazonaws.com")]
    }

    func create(_ p: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned {
        let name = p.string("BucketName") ?? PhysicalNames.generate(c, maxLength: 63).lowercased()
        let body = c.region == "us-east-1" ? ""
            : "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>\(c.region)</LocationConstraint></CreateBucketConfiguration>"
        try call("PUT", "/\(name)", body: body, c)
        try configure(name, old: nil, p, c)
        return Provisioned(name, attributes: attributes(name, c))
    }

    static let xmlns = "http://s3.amazonaws.com/doc/2006-03-01/"

    /// The bucket's sub-configurations the template sets (each through S3's own operation), those changed on update;
    /// one removed from the template is removed from the bucket.
    func configure(_ name: String, old: ResourceProperties?, _ p: ResourceProperties, _ c: ProviderContext) throws {
        func changed(_ key: String) -> Bool { old == nil ? p[key] != nil : old?[key] != p[key] }
        if changed("VersioningConfiguration") { try versioning(name, p, c) }
        if changed("Tags") {
            if p.tags.isEmpty {
                try call("DELETE", "/\(name)", query: "tagging", c)
            } else {
                var w = XMLWriter(declaration: false)
                w.open("Tagging", xmlns: Self.xmlns)
                w.open("TagSet")
                for t in p.tags { w.element("Tag") { $0.element("Key", t.key); $0.element("Value", t.value) } }
                w.close("TagSet")
                w.close("Tagging")
                try call("PUT", "/\(name)", query: "tagging", body: w.text, c)
            }
        }
        if changed("PublicAccessBlockConfiguration") {
            if let block = p["PublicAccessBlockConfiguration"] {
                var w = XMLWriter(declaration: false)
                w.open("PublicAccessBlockConfiguration", xmlns: Self.xmlns)
                for key in ["BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"] {
                    w.element(key, block[key]?.scalarText?.lowercased() ?? "false")
                }
                w.close("PublicAccessBlockConfiguration")
                try call("PUT", "/\(name)", query: "publicAccessBlock", body: w.text, c)
            } else {
                try call("DELETE", "/\(name)", query: "publicAccessBlock", c)
            }
        }
        if changed("NotificationConfiguration") {
            // S3 checks each function's resource policy (it must allow s3.amazonaws.com) as it does for a user.
            var w = XMLWriter(declaration: false)
            w.open("NotificationConfiguration", xmlns: Self.xmlns)
            for f in p["NotificationConfiguration"]?["LambdaConfigurations"]?.listValue ?? [] {
                w.open("CloudFunctionConfiguration")
                w.element("CloudFunction", f["Function"]?.scalarText)
                w.element("Event", f["Event"]?.scalarText)
                let rules = f["Filter"]?["S3Key"]?["Rules"]?.listValue ?? []
                if !rules.isEmpty {
                    w.open("Filter")
                    w.open("S3Key")
                    for r in rules { w.element("FilterRule") { $0.element("Name", r["Name"]?.scalarText); $0.element("Value", r["Value"]?.scalarText) } }
                    w.close("S3Key")
                    w.close("Filter")
                }
                w.close("CloudFunctionConfiguration")
            }
            w.close("NotificationConfiguration")
            try call("PUT", "/\(name)", query: "notification", body: w.text, c)
        }
    }

    func versioning(_ name: String, _ p: ResourceProperties, _ c: ProviderContext) throws {
        guard let status = p["VersioningConfiguration"]?["Status"]?.scalarText else { return }
        try call("PUT", "/\(name)", query: "versioning",
                 body: "<VersioningConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Status>\(status)</Status></VersioningConfiguration>", c)
    }

    func update(_ id: String, old: ResourceProperties, new: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned? {
        try configure(id, old: old, new, c)
        return Provisioned(id, attributes: attributes(id, c))
    }

    func delete(_ id: String, _ p: ResourceProperties, _ c: ProviderContext) async throws -> Bool {
        do { try call("DELETE", "/\(id)", c) } catch let f as ResourceFailure where f.reason.contains("NotFound") {}
        return true
    }
}
