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
        try versioning(name, p, c)
        return Provisioned(name, attributes: attributes(name, c))
    }

    func versioning(_ name: String, _ p: ResourceProperties, _ c: ProviderContext) throws {
        guard let status = p["VersioningConfiguration"]?["Status"]?.scalarText else { return }
        try call("PUT", "/\(name)", query: "versioning",
                 body: "<VersioningConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Status>\(status)</Status></VersioningConfiguration>", c)
    }

    func update(_ id: String, old: ResourceProperties, new: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned? {
        try versioning(id, new, c)
        return Provisioned(id, attributes: attributes(id, c))
    }

    func delete(_ id: String, _ p: ResourceProperties, _ c: ProviderContext) async throws -> Bool {
        do { try call("DELETE", "/\(id)", c) } catch let f as ResourceFailure where f.reason.contains("NotFound") {}
        return true
    }
}
