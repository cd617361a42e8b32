import CloudFormationTemplate

/// AWS::S3::BucketPolicy: PutBucketPolicy on the bucket; deleting removes the policy.
struct S3BucketPolicyProvider: ResourceProvider {
    let type = "AWS::S3::BucketPolicy"
    let replacementProperties: Set<String> = ["Bucket"]

    func put(_ p: ResourceProperties, _ c: ProviderContext) throws -> Provisioned {
        let bucket = try p.required("Bucket", of: type)
        let doc = IAMRoleProvider.document(p["PolicyDocument"]) ?? "{}"
        try S3BucketProvider().call("PUT", "/\(bucket)", query: "policy", body: doc, c)
        return Provisioned(bucket)
    }

    func create(_ p: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned { try put(p, c) }

    func update(_ id: String, old: ResourceProperties, new: ResourceProperties, _ c: ProviderContext) async throws -> Provisioned? {
        try put(new, c)
    }

    func delete(_ id: String, _ p: ResourceProperties, _ c: ProviderContext) async throws -> Bool {
        do { try S3BucketProvider().call("DELETE", "/\(id)", query: "policy", c) } catch let f as ResourceFailure where f.reason.contains("NotFound") {}
        return true
    }
}
