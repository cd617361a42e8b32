import AWSWire
import CloudModel
import Foundation
import IAMPolicy

/// Bucket policies are resource policies: under `--enforce-iam` they combine with the caller's identity policies
/// (`SameAccountDecision`: an allow in either admits, an explicit deny in either refuses); without enforcement, and
/// for the account root, only their explicit denies apply — as on AWS, where a bucket policy's Deny binds even the
/// root. Condition keys: the globals (`aws:SourceIp`, `aws:SecureTransport` false over this plain-HTTP endpoint,
/// `aws:PrincipalArn`, …) and the operation's own (`s3:prefix`, `s3:delimiter`, `s3:max-keys`).
extension S3Service {
    /// The principal of an unsigned request.
    public static let anonymousArn = "anonymous"

    /// An unsigned request is admitted only by a bucket policy allowing everyone (`"Principal": "*"`), and not when the
    /// bucket's public access block restricts public buckets; the refusal is S3's bare "Access Denied".
    func authorizeAnonymous(_ ctx: RequestContext, _ action: String, _ resource: String, bucket: String?, policy: CompiledPolicy?,
                            keys: (inout ConditionContext) -> Void) throws {
        let denied = S3Errors.make("AccessDenied", "Access Denied", 403)
        guard let policy, let bucket else { throw denied }
        if let block = (try? store.bucket(bucket))??.publicAccessBlock, let doc = XMLElement.parse(Array(block.utf8)),
           doc.value("RestrictPublicBuckets") == "true" {
            throw denied
        }
        var context = ConditionContext()
        context.set("aws:SecureTransport", ctx.secureTransport ? "true" : "false")
        let now = Date()
        context.setRequestGlobals(RequestGlobals(sourceIP: ctx.sourceIP, currentTime: S3Time.iso(now.timeIntervalSince1970),
                                                 epochTime: String(Int64(now.timeIntervalSince1970)), requestedRegion: ctx.region,
                                                 network: ctx.network))
        keys(&context)
        let request = AuthorizationRequest(action: action, resource: resource, context: context,
                                           principal: PrincipalIdentity(type: "AWS", identifier: "*"))
        guard PolicyEvaluator.evaluate([policy], request).outcome == .allowed else { throw denied }
    }

    /// The bucket's compiled policy, nil when it has none (or it no longer exists).
    func compiledPolicy(_ bucket: String) -> CompiledPolicy? {
        guard let text = (try? store.bucket(bucket))??.policy else { return nil }
        return try? policies.compiled(text, kind: .resource, id: "bucket-policy", sourceType: "resource")
    }

    /// Authorizes `action` on `resource` for the call's caller with the bucket's policy; throws S3's AccessDenied.
    func authorize(_ c: S3Call, _ action: String, _ resource: String, bucket: String?,
                   keys: (inout ConditionContext) -> Void = { _ in }) throws {
        try authorize(c.context, action, resource, bucket: bucket, keys: keys)
    }

    func authorize(_ ctx: RequestContext, _ action: String, _ resource: String, bucket: String?,
                   keys: (inout ConditionContext) -> Void = { _ in }) throws {
        let policy = bucket.flatMap(compiledPolicy)
        if ctx.principal.arn == Self.anonymousArn {
            try authorizeAnonymous(ctx, action, resource, bucket: bucket, policy: policy, keys: keys)
            return
        }
        if ctx.isAuthorizing && ctx.authorization?.enforcesIdentity == true {
            try ctx.authorize(action, resource, resourcePolicy: { policy }, keys)
            return
        }
        // Through a VPC endpoint, its policy decides first (IAM not enforced: identity policies are not asked).
        if ctx.authorization?.endpointPolicy != nil { try ctx.authorize(action, resource, keys) }
        guard let policy else { return }
        var context = ConditionContext()
        let p = ctx.principal
        context.set("aws:PrincipalArn", p.arn)
        context.set("aws:PrincipalAccount", p.accountId)
        context.set("aws:userid", p.userId)
        context.set("aws:PrincipalType", p.isRoot ? "Account" : "User")
        context.set("aws:SecureTransport", ctx.secureTransport ? "true" : "false")
        let now = Date()
        context.setRequestGlobals(RequestGlobals(sourceIP: ctx.sourceIP, currentTime: S3Time.iso(now.timeIntervalSince1970),
                                                 epochTime: String(Int64(now.timeIntervalSince1970)), requestedRegion: ctx.region,
                                                 network: ctx.network))
        keys(&context)
        let request = AuthorizationRequest(action: action, resource: resource, context: context,
                                           principal: PrincipalIdentity(type: "AWS", identifier: p.arn))
        if PolicyEvaluator.evaluate([policy], request).outcome == .explicitDeny {
            throw Self.accessDenied(p, action: action, resource: resource, explicit: true)
        }
    }
}
